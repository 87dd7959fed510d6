"""The tables of docs/PERFORMANCE.md, made from the results `python -m bench run`
keeps (bench/results/results.json, one entry per backend and scale; a later
run of the same backend and scale replaces its entry).

    python -m bench report [--results bench/results/results.json] [--update-docs]

With --update-docs the part of docs/PERFORMANCE.md between the markers
`<!-- bench:results -->` and `<!-- /bench:results -->` is replaced."""

from __future__ import annotations

import json
from pathlib import Path
from statistics import median

from bench.load import (
    BOOKINGS_PER_S_TARGET,
    NAMES,
    P95_TARGETS,
    RATIO_TARGETS,
    ROUND_SCENARIOS,
    Result,
    rounds_table,
)

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "results.json"
DOCS = ROOT / "docs" / "PERFORMANCE.md"
BEGIN, END = "<!-- bench:results -->", "<!-- /bench:results -->"
SCALES = ("regional", "province", "national")
BACKENDS = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
DOCUMENT_TARGETS = {"dashboard, first paint": 0.3, "annual report PDF": 10.0}


def load_results(path: Path = RESULTS) -> dict:
    return json.loads(path.read_text()) if path.exists() else {}


def save_entry(entry: dict, path: Path = RESULTS) -> None:
    """Keeps one backend's and scale's results beside the others'."""
    results = load_results(path)
    results[f"{entry['backend']}/{entry['scale']}"] = entry
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=1) + "\n")


def _results(entry: dict) -> list[Result]:
    return [Result(**r) for r in entry["results"]]


def _summary(rows: list[Result]) -> dict | None:
    if not rows:
        return None
    cpu = [r.server_cpu_ms for r in rows if r.server_cpu_ms]
    db = [r.db_cpu_ms for r in rows if r.db_cpu_ms is not None]
    ratios = [r.ratio_to_hello for r in rows if r.ratio_to_hello is not None]
    return {
        "rps": median(r.requests_per_s for r in rows),
        "ratio": median(ratios) if ratios else None,
        "p95": median(r.p95_ms for r in rows),
        "cpu": median(cpu) if cpu else None,
        "db": median(db) if db else None,
        "failed": sum(r.non_2xx + r.socket_errors + r.timeouts for r in rows if r.key != "booking"),
        "cookies": sum(r.set_cookies for r in rows),
    }


def _cell(key: str, s: dict | None) -> str:
    if s is None:
        return ""
    cpu = f"{s['cpu']:.2f}" if s["cpu"] else "?"
    if s["db"] is not None:
        cpu += f" + {s['db']:.2f}"
    head = f"{s['rps']:,.0f}/s" if key in ("hello", "booking") else f"**{s['ratio']:.0%}**"
    extra = f" · {s['failed']} failed" if s["failed"] else ""
    extra += f" · {s['cookies']} set a cookie" if s["cookies"] else ""
    return f"{head} · {s['p95']:.0f} ms · {cpu} ms{extra}"


def _verdict(key: str, backend: str, s: dict | None) -> str:
    if s is None:
        return ""
    checks = []
    if key in RATIO_TARGETS:
        checks.append(s["ratio"] is not None and s["ratio"] >= RATIO_TARGETS[key])
    if (key, backend) in P95_TARGETS:
        checks.append(s["p95"] < P95_TARGETS[(key, backend)])
    if key == "booking" and backend == "postgresql":
        checks.append(s["rps"] >= BOOKINGS_PER_S_TARGET)
    if not checks:
        return ""
    return "met" if all(checks) else "**not met**"


def _target(key: str, backend: str) -> str:
    parts = []
    if key in RATIO_TARGETS:
        parts.append(f">= {RATIO_TARGETS[key]:.0%}")
    if (key, backend) in P95_TARGETS:
        parts.append(f"p95 < {P95_TARGETS[(key, backend)]} ms")
    if key == "booking":
        parts.append(
            f">= {BOOKINGS_PER_S_TARGET}/s, never over capacity"
            if backend == "postgresql"
            else "never over capacity"
        )
    return ", ".join(parts)


