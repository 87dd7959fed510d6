from sqlalchemy import func, select

from tests import factories
from tests.accounts.helpers import dutch, form_errors

WRONG = "E-mail address or password is not correct."
TOO_MANY = "Too many attempts. Wait a quarter of an hour and try again."


def client_from(app, address: str):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def test_the_right_password_signs_in(client, teacher):
    page = client.get("/login")
    assert page.status_code == 200
    assert 'name="email"' in page.get_data(as_text=True)
    assert 'name="password"' in page.get_data(as_text=True)

    response = client.post("/login", data={"email": teacher.email, "password": factories.PASSWORD})
    assert response.status_code == 302
    assert response.location == "/"
    home = client.get("/").get_data(as_text=True)
    assert teacher.name in home
    assert teacher.memberships[0].organisation.name in home


def test_the_address_is_matched_whatever_its_case(client, teacher):
    response = client.post(
        "/login", data={"email": "  Teacher@School.TEST ", "password": factories.PASSWORD}
    )
    assert response.status_code == 302


def test_login_follows_only_local_next_urls(client, teacher):
    data = {"email": teacher.email, "password": factories.PASSWORD}
    assert client.post("/login?next=/account", data=data).location == "/account"
    client.post("/logout")
    assert client.post("/login?next=https://evil.test/", data=data).location == "/"


def test_wrong_password_and_unknown_address_get_the_same_answer(client, teacher):
    wrong_password = client.post(
        "/login", data={"email": teacher.email, "password": "not-it-at-all"}
    )
    unknown = client.post(
        "/login", data={"email": "nobody@school.test", "password": "not-it-at-all"}
    )
    assert wrong_password.status_code == unknown.status_code == 200
    assert form_errors(wrong_password.get_data(as_text=True)) == [dutch(WRONG)]
    assert form_errors(unknown.get_data(as_text=True)) == [dutch(WRONG)]
    # Nothing else on the page tells the two apart either.
    assert wrong_password.get_data(as_text=True).replace(teacher.email, "X") == (
        unknown.get_data(as_text=True).replace("nobody@school.test", "X")
    )
    assert client.get("/account").status_code == 302  # still signed out


def test_a_deactivated_person_cannot_sign_in(client, db, teacher):
    teacher.active = False
    db.session.commit()
    response = client.post("/login", data={"email": teacher.email, "password": factories.PASSWORD})
    assert response.status_code == 200
    assert form_errors(response.get_data(as_text=True)) == [dutch(WRONG)]


def test_signing_out(teacher_client):
    assert teacher_client.get("/account").status_code == 200
    response = teacher_client.post("/logout")
    assert response.status_code == 302
    assert teacher_client.get("/account").status_code == 302


def test_too_many_failures_are_refused_with_429(app, client, teacher):
    app.config["LOGIN_ATTEMPTS_PER_15_MIN"] = 3
    for _ in range(3):
        response = client.post("/login", data={"email": teacher.email, "password": "wrong-guess"})
        assert response.status_code == 200
        assert form_errors(response.get_data(as_text=True)) == [dutch(WRONG)]

    refused = client.post("/login", data={"email": teacher.email, "password": "wrong-guess"})
    assert refused.status_code == 429
    assert form_errors(refused.get_data(as_text=True)) == [dutch(TOO_MANY)]

    # Past the limit the right password does not help either: guessing gains nothing.
    right = client.post("/login", data={"email": teacher.email, "password": factories.PASSWORD})
    assert right.status_code == 429
    assert client.get("/account").status_code == 302


def test_the_limit_counts_per_account_from_any_address(app, teacher):
    app.config["LOGIN_ATTEMPTS_PER_15_MIN"] = 2
    for n in range(2):
        client = client_from(app, f"192.0.2.{n + 1}")
        assert (
            client.post("/login", data={"email": teacher.email, "password": "x"}).status_code == 200
        )
    elsewhere = client_from(app, "192.0.2.99")
    assert (
        elsewhere.post("/login", data={"email": teacher.email, "password": "x"}).status_code == 429
    )


def test_the_limit_counts_per_address_for_any_account(app, teacher):
    app.config["LOGIN_ATTEMPTS_PER_15_MIN"] = 2
    client = client_from(app, "198.51.100.7")
    for n in range(2):
        response = client.post("/login", data={"email": f"guess{n}@school.test", "password": "x"})
        assert response.status_code == 200
    refused = client.post("/login", data={"email": teacher.email, "password": factories.PASSWORD})
    assert refused.status_code == 429
    # Someone else, from another address, is not affected.
    other = client_from(app, "198.51.100.8")
    data = {"email": teacher.email, "password": factories.PASSWORD}
    assert other.post("/login", data=data).status_code == 302


def test_failures_older_than_the_window_do_not_count(app, client, db, teacher):
    from datetime import timedelta

    from app.accounts.models import LoginAttempt
    from app.timeutil import utcnow

    app.config["LOGIN_ATTEMPTS_PER_15_MIN"] = 2
    for _ in range(2):
        client.post("/login", data={"email": teacher.email, "password": "x"})
    for attempt in db.session.scalars(select(LoginAttempt)):
        attempt.attempted_at = utcnow() - timedelta(minutes=16)
    db.session.commit()
    response = client.post("/login", data={"email": teacher.email, "password": factories.PASSWORD})
    assert response.status_code == 302
    # The stale attempts are swept on the next failure.
    client.post("/logout")
    client.post("/login", data={"email": teacher.email, "password": "x"})
    stale = db.session.scalar(
        select(func.count())
        .select_from(LoginAttempt)
        .where(LoginAttempt.attempted_at < utcnow() - timedelta(minutes=15))
    )
    assert stale == 0
