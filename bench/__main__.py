"""python -m bench generate|load ... (see docs/PERFORMANCE.md)."""

from __future__ import annotations

import argparse
from datetime import date

from bench.load import SCENARIOS


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench")
    commands = parser.add_subparsers(dest="command", required=True)

    generate = commands.add_parser("generate", help="fill an empty database with a seeded dataset")
    generate.add_argument("--scale", choices=("national", "regional", "small"), default="regional")
    generate.add_argument("--database-url", required=True)
    generate.add_argument("--seed", type=int, default=2026)
    generate.add_argument(
        "--today",
        type=date.fromisoformat,
        default=None,
        help="the date the school year is laid around (default: today)",
    )

    load = commands.add_parser("load", help="measure gunicorn with wrk against hello world")
    load.add_argument("--database-url", required=True)
    load.add_argument("--duration", type=int, default=20, help="seconds per measurement")
    load.add_argument("--warmup", type=int, default=5, help="seconds of warm-up per endpoint")
    load.add_argument("--connections", type=int, default=16)
    load.add_argument("--output", default=None, help="also write the results as JSON here")
    load.add_argument(
        "--only", default=",".join(SCENARIOS), help=f"comma-separated: {','.join(SCENARIOS)}"
    )
    load.add_argument(
        "--gunicorn",
        default=None,
        help='other gunicorn settings for an experiment, e.g. "--workers 4 --threads 1"',
    )

    both = commands.add_parser("run", help="generate into a throw-away database, then load-test it")
    both.add_argument("--scale", choices=("national", "regional", "small"), default="national")
    both.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    both.add_argument("--seed", type=int, default=2026)
    both.add_argument("--duration", type=int, default=20)
    both.add_argument("--warmup", type=int, default=5)
    both.add_argument("--connections", type=int, default=16)
    both.add_argument("--output", default=None)

    args = parser.parse_args(argv)
    if args.command == "run":
        from bench.run import run_all

        run_all(
            args.scale,
            args.backend,
            seed=args.seed,
            duration=args.duration,
            warmup=args.warmup,
            connections=args.connections,
            output=args.output,
        )
    elif args.command == "generate":
        from bench.generate import generate as run

        run(args.database_url, args.scale, seed=args.seed, today=args.today)
    else:
        from bench.load import run

        run(
            args.database_url,
            duration=args.duration,
            warmup=args.warmup,
            connections=args.connections,
            output=args.output,
            only=tuple(args.only.split(",")),
            gunicorn=args.gunicorn.split() if args.gunicorn else None,
        )


if __name__ == "__main__":
    main()
