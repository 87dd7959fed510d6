"""Mail dispatch benchmark (issue 4; results in docs/PERFORMANCE.md, "Mail dispatch").

    .venv/bin/python -m bench.mail_dispatch [--mails 10000] [--dispatchers 1 3]
        [--database-url URL] [--output results.json]

For each number of dispatchers: an empty outgoing_mail table gets `--mails`
due mails (bodies of a real booking reminder's size), a local SMTP sink
(aiosmtpd in a process of its own, so it does not share a GIL with anyone)
receives them, and the dispatchers (separate processes, each building the app
as the scheduler does, started together) send until nothing is due. Measured:
wall time from the start signal until the last dispatcher is done, and from
that mails per second. The sink checks that every mail arrived exactly once.

PostgreSQL: a throw-away cluster like the test suite's, unless --database-url
names an empty database. Nothing here is a test; the figures depend on the
machine.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import platform
import socket
import time
from datetime import timedelta

MIN_MAILS_PER_SECOND = 200


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _sink(port: int, ready, stop, results) -> None:
    """An SMTP server that counts what it receives by the row id header."""
    import re

    from aiosmtpd.controller import Controller

    pattern = re.compile(rb"^X-Techniekpoort-Mail-Id: (\d+)\r?$", re.MULTILINE)
    received: list[int] = []

    class Handler:
        async def handle_DATA(self, server, session, envelope):
            received.append(int(pattern.search(envelope.content).group(1)))
            return "250 OK"

    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    ready.set()
    stop.wait()
    controller.stop()
    results.put(received)


def _dispatcher(url: str, smtp_url: str, outbox: str, barrier, results) -> None:
    from app import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SMTP_URL": smtp_url, "OUTBOX_DIR": outbox})
    with app.app_context():
        from app.extensions import db
        from app.notifications.dispatcher import dispatch_all

        db.session.connection()
        db.session.commit()
        barrier.wait()
        started = time.perf_counter()
        result = dispatch_all()
        results.put((len(result.sent), time.perf_counter() - started))
        db.session.remove()
        db.engine.dispose()


def _fill(app, count: int) -> None:
    from sqlalchemy import delete, insert

    from app.extensions import db
    from app.notifications.models import OutgoingMail
    from app.timeutil import utcnow

    # A booking reminder is about 1 kB of text and 3 kB of HTML.
    text = ("Herinnering: morgen is het zover. " * 30)[:1000]
    html = "<p>" + ("Herinnering: morgen is het zover. " * 90)[:3000] + "</p>"
    now = utcnow()
    with app.app_context():
        db.session.execute(delete(OutgoingMail))
        rows = [
            {
                "kind": "booking_reminder",
                "recipient": f"docent{n}@school.test",
                "subject": f"Herinnering: Lassen voor beginners morgen ({n})",
                "text_body": text,
                "html_body": html,
                "attachments": [],
                "headers": {},
                "created_at": now,
                "due_at": now - timedelta(seconds=1),
                "expires_at": now + timedelta(days=1),
                "status": "pending",
                "attempts": 0,
                "last_error": "",
            }
            for n in range(count)
        ]
        for start in range(0, count, 2000):
            db.session.execute(insert(OutgoingMail), rows[start : start + 2000])
        db.session.commit()


def measure(url: str, mails: int, dispatchers: int, outbox: str) -> dict:
    from app import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "OUTBOX_DIR": outbox})
    _fill(app, mails)
    context = multiprocessing.get_context("spawn")
    port = _free_port()
    ready, stop, sink_results = context.Event(), context.Event(), context.Queue()
    sink = context.Process(target=_sink, args=(port, ready, stop, sink_results))
    sink.start()
    ready.wait(30)
    barrier, results = context.Barrier(dispatchers + 1), context.Queue()
    workers = [
        context.Process(
            target=_dispatcher, args=(url, f"smtp://127.0.0.1:{port}", outbox, barrier, results)
        )
        for _ in range(dispatchers)
    ]
    for worker in workers:
        worker.start()
    barrier.wait(120)
    started = time.perf_counter()
    outcomes = [results.get(timeout=600) for _ in workers]
    elapsed = time.perf_counter() - started
    for worker in workers:
        worker.join(30)
    stop.set()
    received = sink_results.get(timeout=60)
    sink.join(30)
    with app.app_context():
        from sqlalchemy import func, select

        from app.extensions import db
        from app.notifications.models import OutgoingMail

        sent_rows = db.session.scalar(select(func.count()).where(OutgoingMail.status == "sent"))
        db.engine.dispose()
    return {
        "dispatchers": dispatchers,
        "mails": mails,
        "seconds": round(elapsed, 2),
        "mails_per_second": round(mails / elapsed, 1),
        "per_dispatcher": [{"sent": sent, "seconds": round(s, 2)} for sent, s in outcomes],
        "arrived": len(received),
        "arrived_once": len(set(received)) == len(received) == mails,
        "rows_sent": sent_rows,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.mail_dispatch")
    parser.add_argument("--mails", type=int, default=10_000)
    parser.add_argument("--dispatchers", type=int, nargs="+", default=[1, 3])
    parser.add_argument("--database-url", default=None, help="an empty PostgreSQL database")
    parser.add_argument("--output", default=None, help="also write the results as JSON here")
    args = parser.parse_args(argv)

    import tempfile

    os.environ.setdefault("TECHNIEKPOORT_SECRET_KEY", "bench-secret-key")
    outbox = tempfile.mkdtemp(prefix="tp-bench-outbox-")
    cluster = None
    url = args.database_url
    if url is None:
        from tests.postgres import ThrowAwayCluster, create_database

        cluster = ThrowAwayCluster()
        url = create_database(cluster.start(), "bench_mail")
    try:
        from app import create_app
        from app.extensions import db

        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "OUTBOX_DIR": outbox})
        with app.app_context():
            db.create_all()
            db.engine.dispose()
        results = []
        for count in args.dispatchers:
            result = measure(url, args.mails, count, outbox)
            results.append(result)
            verdict = ""
            if count == 1:
                met = result["mails_per_second"] >= MIN_MAILS_PER_SECOND
                verdict = f" (target {MIN_MAILS_PER_SECOND}: {'met' if met else 'MISSED'})"
            print(
                f"{count} dispatcher(s): {result['mails']} mails in {result['seconds']} s = "
                f"{result['mails_per_second']} mails/s{verdict}; arrived once each: "
                f"{result['arrived_once']}; per dispatcher: {result['per_dispatcher']}"
            )
        report = {
            "machine": {
                "cpus": os.cpu_count(),
                "python": platform.python_version(),
                "load_average": os.getloadavg(),
            },
            "database": url.split("://")[0],
            "results": results,
        }
        if args.output:
            with open(args.output, "w") as file:
                json.dump(report, file, indent=2)
    finally:
        if cluster is not None:
            cluster.stop()


if __name__ == "__main__":
    main()
