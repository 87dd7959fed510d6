from tests import factories
from tests.clock import Clock
from tests.pages import dutch, form_errors, link_in

WRONG = "E-mail address or password is not correct."


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


def limits(app, **rules):
    app.config["RATELIMITS"] = {**app.config["RATELIMITS"], **rules}


def refused_in_dutch(response) -> str:
    """The message a 429 shows, for the wait its Retry-After names."""
    from flask_babel import force_locale

    from app.throttle import wait_message

    with force_locale("nl"):
        return wait_message(int(response.headers["Retry-After"]))


def test_too_many_failures_are_refused_with_429(app, client, teacher):
    limits(app, login_pair="3 per 15 minutes")
    for _ in range(3):
        response = client.post("/login", data={"email": teacher.email, "password": "wrong-guess"})
        assert response.status_code == 200
        assert form_errors(response.get_data(as_text=True)) == [dutch(WRONG)]

    refused = client.post("/login", data={"email": teacher.email, "password": "wrong-guess"})
    assert refused.status_code == 429
    assert 0 < int(refused.headers["Retry-After"]) <= 15 * 60
    assert form_errors(refused.get_data(as_text=True)) == [refused_in_dutch(refused)]
    assert "15" in refused_in_dutch(refused)

    # Past the limit the right password does not help either: guessing gains nothing.
    right = client.post("/login", data={"email": teacher.email, "password": factories.PASSWORD})
    assert right.status_code == 429
    assert client.get("/account").status_code == 302


def test_a_guesser_elsewhere_does_not_lock_the_person_out(app, teacher):
    limits(app, login_pair="3 per 15 minutes")
    guesser = client_from(app, "203.0.113.5")
    for _ in range(5):
        guesser.post("/login", data={"email": teacher.email, "password": "guess"})
    assert guesser.post("/login", data={"email": teacher.email, "password": "x"}).status_code == 429
    person = client_from(app, "192.0.2.20")
    data = {"email": teacher.email, "password": factories.PASSWORD}
    assert person.post("/login", data=data).status_code == 302


def test_signing_in_that_works_does_not_count(app, teacher):
    limits(app, login_pair="2 per 15 minutes", login_address="2 per 15 minutes")
    client = client_from(app, "192.0.2.30")
    data = {"email": teacher.email, "password": factories.PASSWORD}
    for _ in range(4):
        assert client.post("/login", data=data).status_code == 302
        client.post("/logout")


def test_the_limit_counts_per_address_for_any_account(app, teacher):
    limits(app, login_address="2 per 15 minutes")
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


def test_an_ipv6_network_counts_as_one_address(app, teacher):
    limits(app, login_address="2 per 15 minutes")
    for host in ("1", "2"):
        client_from(app, f"2001:db8:1:2::{host}").post(
            "/login", data={"email": "x@school.test", "password": "x"}
        )
    neighbour = client_from(app, "2001:db8:1:2:ffff::9")
    data = {"email": teacher.email, "password": factories.PASSWORD}
    assert neighbour.post("/login", data=data).status_code == 429
    assert client_from(app, "2001:db8:1:3::1").post("/login", data=data).status_code == 302


def test_guessing_from_many_addresses_meets_the_account_ceiling_and_a_reset_lifts_it(
    app, teacher, outbox
):
    limits(app, login_account="3 per hour")
    for n in range(3):
        client_from(app, f"192.0.2.{n + 1}").post(
            "/login", data={"email": teacher.email, "password": "x"}
        )
    person = client_from(app, "192.0.2.99")
    data = {"email": teacher.email, "password": factories.PASSWORD}
    assert person.post("/login", data=data).status_code == 429
    # The way back in: a reset link, which is limited per address only.
    person.post("/password/forgot", data={"email": teacher.email})
    new = "een-nieuw-lang-wachtwoord"
    reset = person.post(
        link_in(outbox("password_reset")[-1]), data={"password": new, "password_again": new}
    )
    assert reset.status_code == 302
    person.post("/logout")
    assert person.post("/login", data={"email": teacher.email, "password": new}).status_code == 302


def test_failures_in_an_ended_window_do_not_count(app, client, teacher, monkeypatch):
    from app.throttle.storage import DatabaseStorage

    clock = Clock()
    monkeypatch.setattr(DatabaseStorage, "clock", clock)
    limits(app, login_pair="2 per 15 minutes")
    for _ in range(2):
        client.post("/login", data={"email": teacher.email, "password": "x"})
    data = {"email": teacher.email, "password": factories.PASSWORD}
    assert client.post("/login", data=data).status_code == 429
    clock.advance(15 * 60 - 1)
    assert client.post("/login", data=data).status_code == 429
    clock.advance(2)
    assert client.post("/login", data=data).status_code == 302


def test_an_unknown_address_costs_a_password_hash_like_a_known_one(
    client, db, teacher, monkeypatch
):
    """Comparable time: both answers verify one password hash (a scrypt hash is
    what takes the time of a sign-in)."""
    from app.accounts import service

    teacher.set_password(factories.PASSWORD)  # hashed the app's way, not the factories'
    db.session.commit()
    verified = []
    real = service.check_password_hash

    def counting(stored, password):
        verified.append(stored.split("$", 1)[0])
        return real(stored, password)

    monkeypatch.setattr(service, "check_password_hash", counting)
    client.post("/login", data={"email": teacher.email, "password": "wrong-guess"})
    client.post("/login", data={"email": "nobody@school.test", "password": "wrong-guess"})
    assert len(verified) == 2 and verified[0] == verified[1]