def backend_table(results: dict, backend: str) -> str:
    entries = {scale: results.get(f"{backend}/{scale}") for scale in SCALES}
    scales = [scale for scale, entry in entries.items() if entry]
    if not scales:
        return ""
    lines = [
        f"| {BACKENDS[backend]} | target | " + " | ".join(scales) + " | national |",
        "| --- | --- | " + " | ".join("---" for _ in scales) + " | --- |",
    ]
    for key in (*ROUND_SCENARIOS, "booking"):
        per_scale = {
            scale: _summary([r for r in _results(entries[scale]) if r.key == key])
            for scale in scales
        }
        if not any(per_scale.values()):
            continue
        verdict = _verdict(key, backend, per_scale.get("national"))
        lines.append(
            f"| {NAMES[key]} | {_target(key, backend)} | "
            + " | ".join(_cell(key, per_scale[scale]) for scale in scales)
            + f" | {verdict} |"
        )
    for name, target in DOCUMENT_TARGETS.items():
        cells = []
        for scale in scales:
            document = entries[scale].get("documents", {}).get(name)
            cells.append(
                f"{document['median_s']:.2f} s wall · {document['median_cpu_s']:.2f} s CPU"
                if document
                else ""
            )
        national = (entries.get("national") or {}).get("documents", {}).get(name)
        verdict = ("met" if national["median_s"] < target else "**not met**") if national else ""
        lines.append(f"| {name} | < {target:g} s | " + " | ".join(cells) + f" | {verdict} |")
    return "\n".join(lines)


def conditions(results: dict) -> str:
    """When and under what load each column was measured."""
    lines = []
    for _key, entry in sorted(results.items()):
        loads = [r["load_average"] for r in entry["results"]]
        booking = next((r for r in entry["results"] if r["key"] == "booking"), None)
        capacity = (
            next((n for n in booking["notes"] if n.startswith("capacity")), "") if booking else ""
        )
        lines.append(
            f"- {BACKENDS[entry['backend']]}, {entry['scale']}: {entry['when']}, "
            f"{entry['rounds']} rounds of {entry['duration']} s (+{entry['warmup']} s warm-up), "
            f"load average {min(loads):.1f}-{max(loads):.1f}; dataset generated in "
            f"{entry['generated_s']:.0f} s; {capacity}"
        )
    return "\n".join(lines)


def markdown(results: dict) -> str:
    parts = [
        "Each cell: throughput against hello world measured in the same round "
        "(median of the rounds; for hello world and booking, requests per "
        "second) · p95 latency · server CPU per request (gunicorn's master and "
        "workers; on PostgreSQL `+` the database server's processes). The last "
        "column says whether the national figure meets the issue's target.",
        "",
    ]
    for backend in BACKENDS:
        table = backend_table(results, backend)
        if table:
            parts += [table, ""]
    parts += ["Measured:", "", conditions(results), ""]
    for backend in BACKENDS:
        entry = results.get(f"{backend}/national")
        if entry:
            parts += [
                f"National, {BACKENDS[backend]}, every round (medians and ranges):",
                "",
                rounds_table(_results(entry)),
                "",
            ]
    return "\n".join(parts).rstrip() + "\n"


def update_docs(text: str, docs: Path = DOCS, markers: tuple[str, str] = (BEGIN, END)) -> None:
    """Replaces what lies between the two markers of the page with text."""
    begin, end = markers
    page = docs.read_text()
    if begin not in page or end not in page:
        raise SystemExit(f"{docs} has no {begin} ... {end} section")
    head, rest = page.split(begin, 1)
    _, tail = rest.split(end, 1)
    docs.write_text(f"{head}{begin}\n{text}{end}{tail}")


def main(argv=None) -> None:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m bench report")
    parser.add_argument("--results", default=str(RESULTS))
    parser.add_argument("--update-docs", action="store_true")
    args = parser.parse_args(argv)
    text = markdown(load_results(Path(args.results)))
    print(text)
    if args.update_docs:
        update_docs(text)


if __name__ == "__main__":
    main()
