"""Every role is a role in one organisation (app/accounts/permissions.py).

The two attacks of the security review, tried as an attacker would, and a
test per rule: who invites whom, who makes administrators, who changes
roles, what the coordinator organisation alone may do, and what an
organisation that nobody approved may not."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.accounts import service
from app.accounts.models import Invitation, Membership, User
from app.errors import Forbidden
from tests import factories
from tests.api.helpers import api_as, error_of
from tests.apps import login
from tests.pages import dutch, field_errors, link_in

SECOND_ADDRESS = {
    "name": "Mijn Tweede Adres",
    "password": "een-goed-wachtwoord",
    "password_again": "een-goed-wachtwoord",
}


def invite(client, organisation, email, role, name=""):
    return client.post(
        f"/organisations/{organisation.id}/invite",
        data={"invite-email": email, "invite-name": name, "invite-role": role},
    )


def offered_roles(client, organisation) -> list[str]:
    import re

    page = client.get(f"/organisations/{organisation.id}").get_data(as_text=True)
    select_html = re.search(r'<select[^>]*name="invite-role".*?</select>', page, re.S)
    return re.findall(r'value="([a-z]+)"', select_html.group(0)) if select_html else []


def accept(app, outbox_mail, data=SECOND_ADDRESS):
    return app.test_client().post(link_in(outbox_mail), data=data)


# --- the attacks ----------------------------------------------------------------------------


def test_a_teacher_cannot_make_a_second_address_of_their_own_an_administrator(
    app, db, teacher, teacher_client, outbox
):
    school = teacher.memberships[0].organisation
    assert offered_roles(teacher_client, school) == ["teacher"]

    response = invite(teacher_client, school, "mijn.tweede@adres.test", "administrator")
    assert response.status_code == 422
    assert field_errors(response.get_data(as_text=True), "invite-role")
    assert outbox("invitation") == [] and db.session.scalar(select(Invitation)) is None
    # Not through the service either.
    with pytest.raises(Forbidden):
        service.invite_member(school, "mijn.tweede@adres.test", "administrator", teacher)
    db.session.rollback()

    # A colleague's invitation is what a teacher can send: the second address
    # becomes a teacher, nothing more.
    assert invite(teacher_client, school, "mijn.tweede@adres.test", "teacher").status_code == 302
    assert accept(app, outbox("invitation")[0]).status_code == 302
    second = db.session.scalar(select(User).where(User.email == "mijn.tweede@adres.test"))
    assert [m.role for m in second.memberships] == ["teacher"]
    client = login(app.test_client(), second, "een-goed-wachtwoord")
    assert client.get("/notifications/mail-queue").status_code == 403


def test_an_administrator_of_a_school_or_company_cannot_read_the_regions_mail_queue(
    app, db, outbox
):
    from app.notifications.models import OutgoingMail

    failed = OutgoingMail(
        kind="invitation",
        recipient="someone@else.test",
        subject="Geheim",
        text_body="inhoud",
        html_body="",
        status="failed",
        last_error="550 no such user",
    )
    db.session.add(failed)
    db.session.commit()
    for organisation in (factories.school(), factories.company()):
        administrator = factories.user(organisation, "administrator")
        client = login(app.test_client(), administrator)
        page = client.get("/notifications/mail-queue")
        assert page.status_code == 403
        assert "someone@else.test" not in page.get_data(as_text=True)
        assert client.post(f"/notifications/mail-queue/{failed.id}/retry").status_code == 403
        assert "/notifications/mail-queue" not in client.get("/").get_data(as_text=True)
        assert "/notifications/mail-queue" not in client.get("/notifications/settings").get_data(
            as_text=True
        )
    db.session.expire_all()
    assert failed.status == "failed"


def test_an_organisation_nobody_approved_cannot_invite_or_read_the_candidate_pool(app, db, outbox):
    from tests.placements.helpers import professional

    pending = factories.company(status="pending")
    contact = factories.user(pending, "contact", email="nieuw@bedrijf.test")
    listed = professional(factories.company(), name="Ellen Draaier")
    db.session.commit()
    client = login(app.test_client(), contact)

    assert offered_roles(client, pending) == []
    response = invite(client, pending, "handlanger@bedrijf.test", "contact")
    assert response.status_code == 403
    assert outbox("invitation") == []
    with pytest.raises(Forbidden) as refused:
        service.invite_member(pending, "handlanger@bedrijf.test", "contact", contact)
    assert refused.value.code == "not_approved"
    db.session.rollback()

    assert client.get("/placements/pool").status_code == 403
    assert client.get("/placements/pool?q=Ellen").status_code == 403
    assert client.get(f"/placements/pool/{listed.id}").status_code == 404
    api = api_as(app, db, contact)
    error_of(api.get("/candidates"), 403)
    assert "Ellen" not in api.get("/candidates").get_data(as_text=True)


# --- who invites whom ------------------------------------------------------------------------


def test_colleagues_invite_colleagues_with_their_own_role(app, db, outbox):
    company = factories.company()
    contact = factories.user(company, "contact")
    administrator = factories.user(company, "administrator")
    as_contact = login(app.test_client(), contact)
    as_administrator = login(app.test_client(), administrator)

    assert offered_roles(as_contact, company) == ["contact"]
    assert offered_roles(as_administrator, company) == ["contact", "administrator"]
    assert invite(as_contact, company, "collega@bedrijf.test", "contact").status_code == 302
    assert invite(as_contact, company, "baas@bedrijf.test", "administrator").status_code == 422
    assert (
        invite(as_administrator, company, "baas@bedrijf.test", "administrator").status_code == 302
    )
    roles = {i.email: i.role for i in db.session.scalars(select(Invitation))}
    assert roles == {"collega@bedrijf.test": "contact", "baas@bedrijf.test": "administrator"}


def test_a_coordinator_invites_only_the_first_administrator(app, db, coordinator, outbox):
    school = factories.school()
    client = login(app.test_client(), coordinator)
    assert offered_roles(client, school) == ["administrator"]
    assert invite(client, school, "docent@school.test", "teacher").status_code == 422
    assert invite(client, school, "beheer@school.test", "administrator").status_code == 302
    assert accept(app, outbox("invitation")[0]).status_code == 302

    # Once the school has its administrator, its people are its own business.
    assert offered_roles(client, school) == []
    assert invite(client, school, "nog.een@school.test", "administrator").status_code == 403
    assert len(outbox("invitation")) == 1


def test_the_sign_up_becomes_the_administrator_once_a_coordinator_approves(
    app, db, client, coordinator, coordinator_client, outbox, events
):
    from tests.accounts.test_organisations import company_form, organisation_named

    assert client.post("/register", data=company_form()).status_code == 302
    company = organisation_named(db, "Installatiebedrijf Tubbergen")
    [membership] = company.memberships
    founder = membership.user
    assert membership.role == "contact"

    page = coordinator_client.get(f"/organisations/{company.id}").get_data(as_text=True)
    assert (
        dutch(
            "Approving also makes %(name)s (%(email)s), who signed the organisation up, "
            "its first administrator.",
            name=founder.name,
            email=founder.email,
        )
        in page
    )
    assert coordinator_client.post(f"/organisations/{company.id}/approve").status_code == 302
    db.session.expire_all()
    assert company.status == "approved"
    assert [(m.user_id, m.role) for m in company.memberships] == [(founder.id, "administrator")]
    [approved] = events("OrganisationApproved")
    assert approved.payload["administrator_id"] == founder.id

    # From now on the founder runs the company's people.
    founder_client = login(client, founder, company_form()["password"])
    assert offered_roles(founder_client, company) == ["contact", "administrator"]
    assert invite(founder_client, company, "collega@tubbergen.test", "contact").status_code == 302


def test_an_approval_keeps_an_administrator_the_organisation_has(db, coordinator):
    school = factories.school(status="pending")
    teacher = factories.user(school, "teacher")
    administrator = factories.user(school, "administrator")
    service.approve_organisation(school, coordinator)
    db.session.commit()
    db.session.expire_all()
    assert {m.user_id: m.role for m in school.memberships} == {
        teacher.id: "teacher",
        administrator.id: "administrator",
    }


# --- changing roles and taking people off ----------------------------------------------------


def member_of(db, organisation, user) -> Membership:
    return db.session.scalar(
        select(Membership).where(
            Membership.organisation_id == organisation.id, Membership.user_id == user.id
        )
    )


def change_role(client, organisation, membership, role):
    return client.post(
        f"/organisations/{organisation.id}/members/{membership.id}/role",
        data={f"member-{membership.id}-role": role},
    )


def test_only_an_administrator_changes_roles_and_one_always_stays(app, db, events):
    school = factories.school()
    administrator = factories.user(school, "administrator")
    teacher = factories.user(school, "teacher")
    as_teacher = login(app.test_client(), teacher)
    as_administrator = login(app.test_client(), administrator)
    mine, theirs = member_of(db, school, administrator), member_of(db, school, teacher)

    assert change_role(as_teacher, school, theirs, "administrator").status_code == 403
    assert change_role(as_teacher, school, mine, "teacher").status_code == 403
    # The last administrator cannot step down...
    response = change_role(as_administrator, school, mine, "teacher")
    assert response.status_code == 302
    db.session.expire_all()
    assert mine.role == "administrator"
    # ...until there is another.
    assert change_role(as_administrator, school, theirs, "administrator").status_code == 302
    assert change_role(as_administrator, school, mine, "teacher").status_code == 302
    db.session.expire_all()
    assert (mine.role, theirs.role) == ("teacher", "administrator")
    assert [(e.payload["user_id"], e.payload["role"]) for e in events("MemberRoleChanged")] == [
        (teacher.id, "administrator"),
        (administrator.id, "teacher"),
    ]
    # The old administrator no longer manages anyone.
    assert change_role(as_administrator, school, theirs, "teacher").status_code == 403
    # A role of another kind of organisation does not exist here.
    assert change_role(as_teacher, school, mine, "coordinator").status_code == 422


def test_people_leave_and_administrators_take_them_off(app, db, events):
    company = factories.company()
    administrator = factories.user(company, "administrator")
    first, second = factories.user(company, "contact"), factories.user(company, "contact")
    as_first = login(app.test_client(), first)
    as_administrator = login(app.test_client(), administrator)

    remove = "/organisations/{}/members/{}/remove"
    # A contact cannot take a colleague off, but can leave.
    assert (
        as_first.post(remove.format(company.id, member_of(db, company, second).id)).status_code
        == 403
    )
    assert (
        as_first.post(remove.format(company.id, member_of(db, company, first).id)).status_code
        == 302
    )
    assert as_first.get(f"/organisations/{company.id}").status_code == 404
    # The administrator takes people off, but stays while others remain.
    own = member_of(db, company, administrator)
    assert as_administrator.post(remove.format(company.id, own.id)).status_code == 302
    assert member_of(db, company, administrator) is not None
    assert (
        as_administrator.post(
            remove.format(company.id, member_of(db, company, second).id)
        ).status_code
        == 302
    )
    db.session.expire_all()
    assert [m.user_id for m in company.memberships] == [administrator.id]
    assert [e.payload["user_id"] for e in events("MemberLeft")] == [first.id, second.id]


# --- the database keeps roles to their kind -----------------------------------------------


@pytest.mark.parametrize(
    "kind, role",
    [
        ("school", "coordinator"),
        ("school", "contact"),
        ("company", "teacher"),
        ("company", "coordinator"),
        ("network", "teacher"),
    ],
)
def test_the_database_refuses_a_role_the_kind_of_organisation_does_not_have(db, kind, role):
    organisation = factories.organisation(kind)
    person = factories.user()
    db.session.add(Membership(user=person, organisation=organisation, role=role))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_an_organisation_with_members_cannot_turn_into_another_kind(db):
    school = factories.school()
    factories.user(school, "teacher")
    school.kind = "network"
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


# --- region-wide power belongs to the coordinator organisation --------------------------------

# Each with what everybody else gets: 403, or 404 where the page does not
# admit that it exists.
REGION_WIDE_PAGES = {
    "/organisations": 403,
    "/organisations/new": 403,
    "/notifications/mail-queue": 403,
    "/notifications/reminders": 403,
    "/requests/all": 404,
    "/mismatch": 404,
    "/holidays": 403,
    "/placements/overview": 403,
    "/insights/report.pdf": 404,
}


def test_region_wide_pages_open_only_to_the_coordinator_organisation(app, db):
    network = factories.network()
    allowed = [factories.user(network, "coordinator"), factories.user(network, "administrator")]
    refused = [
        factories.user(factories.school(), "administrator"),
        factories.user(factories.company(), "administrator"),
        factories.user(factories.school(), "teacher"),
        # A network nobody approved gives no power either.
        factories.user(factories.network(status="pending"), "coordinator"),
    ]
    for person in allowed:
        client = login(app.test_client(), person)
        for path in REGION_WIDE_PAGES:
            if path.endswith(".pdf"):
                continue  # printing is tested in tests/documents
            assert client.get(path).status_code == 200, (person, path)
    for person in refused:
        client = login(app.test_client(), person)
        for path, closed in REGION_WIDE_PAGES.items():
            assert client.get(path).status_code == closed, (person, path)


def test_the_api_shows_the_region_only_to_the_coordinator_organisation(app, db):
    network = factories.network()
    school, other_school = factories.school(), factories.school()
    company = factories.company()
    slot = factories.slot(factories.activity(company))
    from app.bookings import service as bookings

    teacher = factories.user(other_school, "teacher")
    booking = bookings.request_booking(
        teacher, slot, other_school, bookings.Group(size=10, year="1", path="BB")
    ).booking
    db.session.commit()
    coordinator = factories.user(network, "administrator")
    school_administrator = factories.user(school, "administrator")
    ids = [b["id"] for b in api_as(app, db, coordinator).get("/bookings").get_json()["items"]]
    assert ids == [booking.id]
    assert api_as(app, db, school_administrator).get("/bookings").get_json()["items"] == []
    error_of(api_as(app, db, school_administrator).get(f"/bookings/{booking.id}"), 404)


def test_the_navigation_follows_the_permissions(app, db):
    network = factories.network()
    network_administrator = factories.user(network, "administrator")
    school_administrator = factories.user(factories.school(), "administrator")
    page = login(app.test_client(), network_administrator).get("/").get_data(as_text=True)
    assert 'href="/notifications/mail-queue"' in page and 'href="/organisations"' in page
    page = login(app.test_client(), school_administrator).get("/").get_data(as_text=True)
    assert 'href="/notifications/mail-queue"' not in page and 'href="/organisations"' not in page
    # A school's administrator is one of its teachers too: books for it.
    assert 'href="/bookings"' in page


def test_filtered_calendar_feeds_stop_when_the_network_is_no_longer_approved(app, db):
    from app.calendar import service as calendar

    network = factories.network()
    coordinator = factories.user(network, "coordinator")
    feed = calendar.create_feed(coordinator, kind="filtered", name="Regio", filters={})
    db.session.commit()
    url = f"/calendar/{calendar.feed_token(feed)}.ics"
    assert app.test_client().get(url).status_code == 200
    network.status = "pending"
    db.session.commit()
    assert app.test_client().get(url).status_code == 404


# --- an organisation nobody approved -------------------------------------------------------


def test_an_unapproved_organisation_edits_its_own_profile_and_nothing_else(app, db):
    pending = factories.school(status="pending", name="Nieuwe School")
    teacher = factories.user(pending, "teacher")
    other = factories.school()
    client = login(app.test_client(), teacher)

    page = client.get(f"/organisations/{pending.id}").get_data(as_text=True)
    assert f"/organisations/{pending.id}/edit" in page
    form = {
        "name": "Nieuwe School Hengelo",
        "address": "Schoolstraat 1",
        "postcode": "7551ab",
        "city": "Hengelo",
        "holiday_region": "noord",
        "brin": pending.brin,
        "location_number": pending.location_number,
        "profiles": ["PIE"],
        "kind": "company",
    }
    response = client.post(f"/organisations/{pending.id}/edit", data=form)
    assert response.status_code == 302, response.get_data(as_text=True)
    db.session.expire_all()
    assert (pending.name, pending.postcode, pending.kind) == (
        "Nieuwe School Hengelo",
        "7551 AB",
        "school",
    )
    assert client.get(f"/organisations/{other.id}/edit").status_code == 404


def test_only_an_administrator_edits_an_approved_organisation(app, db):
    school = factories.school()
    teacher = factories.user(school, "teacher")
    administrator = factories.user(school, "administrator")
    assert (
        login(app.test_client(), teacher).get(f"/organisations/{school.id}/edit").status_code == 403
    )
    assert (
        login(app.test_client(), administrator).get(f"/organisations/{school.id}/edit").status_code
        == 200
    )


def test_the_edit_form_refuses_an_identifier_another_organisation_has(app, db):
    company = factories.company()
    taken = factories.company()
    administrator = factories.user(company, "administrator")
    form = {
        "name": company.name,
        "address": "Weg 1",
        "postcode": "7511 AB",
        "city": "Enschede",
        "holiday_region": "noord",
        "kvk": taken.kvk,
        "sectors": ["metal"],
    }
    response = login(app.test_client(), administrator).post(
        f"/organisations/{company.id}/edit", data=form
    )
    assert response.status_code == 422
    assert dutch("An organisation with this KvK number is already registered.") in field_errors(
        response.get_data(as_text=True), "kvk"
    )
    db.session.expire_all()
    assert company.kvk != taken.kvk


def test_an_unapproved_school_cannot_book_post_requests_or_propose(app, db):
    from tests.api.helpers import GROUP

    pending = factories.school(status="pending")
    teacher = factories.user(pending, "teacher")
    company = factories.company()
    slot = factories.slot(factories.activity(company))
    db.session.commit()
    client = login(app.test_client(), teacher)
    for path in (
        f"/slots/{slot.id}/book",
        "/bookings",
        "/requests/new",
        "/requests",
        "/placements/new",
        "/placements/",
    ):
        response = client.get(path)
        assert response.status_code == 403, path
        assert 'id="waiting-for-approval"' in response.get_data(as_text=True)
    api = api_as(app, db, teacher)
    error_of(api.post(f"/slots/{slot.id}/bookings", json={**GROUP, "school_id": pending.id}), 403)
    from datetime import timedelta

    from app.school_requests.service import today_local

    first = today_local() + timedelta(days=7)
    request_body = {
        "kind": "workshop",
        "topic": "Zonnepanelen",
        "group_size": 20,
        "year": "3",
        "path": "KB",
        "profile": "PIE",
        "first_day": first.isoformat(),
        "last_day": (first + timedelta(days=30)).isoformat(),
        "venues": ["school"],
    }
    error_of(api.post("/requests", json=request_body), 403)
    from app.bookings.models import Booking
    from app.school_requests.models import SchoolRequest

    assert db.session.scalar(select(Booking)) is None
    assert db.session.scalar(select(SchoolRequest)) is None


def test_an_unapproved_company_cannot_publish_propose_or_read_school_requests(app, db):
    from app.school_requests import service as requests
    from tests.school_requests.helpers import request_input

    school = factories.school()
    teacher = factories.user(school, "teacher")
    posted = requests.post_request(teacher, school, request_input())
    pending = factories.company(status="pending")
    contact = factories.user(pending, "contact")
    draft = factories.activity(pending, status="draft")
    db.session.commit()
    client = login(app.test_client(), contact)

    for path, closed in (
        ("/requests/for-you", 403),
        ("/requests/proposals", 403),
        (f"/requests/{posted.id}/answer", 404),  # as every request it may not read
        ("/placements/pool/new", 403),
    ):
        assert client.get(path).status_code == closed, path
    assert client.get(f"/requests/{posted.id}").status_code == 404
    api = api_as(app, db, contact)
    assert api.get("/requests").get_json()["items"] == []
    assert api.get("/requests?matching=true").get_json()["items"] == []
    error_of(api.get(f"/requests/{posted.id}"), 404)
    error_of(
        api.post(f"/requests/{posted.id}/responses", json={"option": "slot", "slot_id": 1}), 404
    )
    # It prepares its offer, but publishes nothing until it is approved.
    assert client.get("/our-activities").status_code == 200
    error_of(api.post(f"/activities/{draft.id}/publish"), 422)
    db.session.expire_all()
    assert draft.status == "draft"
