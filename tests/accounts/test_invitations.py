"""Inviting colleagues, and following the link in the invitation mail."""

from datetime import timedelta

from sqlalchemy import select

from app.accounts.models import Invitation, Membership, User
from app.timeutil import utcnow
from tests import factories
from tests.apps import login
from tests.pages import dutch, field_errors, link_in

USED = "This link has already been used. Ask for a new one."
EXPIRED = "This link has expired. Ask for a new one."
INVALID = "This link is not valid. Ask for a new one."


def invite(client, organisation, email, role="teacher", name=""):
    return client.post(
        f"/organisations/{organisation.id}/invite",
        data={"invite-email": email, "invite-name": name, "invite-role": role},
    )


def test_a_member_invites_a_colleague(app, db, teacher, teacher_client, outbox, events):
    school = teacher.memberships[0].organisation
    page = teacher_client.get(f"/organisations/{school.id}").get_data(as_text=True)
    assert 'name="invite-email"' in page and 'name="invite-role"' in page

    response = invite(teacher_client, school, " Nieuwe.Collega@School.test ", name="Nina Collega")
    assert response.status_code == 302
    assert response.location == f"/organisations/{school.id}"

    invitation = db.session.scalar(select(Invitation))
    assert (invitation.email, invitation.name, invitation.role) == (
        "nieuwe.collega@school.test",
        "Nina Collega",
        "teacher",
    )
    assert invitation.invited_by_id == teacher.id
    assert invitation.used_at is None
    days = app.config["INVITATION_DAYS"]
    assert abs(invitation.expires_at - (utcnow() + timedelta(days=days))) < timedelta(minutes=1)

    [mail] = outbox("invitation")
    assert mail.recipient == "nieuwe.collega@school.test"
    assert school.name in mail.subject
    assert link_in(mail).startswith("/invitations/")
    assert [e.actor_id for e in events("MemberInvited")] == [teacher.id]
    # Open invitations are listed on the organisation's page.
    page = teacher_client.get(f"/organisations/{school.id}").get_data(as_text=True)
    assert "<li>nieuwe.collega@school.test" in page


def test_invitations_only_offer_the_roles_of_the_organisation(db, teacher, teacher_client, outbox):
    school = teacher.memberships[0].organisation
    response = invite(teacher_client, school, "iemand@school.test", role="contact")
    assert response.status_code == 422
    assert field_errors(response.get_data(as_text=True), "invite-role")
    assert outbox("invitation") == []


def test_a_member_is_not_invited_twice(db, teacher, teacher_client, outbox):
    school = teacher.memberships[0].organisation
    response = invite(teacher_client, school, teacher.email)
    assert response.status_code == 422
    assert dutch("This person is already a member.") in field_errors(
        response.get_data(as_text=True), "invite-email"
    )
    assert outbox("invitation") == []


def test_nobody_invites_to_someone_elses_organisation(db, teacher_client, outbox):
    other_school = factories.school()
    response = invite(teacher_client, other_school, "indringer@school.test")
    assert response.status_code == 404
    assert outbox("invitation") == []


def test_a_coordinator_invites_the_first_administrator_of_an_organisation(
    db, coordinator_client, outbox
):
    company = factories.company()
    response = invite(coordinator_client, company, "nieuw@bedrijf.test", role="administrator")
    assert response.status_code == 302
    assert [m.recipient for m in outbox("invitation")] == ["nieuw@bedrijf.test"]


def test_accepting_sets_a_password_and_makes_a_member(
    app, db, teacher, teacher_client, outbox, events
):
    school = teacher.memberships[0].organisation
    invite(teacher_client, school, "nina@school.test", name="Nina Collega")
    link = link_in(outbox("invitation")[0])

    newcomer = app.test_client()
    page = newcomer.get(link)
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert school.name in text
    assert 'value="Nina Collega"' in text  # the inviter's spelling of the name, to correct

    response = newcomer.post(
        link,
        data={
            "name": "Nina de Collega",
            "password": "een-goed-wachtwoord",
            "password_again": "een-goed-wachtwoord",
        },
    )
    assert response.status_code == 302
    assert response.location == "/"

    user = db.session.scalar(select(User).where(User.email == "nina@school.test"))
    assert user.name == "Nina de Collega"
    assert user.check_password("een-goed-wachtwoord")
    assert [(m.organisation_id, m.role) for m in user.memberships] == [(school.id, "teacher")]
    assert db.session.scalar(select(Invitation)).used_at is not None
    assert [(e.subject_id, e.payload["user_id"]) for e in events("MemberJoined")][-1] == (
        school.id,
        user.id,
    )

    # Signed in straight away, and able to sign in again later with the new password.
    assert school.name in newcomer.get("/").get_data(as_text=True)
    newcomer.post("/logout")
    login(newcomer, user, "een-goed-wachtwoord")


