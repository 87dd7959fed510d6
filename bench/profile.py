"""Where a scenario's time goes: its requests (bench/workload.py) sent through
Flask's test client in this process, under cProfile.

    python -m bench profile --database-url sqlite:////tmp/national.db [--only activity]

Per scenario it prints the CPU time per request (on SQLite it includes the
database's work, which runs in this process), the SQL statements per request
and the time spent in them, the share of rendering templates, and the
functions with the most own time and the most time below them. With --output
the whole profiles are written there (pstats files, for snakeviz or pstats).
"""

from __future__ import annotations

import cProfile
import io
import pstats
import tempfile
import time
from pathlib import Path

from bench.workload import SECRET_KEY, prepare

# Warm-up requests before profiling: the first ones compile templates and
# statements, which a running server has done long before.
WARMUP = 20


def _lines(path: Path) -> list[tuple[str, str, str, dict]]:
    found = []
    for line in path.read_text().splitlines():
        method, target, body, *headers = line.split("\t")
        found.append((method, target, body, dict(h.split(": ", 1) for h in headers)))
    return found


class SqlClock:
    """Statements and time spent in them, through the app's engine."""

    def __init__(self, engine):
        from sqlalchemy import event

        self.count, self.seconds, self._started = 0, 0.0, {}
        event.listen(engine, "before_cursor_execute", self._before)
        event.listen(engine, "after_cursor_execute", self._after)

    def _before(self, conn, cursor, statement, parameters, context, executemany):
        self._started[id(cursor)] = time.perf_counter()

    def _after(self, conn, cursor, statement, parameters, context, executemany):
        self.count += 1
        self.seconds += time.perf_counter() - self._started.pop(id(cursor), time.perf_counter())


def profile_all(
    database_url: str, scenarios: list[str], requests: int, output: str | None = None, echo=print
) -> dict:
    from app import create_app
    from app.extensions import db

    work = Path(tempfile.mkdtemp(prefix="tp-profile-"))
    workload = prepare(database_url, work, scenarios, echo=echo)
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "RATELIMIT_ENABLED": False,
            "SECRET_KEY": SECRET_KEY,
        }
    )
    client = app.test_client(use_cookies=False)
    summaries = {}
    with app.app_context():
        clock = SqlClock(db.engine)
    for key in scenarios:
        lines = _lines(workload.file(key))
        for method, target, body, headers in lines[-WARMUP:]:
            client.open(target, method=method, data=body or None, headers=headers)
        clock.count, clock.seconds = 0, 0.0
        profiler = cProfile.Profile()
        statuses: dict[int, int] = {}
        cpu, wall = time.process_time(), time.perf_counter()
        profiler.enable()
        for method, target, body, headers in lines[:requests]:
            status = client.open(
                target, method=method, data=body or None, headers=headers
            ).status_code
            statuses[status] = statuses.get(status, 0) + 1
        profiler.disable()
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        n = min(requests, len(lines))
        stats = pstats.Stats(profiler)
        shares = _shares(stats)
        summaries[key] = {
            "requests": n,
            "statuses": statuses,
            "cpu_ms": cpu * 1000 / n,
            "sql_per_request": clock.count / n,
            "sql_ms": clock.seconds * 1000 / n,
            "shares": shares,
        }
        echo(
            f"\n== {key}: {n} requests {statuses}; under cProfile {cpu * 1000 / n:.1f} ms CPU "
            f"({wall * 1000 / n:.1f} ms wall) per request, {clock.count / n:.1f} SQL statements "
            f"taking {clock.seconds * 1000 / n:.1f} ms"
        )
        echo("   own time: " + ", ".join(f"{name} {share:.0%}" for name, share in shares.items()))
        echo(_top(stats, "tottime", 18))
        echo(_top(stats, "cumulative", 30, only_app=True))
        if output:
            Path(output).mkdir(parents=True, exist_ok=True)
            stats.dump_stats(str(Path(output) / f"{key}.pstats"))
    return summaries


# Where a function's own time is counted, by the file it is in (first match).
CATEGORIES = (
    ("templates", ("/app/templates/", "/jinja2/", "/jinja2_fragments/", "/markupsafe/")),
    ("dates and translations", ("/babel/", "/flask_babel/", "/pytz/", "zoneinfo")),
    ("database driver", ("sqlite3", "psycopg", "Cursor", "Connection")),
    ("SQLAlchemy", ("/sqlalchemy/", "/flask_sqlalchemy/")),
    (
        "Flask, Werkzeug, extensions",
        (
            "/flask/",
            "/werkzeug/",
            "/flask_login/",
            "/flask_wtf/",
            "/itsdangerous/",
            "/flask_limiter/",
            "/limits/",
        ),
    ),
    ("pydantic", ("/pydantic", "pydantic_core")),
    ("the app's Python", ("/app/",)),
)


def _shares(stats: pstats.Stats) -> dict[str, float]:
    """The profile's own time (tottime, which adds up, unlike the cumulative
    time of Jinja's generators) by where it is spent."""
    totals: dict[str, float] = {name: 0.0 for name, _ in CATEGORIES}
    totals["other"] = 0.0
    for (filename, _, name), (_, _, tottime, _, _) in stats.stats.items():
        where = f"{filename} {name}"
        category = next((c for c, marks in CATEGORIES if any(m in where for m in marks)), "other")
        totals[category] += tottime
    whole = sum(totals.values()) or 1.0
    return {
        name: value / whole
        for name, value in sorted(totals.items(), key=lambda i: -i[1])
        if value / whole >= 0.01
    }


def _top(stats: pstats.Stats, order: str, count: int, only_app: bool = False) -> str:
    buffer = io.StringIO()
    stats.stream = buffer
    stats.sort_stats(order)
    if only_app:
        stats.print_stats(r"/app/", count)
    else:
        stats.print_stats(count)
    text = buffer.getvalue()
    start = text.find("   ncalls")
    return text[start:] if start >= 0 else text
