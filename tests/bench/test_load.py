"""The load test (bench/load.py, bench/workload.py, bench/report.lua): each
visitor and each signed-in person has a session of their own, held as a
browser holds it, wrk sends each request of a file with its own headers, and
the rounds take turns with hello world."""

from __future__ import annotations

import re
import shutil
import urllib.request

import pytest
from sqlalchemy import create_engine, text

from bench.generate import generate
from bench.load import (
    NAMES,
    Gunicorn,
    capacity_check,
    rounds,
    rounds_table,
    visitor_cookies,
    write_requests,
    wrk,
)
from bench.workload import SECRET_KEY, USER_AGENT, check_sessions, prepare

pytestmark = pytest.mark.filterwarnings("ignore:'get_engine' is deprecated:DeprecationWarning")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    work = tmp_path_factory.mktemp("bench-load")
    url = f"sqlite:///{work / 'bench.db'}"
    generate(url, "small", seed=5, echo=lambda *_: None)
    env = {"TECHNIEKPOORT_DATABASE_URL": url, "TECHNIEKPOORT_SECRET_KEY": SECRET_KEY}
    settings = ["--workers", "1", "--threads", "2"]
    with Gunicorn("wsgi:app", env, work, ready_path="/healthz", settings=settings) as gunicorn:
        yield gunicorn, work, url


def get(url: str, cookie: str, user_agent: str | None = None):
    headers = {"Cookie": cookie, **({"User-Agent": user_agent} if user_agent else {})}
    request = urllib.request.Request(url, headers=headers)
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

    anonymous = NAMES["catalogue"]
    assert [(r.round, r.name) for r in results] == [
        (1, "hello world"),
        (1, anonymous),
        (2, "hello world"),
        (2, anonymous),
    ]
    assert all(r.statuses and set(r.statuses) == {"200"} for r in results)
    assert all(r.server_cpu_ms > 0 for r in results)
    assert [r.ratio_to_hello for r in results[::2]] == [1.0, 1.0]
    assert f"| {anonymous} |" in rounds_table(results)


SIGNED_IN = ("catalogue-teacher", "activity", "my-bookings", "incoming")


@pytest.fixture(scope="module")
def workload(server, tmp_path_factory):
    _, _, url = server
    return prepare(
        url,
        tmp_path_factory.mktemp("workload"),
        [*SIGNED_IN, "api-activities", "booking"],
        echo=lambda *_: None,
    )


def lines(workload, key: str) -> list[tuple[str, str, str, dict]]:
    found = []
    for line in workload.file(key).read_text().splitlines():
        method, path, body, *headers = line.split("\t")
        found.append((method, path, body, dict(h.split(": ", 1) for h in headers)))
    return found


@pytest.mark.parametrize("key", SIGNED_IN)
def test_each_request_is_another_signed_in_person_whose_session_stays(server, workload, key):
    gunicorn, _, _ = server
    requests = lines(workload, key)
    cookies = {headers["Cookie"] for _, _, _, headers in requests}

    assert len(cookies) > 1 and all(h["User-Agent"] == USER_AGENT for *_, h in requests)
    # Valid (no way to the login form) and settled (the page writes no session).
    check_sessions(gunicorn.base, workload.file(key), sample=5)
    for _, path, _, headers in requests[:5]:
        status, set_cookies, body = get(gunicorn.base + path, headers["Cookie"], USER_AGENT)
        assert status == 200 and set_cookies == []
        assert b'action="/logout"' in body


def test_the_catalogue_and_api_lines_draw_their_filters_at_random(workload):
    catalogue = [path for _, path, _, _ in lines(workload, "catalogue-teacher")]
    api = lines(workload, "api-activities")

    assert len(set(catalogue)) > 0.5 * len(catalogue)
    assert any("sort=distance" in path for path in catalogue)
    assert any("page=" in path for path in catalogue)
    assert all(
        path.startswith("/api/v1/activities?") or path == "/api/v1/activities"
        for _, path, _, _ in api
    )
    assert len({headers["Authorization"] for *_, headers in api}) > 1


def test_a_session_that_changes_on_a_read_stops_the_run(server, tmp_path):
    gunicorn, _, _ = server
    # A first visit: the server sets the visitor's session.
    requests = write_requests(tmp_path / "fresh.tsv", [("GET", "/catalogue", "", [])])
    with pytest.raises(RuntimeError, match="set a cookie on a read"):
        check_sessions(gunicorn.base, requests)


def test_the_capacity_check_finds_places_that_differ_from_the_bookings(server, workload, tmp_path):
    # (A slot over capacity cannot be written: ck_slot_taken_within_capacity.)
    _, _, url = server
    copy = tmp_path / "copy.db"
    shutil.copy(url.removeprefix("sqlite:///"), copy)
    requests = workload.file("booking")
    ids = ", ".join(re.findall(r"/slots/(\d+)/bookings", requests.read_text()))

    assert capacity_check(f"sqlite:///{copy}", requests) == (0, 0)
    engine = create_engine(f"sqlite:///{copy}")
    with engine.begin() as connection:
        connection.execute(
            text(
                f"UPDATE slot SET taken = taken + 1 WHERE id = (SELECT min(id) FROM slot "
                f"WHERE id IN ({ids}) AND taken < capacity)"
            )
        )
    engine.dispose()
    assert capacity_check(f"sqlite:///{copy}", requests) == (0, 1)
