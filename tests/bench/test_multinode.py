"""The checks of the multi-node test (bench/multinode.py) catch what they
look for: a 5xx outside the kill, a slot whose `taken` is not what its
bookings hold, a mail received twice or never, a stale catalogue page; and the
layout's nginx site has one upstream line per app server."""

from __future__ import annotations

import os

import psycopg
import pytest

from bench.generate import generate
from bench.multinode import (
    Answer,
    Kill,
    Load,
    Report,
    check_database,
    check_mail,
    free_places,
    nginx_conf,
    procfile,
    summarize,
)
from tests.postgres import create_database

pytestmark = pytest.mark.filterwarnings("ignore:'get_engine' is deprecated:DeprecationWarning")


class _Recorded(Load):
    def __init__(self, answers):
        self.answers = answers
        self.cross_node = {}
        self.cross_node_failures = []


def test_only_the_requests_in_flight_at_the_kill_may_fail():
    kill = Kill(at=10.0)
    report = summarize(
        _Recorded(
            [
                Answer("book", "POST", 9.5, 10.2, 502),  # in flight: counted, allowed
                Answer("catalogue", "GET", 9.9, 10.4, 200),  # in flight, answered
                Answer("book", "POST", 10.3, 10.4, 502),  # a kept-alive connection: counted
                Answer("book", "POST", 11.2, 11.3, 502),  # after the kill: a problem
                Answer("feed", "GET", 3.0, 3.1, 0),  # no answer at all: a problem
                Answer("checker", "POST", 10.5, 10.6, 0),  # to the dead server directly
            ]
        ),
        kill,
        20.0,
    )
    assert (report.in_flight_at_kill, report.in_flight_failed) == (2, 1)
    assert report.failed_just_after_kill == 1
    assert len(report.failures_outside_kill) == 2
    assert "+1.20 s from the kill" in report.failures_outside_kill[0]
    assert report.problems() == report.failures_outside_kill


def test_free_places_are_read_from_the_catalogue_card_of_the_slot():
    html = (
        '<li class="result" data-slot="7"><p class="facts"><span>Workshop</span>'
        '<span class="free-places">12 vrije plaatsen</span>\n</p></li>'
        '<li class="result" data-slot="8"><p class="facts">'
        '<span class="free-places"><span class="badge badge-full">Vol</span></span></p></li>'
    )
    assert free_places(html, 7) == 12
    assert free_places(html, 8) == 0
    assert free_places(html, 9) is None


def test_the_site_file_has_an_upstream_line_per_app_server(tmp_path):
    conf = nginx_conf([8001, 8002, 8003], 8000, tmp_path)
    assert [line.split()[1] for line in conf.splitlines() if "max_fails" in line] == [
        "127.0.0.1:8001",
        "127.0.0.1:8002",
        "127.0.0.1:8003",
    ]
    assert "listen 127.0.0.1:8000;" in conf and "${" not in conf
    assert {"web1", "scheduler1", "scheduler2", "proxy"} <= set(procfile())


@pytest.mark.commits
def test_the_database_and_mail_checks_find_what_is_wrong(postgres_server):
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    url = create_database(postgres_server, f"tp_multinode_checks_{worker}")
    generate(url, "small", echo=lambda *_: None)
    empty = Report(seconds=1, requests=0, per_second=0, statuses={}, per_kind={})
    check_database(empty, url)
    assert not empty.over_capacity and not empty.taken_mismatch

    plain = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(plain) as connection:
        # The schema refuses a slot over capacity (a check constraint), so
        # only a `taken` that disagrees with the bookings can be made here.
        slot_id, taken = connection.execute(
            "SELECT id, taken FROM slot WHERE taken > 0 ORDER BY id LIMIT 1"
        ).fetchone()
        connection.execute("UPDATE slot SET taken = taken - 1 WHERE id = %s", (slot_id,))
        ids = [
            connection.execute(
                "INSERT INTO outgoing_mail (kind, recipient, subject, text_body, html_body, "
                "attachments, headers, last_error, status, due_at, attempts, created_at) "
                "VALUES ('test', 'a@b.test', 's', 't', 'h', '[]', '{}', '', %s, "
                "now() AT TIME ZONE 'utc', 0, now() AT TIME ZONE 'utc') RETURNING id",
                (status,),
            ).fetchone()[0]
            for status in ("sent", "sent", "pending")
        ]
    broken = Report(seconds=1, requests=0, per_second=0, statuses={}, per_kind={})
    check_database(broken, url)
    assert broken.taken_mismatch == [f"slot {slot_id}: taken {taken - 1}, bookings hold {taken}"]

    check_mail(broken, url, [ids[0], ids[0]])
    problems = " | ".join(broken.mail_problems)
    assert f"1 due mails not sent: [{ids[2]}]" in problems
    assert f"received more than once: [{ids[0]}]" in problems
    assert f"marked sent, never received: [{ids[1]}]" in problems
