"""The rate limits: forms and the API, counted in the database shared by every
worker, atomically under parallel requests, answered with 429, Retry-After
and a translated message; request bodies and JSON nesting bounded."""

from __future__ import annotations

import threading

import pytest
from flask_babel import force_locale

from app import throttle
from app.accounts import service as accounts
from app.throttle.storage import DatabaseStorage
from tests import factories
from tests.apps import login
from tests.clock import Clock


def limits(app, **rules):
    app.config["RATELIMITS"] = {**app.config["RATELIMITS"], **rules}


def from_address(app, address):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def dutch_wait(response) -> str:
    with force_locale("nl"):
        return throttle.wait_message(int(response.headers["Retry-After"]))


# --- the storage ------------------------------------------------------------------------


def test_the_database_storage_counts_windows_and_refunds(app, monkeypatch):
    storage = DatabaseStorage()
    clock = Clock()
    monkeypatch.setattr(DatabaseStorage, "clock", clock)
    assert [storage.incr("k", 60) for _ in range(3)] == [1, 2, 3]
    assert storage.get("k") == 3 and storage.get_expiry("k") == clock.now + 60
    assert storage.incr("k", 60, amount=-1) == 2
    assert storage.incr("k", 60, amount=-5) == 0  # never below zero
    clock.advance(61)  # the window ended: the next hit starts a new one
    assert storage.get("k") == 0
    assert storage.incr("k", 60) == 1 and storage.get_expiry("k") == clock.now + 60
    storage.clear("k")
    assert storage.get("k") == 0 and storage.check()


def in_parallel(app, threads: int, times: int, work) -> list:
    """Runs `work()` `times` times in each of `threads` threads, each with an app
    context (and so a database connection) of its own, started together."""
    results: list = []
    lock = threading.Lock()
    start = threading.Barrier(threads)

    def run():
        with app.app_context():
            start.wait()
            mine = []
            for _ in range(times):
                try:
                    mine.append(work())
                except Exception as error:  # shown by the caller's assertion
                    mine.append(error)
        with lock:
            results.extend(mine)

    started = [threading.Thread(target=run) for _ in range(threads)]
    for thread in started:
        thread.start()
    for thread in started:
        thread.join()
    return results


@pytest.mark.commits
def test_parallel_hits_each_get_their_own_count(app):
    """Eight threads hit one key 25 times each: no count is handed out twice
    and none is lost (on both databases)."""
    storage = DatabaseStorage()
    counts = in_parallel(app, 8, 25, lambda: storage.incr("parallel", 600))
    assert sorted(counts) == list(range(1, 201))


@pytest.mark.commits
def test_parallel_wrong_passwords_get_exactly_the_limit_through(app, teacher):
    limits(app, login_pair="5 per 15 minutes")
    email = teacher.email

    def attempt():
        try:
            accounts.authenticate(email, "wrong-guess", "192.0.2.44")
            return "checked"
        except throttle.RateLimited:
            return "refused"

    outcomes = in_parallel(app, 6, 3, attempt)
    assert sorted(set(outcomes)) == ["checked", "refused"], outcomes
    assert outcomes.count("checked") == 5 and outcomes.count("refused") == 13


# --- forms ---------------------------------------------------------------------------------


def test_a_form_over_its_limit_answers_429_with_a_translated_page(app, db):
    limits(app, reset_address="2 per hour")
    client = from_address(app, "192.0.2.50")
    for n in range(2):
        assert (
            client.post("/password/forgot", data={"email": f"a{n}@school.test"}).status_code == 302
        )
    refused = client.post("/password/forgot", data={"email": "b@school.test"})
    assert refused.status_code == 429
    assert 3000 < int(refused.headers["Retry-After"]) <= 3600
    page = refused.get_data(as_text=True)
    assert dutch_wait(refused) in page and "Te veel" in page
    # Asking for the form is no attempt; another address is not affected.
    assert client.get("/password/forgot").status_code == 200
    other = from_address(app, "192.0.2.51")
    assert other.post("/password/forgot", data={"email": "b@school.test"}).status_code == 302


def test_reset_mails_for_one_address_are_limited_whoever_asks(app, db, teacher, outbox):
    limits(app, reset_account="2 per hour")
    for n in range(2):
        from_address(app, f"192.0.2.{60 + n}").post(
            "/password/forgot", data={"email": teacher.email}
        )
    refused = from_address(app, "192.0.2.70").post(
        "/password/forgot", data={"email": teacher.email}
    )
    assert refused.status_code == 429
    # The mails that went out still work: the person is not locked out.
    assert len(outbox("password_reset")) == 2
    # An address without an account is limited the same way: nothing is revealed.
    for n in range(3):
        last = from_address(app, f"192.0.2.{80 + n}").post(
            "/password/forgot", data={"email": "nobody@school.test"}
        )
    assert last.status_code == 429


def test_sign_up_is_limited_per_address(app, db):
    limits(app, signup_address="1 per hour")
    client = from_address(app, "192.0.2.90")
    assert client.post("/register", data={"kind": "company"}).status_code == 200
    assert client.post("/register", data={"kind": "company"}).status_code == 429


