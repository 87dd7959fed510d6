"""Sign-ins live on the server: signing out, a new password and a reset end
them for good, also for a copied session or remember-me cookie."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select, update

from app.accounts.models import UserSession
from app.timeutil import utcnow
from tests import factories
from tests.pages import link_in

PASSWORD = factories.PASSWORD
NEW = "een-nieuw-en-lang-wachtwoord"


def sign_in(app, user, *, remember=False, password=PASSWORD):
    client = app.test_client()
    data = {"email": user.email, "password": password}
    if remember:
        data["remember"] = "y"
    assert client.post("/login", data=data).status_code == 302
    return client


def copy_of(app, client, *names):
    """Another browser holding copies of these cookies."""
    other = app.test_client()
    for name in names:
        cookie = client.get_cookie(name)
        if cookie is not None:
            other.set_cookie(name, cookie.value, domain=cookie.domain)
    return other


def signed_in(client) -> bool:
    return client.get("/account").status_code == 200


def test_the_cookie_names_a_session_row_not_the_person(app, db, teacher):
    client = sign_in(app, teacher)
    assert db.session.scalar(select(func.count()).select_from(UserSession)) == 1
    with client.session_transaction() as session:
        assert session["_user_id"] != str(teacher.id) and len(session["_user_id"]) > 30
    # A cookie made up with the person's id signs nobody in.
    forged = app.test_client()
    with forged.session_transaction() as session:
        session["_user_id"] = str(teacher.id)
    assert not signed_in(forged)


def test_signing_out_ends_the_session_for_a_copied_cookie_too(app, db, teacher):
    client = sign_in(app, teacher, remember=True)
    session_copy = copy_of(app, client, "session")
    remember_copy = copy_of(app, client, "remember_token")
    assert signed_in(session_copy) and signed_in(remember_copy)
    session_copy = copy_of(app, client, "session")
    remember_copy = copy_of(app, client, "remember_token")

    client.post("/logout")

    assert not signed_in(client)
    assert not signed_in(session_copy)
    assert not signed_in(remember_copy)
    assert db.session.scalar(select(func.count()).select_from(UserSession)) == 0


def test_a_new_password_ends_every_other_sign_in_but_this_one(app, db, teacher):
    laptop = sign_in(app, teacher)
    phone = sign_in(app, teacher, remember=True)
    remembered = copy_of(app, phone, "remember_token")
    assert signed_in(remembered)
    remembered = copy_of(app, phone, "remember_token")

    changed = laptop.post(
        "/account",
        data={
            "action": "password",
            "password-current_password": PASSWORD,
            "password-password": NEW,
            "password-password_again": NEW,
        },
    )

    assert changed.status_code == 302
    assert signed_in(laptop)
    assert not signed_in(phone)
    assert not signed_in(remembered)


def test_a_reset_ends_every_sign_in(app, db, teacher, outbox):
    first = sign_in(app, teacher, remember=True)
    second = sign_in(app, teacher)
    stranger = app.test_client()
    stranger.post("/password/forgot", data={"email": teacher.email})
    reset = stranger.post(
        link_in(outbox("password_reset")[0]), data={"password": NEW, "password_again": NEW}
    )
    assert reset.status_code == 302
    assert not signed_in(first) and not signed_in(second)
    assert signed_in(stranger)  # the reset signs this browser in, with a new session
    assert db.session.scalar(select(func.count()).select_from(UserSession)) == 1


def test_a_session_ends_on_the_server_after_its_lifetime(app, db, teacher):
    client = sign_in(app, teacher)
    db.session.execute(update(UserSession).values(expires_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    assert not signed_in(client)


def test_session_and_remember_cookies_are_httponly_lax_and_last_sensibly(app, db, teacher):
    client = app.test_client()
    response = client.post(
        "/login", data={"email": teacher.email, "password": PASSWORD, "remember": "y"}
    )
    cookies = {c.split("=", 1)[0]: c for c in response.headers.getlist("Set-Cookie")}
    for name in ("session", "remember_token"):
        assert "HttpOnly" in cookies[name] and "SameSite=Lax" in cookies[name]
        assert "Secure" not in cookies[name]  # plain http here
    # The session cookie ends with the browser; remember-me after 30 days.
    assert "Expires" not in cookies["session"]
    remember = client.get_cookie("remember_token")
    assert timedelta(days=29) < remember.expires - utcnow().replace(tzinfo=remember.expires.tzinfo)
    row = db.session.scalar(select(UserSession))
    assert row.remember and timedelta(days=29) < row.expires_at - utcnow() <= timedelta(days=30)


def test_cookies_are_secure_when_the_public_address_is_https(app, db, teacher):
    app.config.update(SESSION_COOKIE_SECURE=True, REMEMBER_COOKIE_SECURE=True)
    response = app.test_client().post(
        "/login",
        data={"email": teacher.email, "password": PASSWORD, "remember": "y"},
        base_url="https://techniekpoort.test",
    )
    set_cookies = response.headers.getlist("Set-Cookie")
    assert len(set_cookies) == 2 and all("Secure" in c for c in set_cookies)
