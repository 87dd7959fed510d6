"""Headers, cookies and limits through a real HTTP client against real
gunicorn with two workers, on a throw-away SQLite database: the limits hold
across both workers, counted in the database and, configured so, in Redis."""

from __future__ import annotations

import http.client
import os
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import pytest

from bench.load import Gunicorn
from tests import factories
from tests.apps import make_app
from tests.servers import wait_until

pytestmark = pytest.mark.filterwarnings("ignore:'get_engine' is deprecated:DeprecationWarning")

POLICY_START = "default-src 'self'; script-src 'self'; style-src 'self';"
ACCESS_FORMAT = "%(p)s %(m)s %(U)s %(s)s"


@dataclass
class Answer:
    status: int
    headers: http.client.HTTPMessage
    body: bytes


def request(port: int, method: str, path: str, *, body: bytes = b"", headers=None) -> Answer:
    """One request on a connection of its own, so the two workers share them."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return Answer(response.status, response.headers, response.read())
    finally:
        connection.close()


def cookies_of(answer: Answer) -> str:
    return "; ".join(c.split(";", 1)[0] for c in answer.headers.get_all("Set-Cookie") or [])


@dataclass
class Visitor:
    """A browser's session cookie and the CSRF token of its forms."""

    cookie: str
    token: str


def visitor(port: int) -> Visitor:
    page = request(port, "GET", "/login")
    token = re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', page.body)
    return Visitor(cookies_of(page), token.group(1).decode())


def post_form(port: int, path: str, form: dict, who: Visitor) -> Answer:
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Cookie": who.cookie}
    body = urlencode({**form, "csrf_token": who.token}).encode()
    return request(port, "POST", path, body=body, headers=headers)


@dataclass
class Site:
    url: str
    work: Path
    school_id: int
    teacher_email: str
    coordinator_email: str
    feed_path: str
    api_token: str


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Site:
    from app.accounts import service as accounts
    from app.calendar import service as feeds
    from app.extensions import db

    work = tmp_path_factory.mktemp("gunicorn")
    url = f"sqlite:///{work / 'site.db'}"
    app = make_app(url, work)
    with app.app_context():
        db.create_all()
        school = factories.school(name="Vakcollege Gunicorn")
        teacher = factories.user(school, "teacher", email="docent@gunicorn.test")
        coordinator = factories.user(factories.network(), "coordinator", email="co@gunicorn.test")
        feed = feeds.create_feed(teacher, kind="personal")
        _token, raw = accounts.create_api_token(teacher, "gunicorn")
        db.session.commit()
        found = Site(
            url,
            work,
            school.id,
            teacher.email,
            coordinator.email,
            f"/calendar/{feeds.feed_token(feed)}.ics",
            raw,
        )
        db.session.remove()
        db.engine.dispose()
    return found


def start(site: Site, name: str, **env) -> Gunicorn:
    log = site.work / f"access-{name}.log"
    environment = {
        "TECHNIEKPOORT_DATABASE_URL": site.url,
        # The key the data was made with: feed tokens are signed with it.
        "TECHNIEKPOORT_SECRET_KEY": os.environ["TECHNIEKPOORT_SECRET_KEY"],
        # https: the public address is served over TLS by a proxy in front, so
        # cookies are Secure and HSTS is sent, also to this plain-http client.
        "TECHNIEKPOORT_BASE_URL": "https://techniekpoort.test",
        "TECHNIEKPOORT_RATELIMITS": "on",
        **env,
    }
    settings = [
        "--workers",
        "2",
        "--threads",
        "4",
        "--access-logfile",
        str(log),
        "--access-logformat",
        ACCESS_FORMAT,
    ]
    server = Gunicorn("wsgi:app", environment, site.work, ready_path="/healthz", settings=settings)
    server.access_log = log
    return server


def workers_that_answered(server: Gunicorn, path: str) -> set[str]:
    lines = server.access_log.read_text().splitlines()
    return {line.split()[0] for line in lines if f" {path} " in line}


def until_both_workers_answer(server: Gunicorn):
    """The server is ready when one worker answers; the second may still be
    loading the app on a busy machine, and would then never see the burst
    whose limit the test checks across workers."""
    with ThreadPoolExecutor(max_workers=8) as pool:

        def both_answered() -> bool:
            list(pool.map(lambda _n: request(server.port, "GET", "/healthz"), range(8)))
            return len(workers_that_answered(server, "/healthz")) == 2

        wait_until(both_answered, 60, "the second worker")


def sign_in(port: int, email: str, **extra) -> tuple[Visitor, list[str]]:
    who = visitor(port)
    answer = post_form(
        port, "/login", {"email": email, "password": factories.PASSWORD, **extra}, who
    )
    assert answer.status == 302, answer.body[:300]
    return Visitor(cookies_of(answer), who.token), answer.headers.get_all("Set-Cookie")


