"""Documents and dashboard benchmark (issue 7; results in docs/PERFORMANCE.md,
"Documents and dashboard").

    .venv/bin/python -m bench.insights --scale regional [--database-url URL] [--rounds 5]
    .venv/bin/python -m bench.insights --scale national --database-url sqlite:////tmp/n.db

Uses a dataset of bench/generate.py (made into a temporary SQLite file when no
--database-url is given, or when the database named is empty), then adds
evaluations to the completed bookings that have none, deterministically (the
generator makes none): 75% of them from the school, with a head count a little
below the booked size, 60% from the company, some with a remark.

Then, in this process, through the Flask test client signed in as
coordinator@bench.test (no HTTP server: the figures are the application's
own time, from request to bytes):
- once, the rebuild of the reach facts (`flask insights rebuild`);
- the booking confirmation PDF of a completed booking (target < 0.5 s);
- the regional annual report PDF of the current school year (target < 10 s
  at regional scale);
- the dashboard, first paint: the full page of the current school year
  without filters, the first request and the following ones (target < 1 s at
  national scale); a filtered htmx request; the coverage and still-to-come
  panels that the page loads after its first paint (app/insights/cache.py);
  and the dashboard again once those panels are kept.

Nothing here is a test: the figures depend on the machine and its load.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import func, select

from bench.clocks import ServerClock

ROOT = Path(__file__).resolve().parents[1]
REMARKS = ("Veel zelf gedaan.", "Goede uitleg.", "Graag meer tijd.", "", "", "")


def add_evaluations(app, seed: int = 7, echo=print) -> int:
    """Evaluations for the completed bookings without one, in chunks (Core)."""
    from app.bookings.models import Booking
    from app.evaluations.models import Evaluation
    from app.extensions import db
    from app.timeutil import utcnow

    with app.app_context():
        if db.session.scalar(select(func.count()).select_from(Evaluation)):
            return 0
        rng = random.Random(seed)
        rows = db.session.execute(
            select(Booking.id, Booking.group_size)
            .where(Booking.status == "completed")
            .order_by(Booking.id)
        ).all()
        now = utcnow()
        batch, made = [], 0
        for booking_id, size in rows:
            if rng.random() < 0.75:
                batch.append(
                    {
                        "booking_id": booking_id,
                        "side": "school",
                        "students_attended": max(0, size - rng.choice((0, 0, 1, 2))),
                        "rating": rng.choice((3, 4, 4, 5, 2)),
                        "went_well": rng.choice(REMARKS),
                        "could_be_better": rng.choice(REMARKS),
                        "submitted_at": now,
                    }
                )
            if rng.random() < 0.6:
                batch.append(
                    {
                        "booking_id": booking_id,
                        "side": "company",
                        "students_attended": None,
                        "rating": rng.choice((3, 4, 5, 4)),
                        "went_well": rng.choice(REMARKS),
                        "could_be_better": "",
                        "submitted_at": now,
                    }
                )
            if len(batch) >= 10_000:
                db.session.execute(Evaluation.__table__.insert(), batch)
                made += len(batch)
                batch = []
        if batch:
            db.session.execute(Evaluation.__table__.insert(), batch)
            made += len(batch)
        db.session.commit()
        if db.engine.dialect.name == "sqlite":
            db.session.execute(db.text("ANALYZE"))
        else:
            db.session.execute(db.text("ANALYZE evaluation"))
        db.session.commit()
    echo(f"  evaluations added: {made:,}")
    return made


def ensure_fact_schema(app, echo=print) -> None:
    """Makes the tables the migrations do not have yet (a model newer than the
    last revision), and makes reach_fact again when its columns differ from
    the model's: its rows are derived, so dropping it loses nothing that
    `ensure_facts` does not write again."""
    from sqlalchemy import inspect

    from app.extensions import db
    from app.insights.models import ReachFact

    with app.app_context():
        table = ReachFact.__table__
        found = {c["name"] for c in inspect(db.engine).get_columns(table.name)}
        if found and found != {c.name for c in table.columns}:
            echo("  reach_fact differs from the model: made again")
            table.drop(db.engine)
        db.create_all()


def ensure_facts(app, echo=print) -> None:
    """The generator writes bookings without events, so the reach facts are
    written once here, as `flask insights rebuild` does (and timed)."""
    from app.extensions import db
    from app.insights.facts import rebuild
    from app.insights.models import ReachFact

    with app.app_context():
        if db.session.scalar(select(func.count()).select_from(ReachFact)):
            return
        start = time.perf_counter()
        count = rebuild()
        db.session.commit()
        db.session.execute(db.text("ANALYZE"))
        db.session.commit()
    echo(f"  reach facts rebuilt: {count:,} in {time.perf_counter() - start:.1f} s")


def timed(client, path: str, headers=None, server: ServerClock | None = None):
    """Wall time, CPU time (and the database server's, for PostgreSQL) of one
    request. SQLite runs in this process, so the CPU time includes the
    database's work: on a busy machine it is the steadier figure of what a
    request costs."""
    before = server.seconds() if server else None
    start, cpu = time.perf_counter(), time.process_time()
    response = client.get(path, headers=headers or {})
    elapsed, used = time.perf_counter() - start, time.process_time() - cpu
    after = server.seconds() if server else None
    server_used = None if before is None or after is None else after - before
    return elapsed, used, server_used, response.status_code, len(response.get_data())


def measure(app, rounds: int, echo=print) -> dict:
    from app.bookings.models import Booking
    from app.extensions import db
    from app.insights.filters import SchoolYear

    client = app.test_client()
    answer = client.post("/login", data={"email": "coordinator@bench.test", "password": "techniek"})
    assert answer.status_code == 302, "sign-in of coordinator@bench.test failed"
    with app.app_context():
        booking_id = db.session.scalar(
            select(Booking.id).where(Booking.status == "completed").order_by(Booking.id).limit(1)
        )
    school_year = SchoolYear.current().start
    results: dict[str, dict] = {}

    server = ServerClock(app.config["SQLALCHEMY_DATABASE_URI"])

    def run(name: str, path: str, times: int, headers=None):
        samples, cpu, server_cpu = [], [], []
        for _ in range(times):
            elapsed, used, server_used, status, size = timed(client, path, headers, server)
            assert status == 200, (path, status)
            samples.append(elapsed)
            cpu.append(used)
            if server_used is not None:
                server_cpu.append(server_used)
        results[name] = {
            "path": path,
            "rounds": times,
            "first_s": round(samples[0], 3),
            "median_s": round(statistics.median(samples), 3),
            "max_s": round(max(samples), 3),
            "median_cpu_s": round(statistics.median(cpu), 3),
            "bytes": size,
        }
        line = (
            f"  {name:<34} first {samples[0]:7.3f} s   median {statistics.median(samples):7.3f} s"
            f"   max {max(samples):7.3f} s   CPU median {statistics.median(cpu):7.3f} s"
        )
        if server_cpu:
            results[name]["median_server_cpu_s"] = round(statistics.median(server_cpu), 3)
            line += f"   DB server CPU median {statistics.median(server_cpu):7.3f} s"
        echo(f"{line}   ({times} rounds, {size:,} bytes)")

    # Without a version row for the year nothing is kept (app/insights/cache.py):
    # the generator raises no events, and an earlier run's row goes here, so
    # that these are the cold answers, every round.
    from app.insights import cache
    from app.insights.models import FiguresVersion

    with app.app_context():
        db.session.execute(
            FiguresVersion.__table__.delete().where(FiguresVersion.school_year == school_year)
        )
        db.session.commit()
    run("dashboard, first paint", f"/insights?school_year={school_year}", rounds)
    run(
        "dashboard, htmx filter",
        f"/insights?school_year={school_year}&profile=PIE&kind=workshop",
        rounds,
        {"HX-Request": "true"},
    )
    htmx = {"HX-Request": "true"}
    run(
        "coverage panel (after the paint)",
        f"/insights/panels/coverage?school_year={school_year}",
        rounds,
        htmx,
    )
    run(
        "still-to-come panel (after it)",
        f"/insights/panels/planned?school_year={school_year}",
        rounds,
        htmx,
    )
    # As after any booking: the year has a version, the panels are kept once
    # loaded, and the next dashboards show them at once.
    with app.app_context():
        cache.figures_changed([school_year])
        db.session.commit()
    for name in ("coverage", "planned"):
        client.get(f"/insights/panels/{name}?school_year={school_year}", headers=htmx)
    run("dashboard, panels kept", f"/insights?school_year={school_year}", rounds)
    run("confirmation PDF", f"/bookings/{booking_id}/confirmation.pdf", max(rounds, 5))
    run("annual report PDF", f"/insights/report.pdf?school_year={school_year}", max(1, rounds // 2))
    return results


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.insights")
    parser.add_argument("--scale", choices=("national", "regional", "small"), default="regional")
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--output", default=None)
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))

    from app import create_app
    from app.accounts.models import Organisation
    from app.extensions import db
    from bench.generate import generate

    url = args.database_url or f"sqlite:///{tempfile.mkdtemp(prefix='tp-insights-')}/bench.db"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SMTP_URL": "", "WTF_CSRF_ENABLED": False})
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
        empty = not db.session.scalar(select(func.count()).select_from(Organisation))
        db.session.remove()
    if empty:
        generate(url, args.scale)
    ensure_fact_schema(app)
    add_evaluations(app)
    ensure_facts(app)
    print(f"Measuring ({args.scale}, {url.split(':')[0]})")
    results = measure(app, args.rounds)
    if args.output:
        Path(args.output).write_text(
            json.dumps({"scale": args.scale, "results": results}, indent=2)
        )


if __name__ == "__main__":
    main()
