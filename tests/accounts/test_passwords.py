"""Forgotten passwords, reset links, and changing a password in the settings."""

from datetime import timedelta

from sqlalchemy import select

from app.accounts.models import PasswordReset
from app.timeutil import utcnow
from tests import factories
from tests.apps import login
from tests.pages import dutch, field_errors, link_in

SENT = "If an account exists for this address, a link to set a new password is on its way."
NEW = {"password": "nieuw-en-lang-genoeg", "password_again": "nieuw-en-lang-genoeg"}


def ask_for_reset(client, email):
    response = client.post("/password/forgot", data={"email": email}, follow_redirects=True)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_a_known_and_an_unknown_address_get_the_same_answer(app, client, teacher, outbox):
    known = ask_for_reset(client, teacher.email)
    unknown = ask_for_reset(app.test_client(), "niemand@school.test")
    not_an_address = ask_for_reset(app.test_client(), "geen adres")
    assert dutch(SENT) in known
    assert known == unknown == not_an_address
    assert [m.recipient for m in outbox("password_reset")] == [teacher.email]


def test_a_deactivated_account_gets_no_link(client, db, teacher, outbox):
    teacher.active = False
    db.session.commit()
    assert dutch(SENT) in ask_for_reset(client, teacher.email)
    assert outbox("password_reset") == []


def test_the_reset_link_works_once(app, client, db, teacher, outbox, events):
    ask_for_reset(client, teacher.email)
    [mail] = outbox("password_reset")
    assert teacher.name in mail.text_body
    link = link_in(mail)
    assert link.startswith("/password/reset/")

    assert client.get(link).status_code == 200
    response = client.post(link, data=NEW)
    assert response.status_code == 302 and response.location == "/"
    assert client.get("/account").status_code == 200  # signed in by the reset

    db.session.expire_all()
    assert teacher.check_password(NEW["password"])
    assert not teacher.check_password(factories.PASSWORD)
    assert [e.subject_id for e in events("PasswordChanged")] == [teacher.id]

    for method in ("get", "post"):
        again = getattr(app.test_client(), method)(
            link,
            data={
                "password": "nog-een-ander-wachtwoord",
                "password_again": "nog-een-ander-wachtwoord",
            },
        )
        assert again.status_code == 410
        assert dutch("This link has already been used. Ask for a new one.") in again.get_data(
            as_text=True
        )
    db.session.expire_all()
    assert teacher.check_password(NEW["password"])

    fresh = app.test_client()
    login(fresh, teacher, NEW["password"])


def test_using_one_link_ends_the_other_open_links(app, client, db, teacher, outbox):
    ask_for_reset(client, teacher.email)
    ask_for_reset(client, teacher.email)
    first, second = (link_in(m) for m in outbox("password_reset"))
    assert first != second
    assert app.test_client().post(second, data=NEW).status_code == 302
    assert app.test_client().get(first).status_code == 410


def test_an_expired_reset_link_says_so(app, client, db, teacher, outbox):
    ask_for_reset(client, teacher.email)
    link = link_in(outbox("password_reset")[0])
    reset = db.session.scalar(select(PasswordReset))
    hours = app.config["PASSWORD_RESET_HOURS"]
    assert abs(reset.expires_at - (utcnow() + timedelta(hours=hours))) < timedelta(minutes=1)
    reset.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()

    for method in ("get", "post"):
        response = getattr(app.test_client(), method)(link, data=NEW)
        assert response.status_code == 410
        assert dutch("This link has expired. Ask for a new one.") in response.get_data(as_text=True)
    db.session.expire_all()
    assert teacher.check_password(factories.PASSWORD)


def test_a_reset_link_of_another_kind_is_not_accepted(app, db, teacher, teacher_client, outbox):
    """Invitation and reset links are signed with different salts: an invitation
    link's token does not reset anybody's password."""
    school = teacher.memberships[0].organisation
    teacher_client.post(
        f"/organisations/{school.id}/invite",
        data={"invite-email": "nina@school.test", "invite-role": "teacher"},
    )
    token = link_in(outbox("invitation")[0]).rsplit("/", 1)[1]
    response = app.test_client().get(f"/password/reset/{token}")
    assert response.status_code == 410


def test_the_new_password_is_checked(client, db, teacher, outbox):
    ask_for_reset(client, teacher.email)
    link = link_in(outbox("password_reset")[0])
    response = client.post(link, data={"password": "kort", "password_again": "kort"})
    assert response.status_code == 200
    assert dutch("A password has at least %(n)d characters.", n=12) in field_errors(
        response.get_data(as_text=True), "password"
    )
    assert client.get(link).status_code == 200  # still usable


def test_changing_the_password_in_the_settings(app, db, teacher, teacher_client):
    wrong = teacher_client.post(
        "/account",
        data={
            "action": "password",
            "password-current_password": "not-my-password",
            "password-password": NEW["password"],
            "password-password_again": NEW["password"],
        },
    )
    assert wrong.status_code == 422
    assert dutch("This is not your current password.") in field_errors(
        wrong.get_data(as_text=True), "password-current_password"
    )
    right = teacher_client.post(
        "/account",
        data={
            "action": "password",
            "password-current_password": factories.PASSWORD,
            "password-password": NEW["password"],
            "password-password_again": NEW["password"],
        },
    )
    assert right.status_code == 302
    db.session.expire_all()
    assert teacher.check_password(NEW["password"])
    login(app.test_client(), teacher, NEW["password"])
