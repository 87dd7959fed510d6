"""`python -m bench explain`: the query plans of the hot pages, as PostgreSQL
runs them (EXPLAIN ANALYZE), so that a change to their queries or indexes can
be judged on the national dataset.

    python -m bench explain --database-url postgresql+psycopg://...   # a dataset made before
    python -m bench explain --backend postgresql --scale national      # a throw-away one

The pages are requested in this process through Flask's test client, as the
people who use them (a teacher, a company contact, a coordinator, each with
a session made by the app's own sign-in, bench/workload.py): once to fill
what each process keeps, then with the cached pages forgotten. Every
SELECT they send is caught at the cursor, with its parameters, and explained
afterwards with the same parameters: what is printed is whatever the pages
run today, never a copy of their queries that could drift from them.
Statements that take under --min-ms are listed on one line; a sequential
scan of a large table is marked, as that is what an index is for.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import event
from sqlalchemy.engine import Engine

# Tables with at most this many rows are read whole without a remark: an
# index would not beat that.
SMALL_TABLE_ROWS = 5_000
_SEQ_SCAN = re.compile(r"Seq Scan on (\w+)")
_EXECUTION = re.compile(r"Execution Time: ([\d.]+) ms")


@dataclass
class Page:
    name: str
    path: str
    cookie: str
    statements: list[tuple[str, object]] = field(default_factory=list)


def _people(app):
    """Who requests each page: the same kind of person as bench/workload.py
    measures (a school with about 600 bookings, a company with about 200
    incoming), and the activity with the most dates."""
    from sqlalchemy import func, select

    from app.accounts.models import User
    from app.catalogue.models import Activity, Slot
    from app.extensions import db
    from bench.workload import (
        COMPANY_INCOMING,
        SCHOOL_BOOKINGS,
        _closest,
        _company_incoming_counts,
        _contacts,
        _school_booking_counts,
        _teachers,
    )

    school_ids, _ = _closest(_school_booking_counts(), SCHOOL_BOOKINGS)
    teacher, school = _teachers(school_ids=school_ids[:1])[0]
    company_ids, _ = _closest(_company_incoming_counts(), COMPANY_INCOMING)
    contact = _contacts(company_ids[:1])[0]
    coordinator = db.session.scalar(select(User).where(User.email == "coordinator@bench.test"))
    activity_id = db.session.scalar(
        select(Slot.activity_id)
        .join(Activity, Activity.id == Slot.activity_id)
        .where(Activity.status == "published")
        .group_by(Slot.activity_id)
        .order_by(func.count().desc(), Slot.activity_id)
        .limit(1)
    )
    return teacher, school, contact, coordinator, activity_id


def pages(app) -> list[Page]:
    from app.timeutil import utcnow
    from bench.workload import session_cookie

    teacher, school, contact, coordinator, activity_id = _people(app)
    as_teacher = session_cookie(app, teacher)
    as_contact = session_cookie(app, contact)
    as_coordinator = session_cookie(app, coordinator) if coordinator else None
    start = (utcnow() + timedelta(days=14)).date()
    found = [
        Page("catalogue, no filters", "/catalogue", as_teacher),
        Page(
            "catalogue, kind + profile + year + free places",
            "/catalogue?kind=workshop&profile=PIE&year=3&free=1",
            as_teacher,
        ),
        Page(
            "catalogue, a fortnight, sorted by distance from the school",
            f"/catalogue?school={school.id}&sort=distance&max_km=25"
            f"&date_from={start}&date_to={start + timedelta(days=14)}",
            as_teacher,
        ),
        Page("catalogue, a word", "/catalogue?q=robot", as_teacher),
        Page("activity page", f"/activities/{activity_id}", as_teacher),
        Page("Mijn boekingen (a school with ~600 bookings)", "/bookings", as_teacher),
        Page("incoming bookings (a company with ~200)", "/company/bookings", as_contact),
    ]
    if as_coordinator:
        found += [
            Page("dashboard", "/insights", as_coordinator),
            Page("dashboard, coverage panel", "/insights/panels/coverage", as_coordinator),
            Page("dashboard, groups still to come", "/insights/panels/planned", as_coordinator),
        ]
    return found


def _table_rows(connection) -> dict[str, int]:
    rows = connection.exec_driver_sql(
        "SELECT relname, reltuples::bigint FROM pg_class WHERE relkind = 'r'"
    ).all()
    return {name: count for name, count in rows}


def explain(database_url: str, *, min_ms: float = 1.0, echo=print) -> list[dict]:
    """Requests every page, explains what each sent; returns one dict per
    statement (page, sql, plan, ms, seq_scans of large tables)."""
    from app import create_app
    from app.extensions import cache, db
    from bench.workload import USER_AGENT

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "SECRET_KEY": "bench-explain",
            "SMTP_URL": "",
            "RATELIMIT_ENABLED": False,
        }
    )
    results: list[dict] = []
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            raise SystemExit("bench explain reads PostgreSQL's plans: give a PostgreSQL URL.")
        found = pages(app)
        db.session.commit()
        db.session.remove()
    # The requests run outside that app context: inside it, every request
    # would share its `g`, and with it Flask-Login's user of the one before.
    current: list[Page] = []

    def catch(conn, cursor, statement, parameters, context, executemany):
        if current and not executemany and statement.lstrip().upper().startswith("SELECT"):
            current[0].statements.append((statement, parameters))

    event.listen(Engine, "before_cursor_execute", catch)
    try:
        client = app.test_client(use_cookies=False)
        for page in found:
            current[:] = [page]
            # Once to fill what every process keeps (the offer index of
            # decision 0016, the version rows' statements), then, with the
            # cached pages and panels forgotten, once to catch the page's
            # own queries.
            headers = {"Cookie": page.cookie, "User-Agent": USER_AGENT}
            client.get(page.path, headers=headers)
            with app.app_context():
                cache.clear()
            page.statements.clear()
            response = client.get(page.path, headers=headers)
            current.clear()
            if response.status_code != 200:
                raise SystemExit(f"{page.path} answered {response.status_code}")
    finally:
        event.remove(Engine, "before_cursor_execute", catch)
        current.clear()

    with app.app_context():
        with db.engine.connect() as connection:
            sizes = _table_rows(connection)
            raw = connection.connection.driver_connection
            for page in found:
                echo(f"\n## {page.name}: GET {page.path}")
                echo(f"{len(page.statements)} statements")
                for statement, parameters in page.statements:
                    with raw.cursor() as cursor:
                        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters)
                        plan = "\n".join(row[0] for row in cursor.fetchall())
                    raw.rollback()
                    ms = float(_EXECUTION.search(plan).group(1))
                    scans = sorted(
                        {
                            table
                            for table in _SEQ_SCAN.findall(plan)
                            if sizes.get(table, 0) > SMALL_TABLE_ROWS
                        }
                    )
                    results.append(
                        {
                            "page": page.name,
                            "sql": statement,
                            "plan": plan,
                            "ms": ms,
                            "seq_scans": scans,
                        }
                    )
                    flag = f"  SEQ SCAN of {', '.join(scans)}" if scans else ""
                    first = " ".join(statement.split())[:110]
                    if ms < min_ms and not scans:
                        echo(f"- {ms:7.2f} ms  {first}")
                        continue
                    echo(f"\n- {ms:7.2f} ms{flag}\n\n```sql\n{statement.strip()}\n```\n")
                    echo("```\n" + plan + "\n```")
        db.engine.dispose()
    return results


def explain_throwaway(scale: str, *, seed: int = 2026, min_ms: float = 1.0, echo=print):
    """A throw-away PostgreSQL cluster with a fresh dataset, explained, then removed."""
    from bench.generate import generate
    from tests.postgres import ThrowAwayCluster, create_database

    cluster = ThrowAwayCluster()
    try:
        url = create_database(cluster.start(), f"explain_{scale}")
        generate(url, scale, seed=seed, echo=echo)
        return explain(url, min_ms=min_ms, echo=echo)
    finally:
        cluster.stop()