def test_the_candidate_pool_form_is_limited_per_address_and_per_email(app, db):
    limits(app, pool_address="2 per hour", pool_account="1 per hour")
    data = {
        "name": "Kees",
        "email": "kees@example.test",
        "kind": "career_switcher",
        "expertise": "Installatietechniek",
        "consent": "y",
    }
    first = from_address(app, "192.0.2.100")
    assert first.post("/placements/pool/register", data=data).status_code == 200
    again = from_address(app, "192.0.2.101").post("/placements/pool/register", data=data)
    assert again.status_code == 429


def test_invitations_are_limited_per_person(app, db, teacher):
    limits(app, invite_person="2 per hour")
    client = login(app.test_client(), teacher)
    school = teacher.memberships[0].organisation
    for n in range(2):
        sent = client.post(
            f"/organisations/{school.id}/invite",
            data={"invite-email": f"c{n}@school.test", "invite-role": "teacher"},
        )
        assert sent.status_code == 302
    refused = client.post(
        f"/organisations/{school.id}/invite",
        data={"invite-email": "c9@school.test", "invite-role": "teacher"},
    )
    assert refused.status_code == 429


def test_school_requests_are_limited_per_person(app, db, teacher):
    limits(app, request_person="1 per hour")
    client = login(app.test_client(), teacher)
    client.post("/requests/new", data={})
    assert client.post("/requests/new", data={}).status_code == 429
    # Another teacher is not affected.
    other = factories.user(teacher.memberships[0].organisation, "teacher")
    assert login(app.test_client(), other).post("/requests/new", data={}).status_code != 429


# --- the API ---------------------------------------------------------------------------------


def test_the_api_is_limited_per_token_with_its_json_error(app, db, teacher):
    limits(app, api_token="3 per minute")
    _token, raw = accounts.create_api_token(teacher, "test")
    db.session.commit()
    client = app.test_client()
    headers = {"Authorization": f"Bearer {raw}"}
    for _ in range(3):
        assert client.get("/api/v1/me", headers=headers).status_code == 200
    refused = client.get("/api/v1/me", headers=headers)
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) > 0
    error = refused.get_json()["error"]
    assert error["code"] == "rate_limited" and error["retry_after"] > 0
    assert error["message"] == dutch_wait(refused)
    # Another token is counted apart.
    _other, second = accounts.create_api_token(factories.user(), "other")
    db.session.commit()
    other = client.get("/api/v1/me", headers={"Authorization": f"Bearer {second}"})
    assert other.status_code == 200


def test_callers_without_a_token_are_limited_per_address(app, db):
    limits(app, api_address="2 per minute")
    client = from_address(app, "192.0.2.120")
    for _ in range(2):
        client.get("/api/v1/openapi.json")
    assert client.get("/api/v1/openapi.json").status_code == 429
    assert from_address(app, "192.0.2.121").get("/api/v1/openapi.json").status_code == 200


# --- request bodies ------------------------------------------------------------------------


def test_too_large_bodies_are_refused_with_413(app, db, client, teacher):
    _token, raw = accounts.create_api_token(teacher, "test")
    db.session.commit()
    big = "x" * (app.config["MAX_CONTENT_LENGTH"] + 1)
    api = client.post(
        "/api/v1/slots/1/bookings",
        data=big,
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {raw}"},
    )
    assert api.status_code == 413
    assert api.get_json()["error"]["code"] == "request_entity_too_large"
    page = client.post("/login", data={"email": "a@school.test", "password": big})
    assert page.status_code == 413 and page.mimetype == "text/html"


def test_deeply_nested_json_is_refused_with_400(app, db, teacher):
    _token, raw = accounts.create_api_token(teacher, "test")
    db.session.commit()
    headers = {"Authorization": f"Bearer {raw}", "Content-Type": "application/json"}
    client = app.test_client()
    for depth in (40, 100_000):
        body = "[" * depth + "]" * depth
        response = client.post("/api/v1/slots/1/bookings", data=body, headers=headers)
        assert response.status_code == 400, response.get_data(as_text=True)[:300]
        assert response.get_json()["error"]["code"] in ("too_deep", "invalid_json")
    wrapped = '{"group_size": ' + "[" * 40 + "]" * 40 + "}"
    response = client.post("/api/v1/slots/1/bookings", data=wrapped, headers=headers)
    assert response.get_json()["error"]["code"] == "too_deep"


@pytest.mark.parametrize("seconds,expected", [(30, 1), (60, 1), (150, 2), (900, 15)])
def test_the_wait_is_told_in_minutes(app, seconds, expected):
    with force_locale("en"):
        assert throttle.wait_message(seconds) == (
            f"Too many attempts. Try again in {expected} minute{'s' if expected > 1 else ''}."
        )


@pytest.mark.commits
def test_behind_a_trusted_proxy_each_client_address_counts(app, tmp_path):
    from app.extensions import db
    from tests.apps import make_app

    proxied = make_app(
        app.config["SQLALCHEMY_DATABASE_URI"],
        tmp_path,
        TRUSTED_PROXIES=1,
        RATELIMITS={**app.config["RATELIMITS"], "reset_address": "1 per hour"},
    )
    with proxied.app_context():
        client = proxied.test_client()

        def ask(address):
            return client.post(
                "/password/forgot",
                data={"email": "x@school.test"},
                headers={"X-Forwarded-For": address},
            ).status_code

        assert [ask("192.0.2.1"), ask("192.0.2.1"), ask("192.0.2.2")] == [302, 429, 302]
        db.session.remove()
        db.engine.dispose()