def test_the_acceptance_form_checks_the_password(app, db, teacher, teacher_client, outbox):
    invite(teacher_client, teacher.memberships[0].organisation, "nina@school.test")
    link = link_in(outbox("invitation")[0])
    response = app.test_client().post(
        link, data={"name": "Nina", "password": "kort", "password_again": "kort"}
    )
    assert response.status_code == 200
    assert dutch("A password has at least %(n)d characters.", n=12) in field_errors(
        response.get_data(as_text=True), "password"
    )
    assert db.session.scalar(select(User).where(User.email == "nina@school.test")) is None
    assert db.session.scalar(select(Invitation)).used_at is None


def test_a_used_invitation_link_says_so(app, db, teacher, teacher_client, outbox):
    invite(teacher_client, teacher.memberships[0].organisation, "nina@school.test")
    link = link_in(outbox("invitation")[0])
    data = {
        "name": "Nina",
        "password": "een-goed-wachtwoord",
        "password_again": "een-goed-wachtwoord",
    }
    assert app.test_client().post(link, data=data).status_code == 302

    for method in ("get", "post"):
        again = getattr(app.test_client(), method)(link, data=data)
        assert again.status_code == 410
        assert dutch(USED) in again.get_data(as_text=True)
    # One new person, one new membership: the second use changed nothing.
    assert len(db.session.scalars(select(User)).all()) == 2
    assert len(db.session.scalars(select(Membership)).all()) == 2


def test_an_expired_invitation_link_says_so(app, db, teacher, teacher_client, outbox):
    invite(teacher_client, teacher.memberships[0].organisation, "nina@school.test")
    link = link_in(outbox("invitation")[0])
    invitation = db.session.scalar(select(Invitation))
    invitation.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()

    response = app.test_client().get(link)
    assert response.status_code == 410
    assert dutch(EXPIRED) in response.get_data(as_text=True)
    data = {
        "name": "Nina",
        "password": "een-goed-wachtwoord",
        "password_again": "een-goed-wachtwoord",
    }
    assert app.test_client().post(link, data=data).status_code == 410
    assert db.session.scalar(select(User).where(User.email == "nina@school.test")) is None
    # Expired invitations are no longer listed as open.
    page = teacher_client.get(f"/organisations/{invitation.organisation_id}").get_data(as_text=True)
    assert "<li>nina@school.test" not in page


def test_a_forged_invitation_link_is_refused(app, db, teacher, teacher_client, outbox):
    invite(teacher_client, teacher.memberships[0].organisation, "nina@school.test")
    link = link_in(outbox("invitation")[0])
    for forged in (link[:-2], "/invitations/1", "/invitations/x"):
        response = app.test_client().get(forged)
        assert response.status_code == 410
        assert dutch(INVALID) in response.get_data(as_text=True)


def test_someone_with_an_account_joins_once_signed_in(app, db, coordinator_client, outbox):
    company = factories.company(name="Laswerk Oldenzaal")
    person = factories.user(factories.school(), "teacher", email="dubbelrol@school.test")
    invite(coordinator_client, company, person.email, role="administrator")
    link = link_in(outbox("invitation")[0])

    visitor = app.test_client()
    assert dutch("Accept invitation") in visitor.get(link).get_data(as_text=True)
    # Not signed in: the acceptance waits for a sign-in, and comes back here after.
    response = visitor.post(link)
    assert response.status_code == 302
    assert response.location.startswith("/login?next=")
    assert len(person.memberships) == 1

    login(visitor, person)
    assert visitor.post(link).status_code == 302
    db.session.expire_all()
    assert sorted(m.organisation.name for m in person.memberships) == sorted(
        ["Laswerk Oldenzaal", person.memberships[0].organisation.name]
    )
    assert {m.role for m in person.memberships} == {"teacher", "administrator"}
    assert person.check_password("secret-password")  # the password stays as it was
    assert visitor.get(link).status_code == 410


def test_another_signed_in_person_cannot_take_the_invitation(app, db, coordinator_client, outbox):
    company = factories.company()
    invited = factories.user(email="invited@school.test")
    stranger = factories.user(factories.school(), "teacher")
    invite(coordinator_client, company, invited.email, role="administrator")
    link = link_in(outbox("invitation")[0])
    client = login(app.test_client(), stranger)
    response = client.post(link)
    assert response.status_code == 302 and response.location.startswith("/login")
    db.session.expire_all()
    assert invited.memberships == [] and len(stranger.memberships) == 1
    assert db.session.scalar(select(Invitation)).used_at is None
