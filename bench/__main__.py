"""python -m bench run|generate|load|profile|explain|scale|report ... (see docs/PERFORMANCE.md)."""

from __future__ import annotations

import argparse
from datetime import date

from bench.generate import SCALES
from bench.load import ROUND_SCENARIOS, SCENARIOS, add_arguments


def _list(value: str) -> list[str]:
    return [part for part in value.split(",") if part]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench")
    commands = parser.add_subparsers(dest="command", required=True)

    generate = commands.add_parser("generate", help="fill an empty database with a seeded dataset")
    generate.add_argument("--scale", choices=tuple(SCALES), default="regional")
    generate.add_argument("--database-url", required=True)
    generate.add_argument("--seed", type=int, default=2026)
    generate.add_argument(
        "--today",
        type=date.fromisoformat,
        default=None,
        help="the date the school year is laid around (default: today)",
    )

    load = commands.add_parser("load", help="alternating rounds with hello world, then booking")
    add_arguments(load)

    both = commands.add_parser(
        "run", help="per backend and scale: generate into a throw-away database, measure"
    )
    both.add_argument(
        "--scale",
        type=_list,
        default=["regional", "province", "national"],
        help="comma-separated: " + ",".join(SCALES),
    )
    both.add_argument(
        "--backend",
        type=_list,
        default=["sqlite", "postgresql"],
        help="comma-separated: sqlite,postgresql",
    )
    both.add_argument("--seed", type=int, default=2026)
    both.add_argument("--rounds", type=int, default=3)
    both.add_argument("--duration", type=int, default=10)
    both.add_argument("--warmup", type=int, default=3)
    both.add_argument("--connections", type=int, default=16)
    both.add_argument(
        "--only",
        type=_list,
        default=[*ROUND_SCENARIOS, "booking"],
        help="comma-separated: " + ",".join(SCENARIOS),
    )
    both.add_argument(
        "--no-documents", action="store_true", help="leave out the dashboard and annual report"
    )
    both.add_argument(
        "--keep-datasets",
        action="store_true",
        help="keep SQLite datasets in bench/results/datasets and reuse them that day",
    )
    both.add_argument(
        "--update-docs", action="store_true", help="write the tables into docs/PERFORMANCE.md"
    )

    profile = commands.add_parser("profile", help="in-process profiles of the scenarios")
    profile.add_argument("--database-url", required=True)
    profile.add_argument(
        "--only",
        type=_list,
        default=[k for k in ROUND_SCENARIOS if k not in ("hello", "catalogue")],
    )
    profile.add_argument("--requests", type=int, default=200)
    profile.add_argument("--output", default=None, help="a folder for the full profiles")

    explain = commands.add_parser(
        "explain", help="EXPLAIN ANALYZE of the hot pages' queries on PostgreSQL"
    )
    explain.add_argument("--database-url", help="a filled database (else a throw-away one)")
    explain.add_argument("--backend", choices=("postgresql", "postgres"), default="postgresql")
    explain.add_argument("--scale", choices=tuple(SCALES), default="national")
    explain.add_argument("--seed", type=int, default=2026)
    explain.add_argument(
        "--min-ms", type=float, default=1.0, help="print the plans of statements slower than this"
    )

    scale = commands.add_parser(
        "scale", help="the multi-node test at a large size; throughput per app server count"
    )
    scale.add_argument("--scale", choices=tuple(SCALES), default="regional")
    scale.add_argument("--nodes", type=_list, default=["1", "2", "3"])
    scale.add_argument("--users", type=int, default=24)
    scale.add_argument("--seconds", type=float, default=30)
    scale.add_argument("--update-docs", action="store_true")

    report = commands.add_parser("report", help="the tables from the kept results")
    report.add_argument("--update-docs", action="store_true")

    args = parser.parse_args(argv)
    if args.command == "run":
        from bench.run import run_all

        unknown = set(args.scale) - set(SCALES) or set(args.backend) - {"sqlite", "postgresql"}
        if unknown:
            parser.error(f"unknown: {', '.join(sorted(unknown))}")
        run_all(
            args.scale,
            args.backend,
            seed=args.seed,
            count=args.rounds,
            duration=args.duration,
            warmup=args.warmup,
            connections=args.connections,
            docs=args.update_docs,
            documents=not args.no_documents,
            only=tuple(args.only),
            keep_datasets=args.keep_datasets,
        )
    elif args.command == "generate":
        from bench.generate import generate as run

        run(args.database_url, args.scale, seed=args.seed, today=args.today)
    elif args.command == "load":
        from bench.load import rounds

        rounds(
            args.database_url,
            args.rounds,
            tuple(args.only.split(",")),
            args.duration,
            args.warmup,
            args.connections,
            args.output,
            args.gunicorn.split() if args.gunicorn else None,
        )
    elif args.command == "profile":
        from bench.profile import profile_all

        profile_all(args.database_url, args.only, args.requests, args.output)
    elif args.command == "scale":
        from bench.scale_out import scale_out

        scale_out(
            args.scale,
            [int(n) for n in args.nodes],
            users=args.users,
            seconds=args.seconds,
            docs=args.update_docs,
        )
    elif args.command == "explain":
        from bench.explain import explain as run_explain
        from bench.explain import explain_throwaway

        if args.database_url:
            run_explain(args.database_url, min_ms=args.min_ms)
        else:
            explain_throwaway(args.scale, seed=args.seed, min_ms=args.min_ms)
    else:
        from bench.report import main as report_main

        report_main(["--update-docs"] if args.update_docs else [])


if __name__ == "__main__":
    main()