def assert_secured(answer: Answer, what: str):
    headers = answer.headers
    assert headers["Content-Security-Policy"].startswith(POLICY_START), what
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"], what
    assert headers["X-Content-Type-Options"] == "nosniff", what
    assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin", what
    assert headers["Strict-Transport-Security"].startswith("max-age="), what


def hammer_sign_in(port: int, email: str, attempts: int) -> list[int]:
    who = visitor(port)

    def attempt(_n):
        return post_form(port, "/login", {"email": email, "password": "wrong-guess"}, who).status

    with ThreadPoolExecutor(max_workers=16) as pool:
        return list(pool.map(attempt, range(attempts)))


def test_headers_cookies_and_a_limit_across_two_workers(site):
    with start(site, "database") as server:
        port = server.port
        coordinator, set_cookies = sign_in(port, site.coordinator_email)
        _remembered, more = sign_in(port, site.coordinator_email, remember="y")
        set_cookies += more
        cookie = coordinator.cookie
        for line in set_cookies:
            assert "HttpOnly" in line and "SameSite=Lax" in line and "Secure" in line, line
        assert any(line.startswith("remember_token=") for line in set_cookies)

        answers = {
            "page": request(port, "GET", "/"),
            "error page": request(port, "GET", "/no-such-page"),
            "feed": request(port, "GET", site.feed_path),
            "pdf": request(
                port, "GET", f"/schools/{site.school_id}/programme.pdf", headers={"Cookie": cookie}
            ),
            "export": request(port, "GET", "/insights/export/kind.csv", headers={"Cookie": cookie}),
            "api": request(
                port, "GET", "/api/v1/me", headers={"Authorization": f"Bearer {site.api_token}"}
            ),
            "healthz": request(port, "GET", "/healthz"),
        }
        assert answers["feed"].headers["Content-Type"].startswith("text/calendar")
        assert answers["pdf"].headers["Content-Type"] == "application/pdf"
        assert answers["export"].status == 200 and answers["api"].status == 200
        assert answers["healthz"].body == b'{"status":"ok"}\n'
        for what, answer in answers.items():
            assert_secured(answer, what)

        # Signing out ends the session for good, in every worker.
        post_form(port, "/logout", {}, coordinator)
        for _ in range(4):
            again = request(port, "GET", "/account", headers={"Cookie": cookie})
            assert again.status == 302 and "/login" in again.headers["Location"]

        # 30 wrong guesses at once: ten are checked (login_pair, 10 per 15
        # minutes), the others refused, although both workers answered.
        until_both_workers_answer(server)
        statuses = hammer_sign_in(port, site.teacher_email, 30)
        assert statuses.count(200) == 10 and statuses.count(429) == 20, statuses
        assert len(workers_that_answered(server, "/login")) == 2
        refused = post_form(
            port, "/login", {"email": site.teacher_email, "password": "x"}, visitor(port)
        )
        assert refused.status == 429 and int(refused.headers["Retry-After"]) > 0
        assert_secured(refused, "429")


def test_with_redis_configured_the_limit_holds_across_two_workers(site, redis_url):
    import redis

    store = redis.Redis.from_url(redis_url)
    with start(site, "redis", TECHNIEKPOORT_RATELIMIT_STORAGE_URL=redis_url) as server:
        until_both_workers_answer(server)
        statuses = hammer_sign_in(server.port, "someone@gunicorn.test", 30)
        assert statuses.count(200) == 10 and statuses.count(429) == 20, statuses
        assert len(workers_that_answered(server, "/login")) == 2
    keys = [key.decode() for key in store.keys("*")]
    assert keys and all(key.startswith("LIMITS:LIMITER/tp/") for key in keys), keys


def test_metrics_add_up_the_samples_of_both_workers(site):
    folder = site.work / "metrics"
    folder.mkdir()
    token = "metrics-token"
    with start(
        site, "metrics", PROMETHEUS_MULTIPROC_DIR=str(folder), TECHNIEKPOORT_HEALTH_TOKEN=token
    ) as server:
        until_both_workers_answer(server)
        with ThreadPoolExecutor(max_workers=8) as pool:
            statuses = list(
                pool.map(lambda _n: request(server.port, "GET", "/login").status, range(40))
            )
        assert statuses == [200] * 40
        assert len(workers_that_answered(server, "/login")) == 2
        for _scrape in range(4):  # whichever worker answers sees both workers' samples
            answer = request(
                server.port, "GET", "/metrics", headers={"Authorization": f"Bearer {token}"}
            )
            assert answer.status == 200
            found = re.search(
                rb'^techniekpoort_request_duration_seconds_count\{method="GET",route="/login",'
                rb'status="200"\} (\S+)$',
                answer.body,
                re.MULTILINE,
            )
            assert found is not None and float(found.group(1)) == 40
        assert request(server.port, "GET", "/metrics").status == 401
