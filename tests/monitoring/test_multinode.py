"""The multi-node test (issue 17): two gunicorn app servers and two schedulers
on one throw-away PostgreSQL database behind Debian's nginx, as deploy/Procfile
and deploy/nginx.conf lay them out, under a mixed load of virtual users
(bench/multinode.py) for a bounded time; partway through, one app server and
one scheduler get SIGKILL and are started again. Afterwards: no slot over
capacity and `taken` the sum of its holding bookings; every due mail sent and
received by a real SMTP server exactly once; every school's feed the same from
both servers and consistent with the database; a booking or cancellation
through one server on the next catalogue page from the other; no 5xx apart
from the requests in flight at the kill and the POSTs nginx sent just after it
over connections it had kept open to the killed server, which are counted.

The same run at a large size is `python -m bench scale` (docs/PERFORMANCE.md)."""

from __future__ import annotations

import os

import pytest

from bench.generate import generate
from bench.multinode import Layout, cast, describe, drive, verify
from tests.mail import SmtpServer
from tests.postgres import create_database

pytestmark = [
    pytest.mark.commits,
    pytest.mark.filterwarnings("ignore:'get_engine' is deprecated:DeprecationWarning"),
]

USERS = 6
SECONDS = 8
KILL_AT = 3


def test_two_servers_and_two_schedulers_survive_a_kill_under_mixed_load(postgres_server, tmp_path):
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    url = create_database(postgres_server, f"tp_multinode_{worker}")
    generate(url, "small", echo=lambda *_: None)
    people = cast(url, schools=6, companies=12)
    smtp = SmtpServer().start()
    settings = {
        # Mail goes out within a second, and what a killed scheduler had
        # claimed is the other's after five: the test waits for both.
        "TECHNIEKPOORT_MAIL_DISPATCH_SECONDS": "1",
        "TECHNIEKPOORT_MAIL_LEASE_SECONDS": "5",
    }
    try:
        with Layout(url, tmp_path / "layout", smtp_url=smtp.url, settings=settings) as layout:
            load, kill, seconds = drive(
                layout, people, users=USERS, seconds=SECONDS, kill_at=KILL_AT
            )
            report = verify(load, kill, seconds, layout, people, url, lambda: smtp.sink.ids())
    finally:
        smtp.stop()
    summary = describe(report)
    assert not report.problems(), summary
    # The load did what it says: every kind of request, bookings confirmed
    # and cancelled, mail sent, the cross-node check done both ways.
    assert set(report.per_kind) >= {
        "catalogue",
        "activity",
        "my-bookings",
        "incoming",
        "dashboard",
        "feed",
        "book",
        "cancel",
        "confirm",
        "checker",
    }, summary
    assert report.cross_node.get("consistent", 0) >= 2, summary
    assert report.mails_sent > 0 and report.feeds_checked == len(people.teachers), summary
    assert kill is not None and report.in_flight_at_kill >= 1, summary
