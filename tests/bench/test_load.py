"""The load test's visitors (bench/load.py, bench/report.lua): each anonymous
visitor has a session of their own, held as a browser holds it, and wrk
sends each visitor's request with that visitor's cookie."""

from __future__ import annotations

import re
import shutil
import urllib.request

import pytest

from bench.generate import generate
from bench.load import Gunicorn, rounds, rounds_table, visitor_cookies, write_requests, wrk

pytestmark = pytest.mark.filterwarnings("ignore:'get_engine' is deprecated:DeprecationWarning")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    work = tmp_path_factory.mktemp("bench-load")
    url = f"sqlite:///{work / 'bench.db'}"
    generate(url, "small", seed=5, echo=lambda *_: None)
    env = {"TECHNIEKPOORT_DATABASE_URL": url, "TECHNIEKPOORT_SECRET_KEY": "bench-test-key"}
    settings = ["--workers", "1", "--threads", "2"]
    with Gunicorn("wsgi:app", env, work, ready_path="/healthz", settings=settings) as gunicorn:
        yield gunicorn, work, url


def get(url: str, cookie: str):
    request = urllib.request.Request(url, headers={"Cookie": cookie})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status, response.headers.get_all("Set-Cookie") or [], response.read()


def session_of(cookie: str) -> str:
    return re.search(r"session=([^;]+)", cookie).group(1)


def test_every_visitor_has_a_session_of_their_own_that_stays(server):
    gunicorn, _, _ = server
    path = "/catalogue?kind=workshop&free=1"

    cookies = visitor_cookies(gunicorn.base, path, visitors=3)

    assert len({session_of(cookie) for cookie in cookies}) == 3
    tokens = set()
    for cookie in cookies:
        # As a browser's from its third page on: the server has nothing to change.
        status, set_cookies, body = get(gunicorn.base + path, cookie)
        assert status == 200 and set_cookies == []
        tokens |= set(re.findall(rb'name="csrf_token" value="([^"]+)"', body))
    assert len(tokens) == 3  # each page carries its own visitor's token


@pytest.mark.skipif(shutil.which("wrk") is None, reason="wrk is not installed")
def test_wrk_sends_each_request_of_the_file_with_its_own_headers(server):
    gunicorn, work, _ = server
    cookies = visitor_cookies(gunicorn.base, "/catalogue", visitors=2)
    requests = write_requests(
        work / "visitors.tsv",
        [("GET", "/catalogue", "", [f"Cookie: {cookie}"]) for cookie in cookies]
        + [
            (
                "POST",
                "/api/v1/slots/1/bookings",
                '{"group_size": 1}',
                ["Authorization: Bearer not-a-token", "Content-Type: application/json"],
            )
        ],
    )

    summary = wrk(gunicorn.base + "/catalogue", duration=1, connections=2, requests_file=requests)

    # The visitors' pages, and the booking refused for its made-up token.
    assert set(summary["statuses"]) == {"200", "401"}
    assert summary["socket_errors"] == 0


@pytest.mark.skipif(shutil.which("wrk") is None, reason="wrk is not installed")
def test_rounds_take_turns_with_hello_world(server):
    _, _, url = server

    results = rounds(
        url,
        count=2,
        only=("hello", "catalogue"),
        duration=1,
        warmup=0,
        connections=2,
        gunicorn=["--workers", "1", "--threads", "2"],
        echo=lambda *_: None,
    )

    assert [(r.round, r.name) for r in results] == [
        (1, "hello world"),
        (1, "catalogue, filtered"),
        (2, "hello world"),
        (2, "catalogue, filtered"),
    ]
    assert all(r.statuses and set(r.statuses) == {"200"} for r in results)
    assert all(r.server_cpu_ms > 0 for r in results)
    assert [r.ratio_to_hello for r in results[::2]] == [1.0, 1.0]
    assert "| catalogue, filtered |" in rounds_table(results)
