"""Organisations signing up, coordinators approving and adding them."""

from sqlalchemy import select

from app.accounts.models import Invitation, Organisation, User
from tests import factories
from tests.apps import login
from tests.pages import dutch, field_errors


def school_form(**values) -> dict:
    data = {
        "kind": "school",
        "name": "Vakcollege Noordkant",
        "address": "Schoolstraat 1",
        "postcode": "7511ab",
        "city": "Enschede",
        "holiday_region": "noord",
        "brin": "21xy",
        "location_number": "1",
        "profiles": ["PIE", "MVI"],
        "contact_name": "Saskia de Vries",
        "contact_email": "Saskia@Noordkant.TEST",
        "password": "lange-zin-als-wachtwoord",
        "password_again": "lange-zin-als-wachtwoord",
    }
    data.update(values)
    return data


def company_form(**values) -> dict:
    data = {
        "kind": "company",
        "name": "Installatiebedrijf Tubbergen",
        "address": "Industrieweg 9",
        "postcode": "7651 AA",
        "city": "Tubbergen",
        "holiday_region": "noord",
        "kvk": "1234 5678",
        "sectors": ["electrical", "energy"],
        "contact_name": "Henk Oude Egberink",
        "contact_email": "henk@tubbergen.test",
        "password": "lange-zin-als-wachtwoord",
        "password_again": "lange-zin-als-wachtwoord",
    }
    data.update(values)
    return data


def organisation_named(db, name) -> Organisation | None:
    return db.session.scalar(select(Organisation).where(Organisation.name == name))


def test_the_sign_up_form_shows_dutch_labels(client, db):
    page = client.get("/register").get_data(as_text=True)
    assert 'name="brin"' in page and 'name="kvk"' in page
    # Word lists are shown in the page's language, not frozen at import time.
    assert dutch("North") in page
    assert dutch("Metal and mechanical engineering") in page
    assert dutch("Producing, installing and energy (PIE)") in page


def test_a_school_signs_up_with_its_brin_code(client, db, coordinator, outbox, events):
    response = client.post("/register", data=school_form())
    assert response.status_code == 302, response.get_data(as_text=True)

    school = organisation_named(db, "Vakcollege Noordkant")
    assert school.kind == "school"
    assert school.status == "pending" and not school.is_approved
    assert (school.brin, school.location_number) == ("21XY", "01")
    assert school.postcode == "7511 AB"
    assert school.profiles == {"PIE", "MVI"}
    assert school.kvk is None and school.sectors == frozenset()

    contact = db.session.scalar(select(User).where(User.email == "saskia@noordkant.test"))
    assert contact.check_password("lange-zin-als-wachtwoord")
    assert [(m.organisation_id, m.role) for m in contact.memberships] == [(school.id, "teacher")]

    # The new contact signs in (the form signs nobody in: it answers the same
    # for an address that has an account) and sees the organisation waiting.
    login(client, contact, "lange-zin-als-wachtwoord")
    home = client.get("/").get_data(as_text=True)
    assert "Vakcollege Noordkant" in home
    assert dutch("Waiting for approval") in home

    # Coordinators hear about it, in a mail that links to the organisation.
    mails = outbox("organisation_registered")
    assert [m.recipient for m in mails] == [coordinator.email]
    assert "Vakcollege Noordkant" in mails[0].subject
    assert f"/organisations/{school.id}" in mails[0].text_body
    assert mails[0].status == "pending"
    assert [e.subject_id for e in events("OrganisationRegistered")] == [school.id]


def test_a_company_signs_up_with_its_kvk_number(client, db, coordinator, outbox):
    response = client.post("/register", data=company_form())
    assert response.status_code == 302, response.get_data(as_text=True)
    company = organisation_named(db, "Installatiebedrijf Tubbergen")
    assert company.status == "pending"
    assert company.kvk == "12345678"
    assert company.sectors == {"electrical", "energy"}
    assert company.brin is None and company.profiles == frozenset()
    contact = db.session.scalar(select(User).where(User.email == "henk@tubbergen.test"))
    assert contact.memberships[0].role == "contact"
    assert len(outbox("organisation_registered")) == 1


def test_every_coordinator_gets_one_mail(client, db, outbox):
    network = factories.network()
    first = factories.user(network, "coordinator")
    second = factories.user(network, "coordinator")
    factories.user(factories.school(), "teacher")  # not told
    client.post("/register", data=company_form())
    assert sorted(m.recipient for m in outbox("organisation_registered")) == sorted(
        [first.email, second.email]
    )


def _refused(response, field: str, message: str, **values):
    assert response.status_code == 200, response.status_code
    page = response.get_data(as_text=True)
    assert dutch(message, **values) in field_errors(page, field), field_errors(page, field)
    return page


def test_invalid_brin_kvk_and_postcode_are_field_errors(client, db):
    _refused(
        client.post("/register", data=school_form(brin="2XY1")),
        "brin",
        "A BRIN code is two digits and two letters, for example 20DX.",
    )
    _refused(
        client.post("/register", data=company_form(kvk="1234567")),
        "kvk",
        "A KvK number is eight digits.",
    )
    _refused(
        client.post("/register", data=company_form(postcode="75111 AB")),
        "postcode",
        "A postcode is four digits and two letters, for example 7511 AB.",
    )
    _refused(
        client.post("/register", data=school_form(location_number="abc")),
        "location_number",
        "A location number is two digits, for example 00.",
    )
    _refused(
        client.post("/register", data=company_form(contact_email="henk at tubbergen")),
        "contact_email",
        "This is not a valid e-mail address.",
    )
    _refused(
        client.post("/register", data=company_form(password="kort", password_again="kort")),
        "password",
        "A password has at least %(n)d characters.",
        n=12,
    )
    _refused(
        client.post("/register", data=company_form(password_again="iets-anders-dan-dat")),
        "password_again",
        "The passwords differ.",
    )
    assert db.session.scalar(select(Organisation)) is None
    assert db.session.scalar(select(User)) is None


def test_each_kind_gives_its_own_identifier(client, db):
    _refused(
        client.post("/register", data=school_form(brin="")), "brin", "Schools give their BRIN code."
    )
    page = _refused(
        client.post("/register", data=company_form(kvk="", sectors=[])),
        "kvk",
        "Companies give their KvK number.",
    )
    assert dutch("Choose at least one sector.") in field_errors(page, "sectors")
    assert db.session.scalar(select(Organisation)) is None


def test_a_registered_kvk_number_is_refused(client, db):
    factories.company(kvk="12345678", name="Al Bekend BV")
    page = _refused(
        client.post("/register", data=company_form()),
        "kvk",
        "An organisation with this KvK number is already registered.",
    )
    assert 'value="Installatiebedrijf Tubbergen"' in page  # the form keeps what was typed
    assert organisation_named(db, "Installatiebedrijf Tubbergen") is None
    assert db.session.scalar(select(User).where(User.email == "henk@tubbergen.test")) is None


def test_a_registered_school_location_is_refused(client, db):
    factories.school(brin="21XY", location_number="01")
    _refused(
        client.post("/register", data=school_form()),
        "brin",
        "A school location with this BRIN code and number is already registered.",
    )
    # Another location of the same school is welcome.
    assert client.post("/register", data=school_form(location_number="02")).status_code == 302


def test_an_address_with_an_account_gets_the_same_answer_and_its_owner_a_mail(
    client, db, teacher, outbox
):
    known = client.post("/register", data=company_form(contact_email=teacher.email))
    known_page = client.get(known.location).get_data(as_text=True)
    new = client.post("/register", data=company_form(kvk="87654321"))
    new_page = client.get(new.location).get_data(as_text=True)
    # Nothing tells the two apart: the same redirect, the same page and message.
    assert known.status_code == new.status_code == 302
    assert known.location == new.location == "/"
    assert known_page == new_page and "flash-success" in new_page
    # Nothing was made for the known address; its owner is told.
    assert db.session.scalar(select(Organisation).where(Organisation.kvk == "12345678")) is None
    [mail] = outbox("signup_known_address")
    assert mail.recipient == teacher.email
    assert "/login" in mail.text_body and "/password/forgot" in mail.text_body


def test_a_coordinator_approves_and_the_members_are_told(
    client, db, coordinator, coordinator_client, outbox, events
):
    client.post("/register", data=company_form())
    company = organisation_named(db, "Installatiebedrijf Tubbergen")
    factories.user(company, "contact", email="collega@tubbergen.test")

    overview = coordinator_client.get("/organisations").get_data(as_text=True)
    assert "Installatiebedrijf Tubbergen" in overview
    assert f"/organisations/{company.id}/approve" in overview

    response = coordinator_client.post(f"/organisations/{company.id}/approve")
    assert response.status_code == 302
    assert response.location == f"/organisations/{company.id}"
    db.session.expire_all()
    assert company.status == "approved" and company.approved_at is not None

    approved = events("OrganisationApproved")
    assert [(e.subject_type, e.subject_id, e.actor_id) for e in approved] == [
        ("organisation", company.id, coordinator.id)
    ]
    mails = outbox("organisation_approved")
    assert sorted(m.recipient for m in mails) == ["collega@tubbergen.test", "henk@tubbergen.test"]
    assert all("Installatiebedrijf Tubbergen" in m.subject for m in mails)

    # Approving twice changes nothing and mails nobody again.
    coordinator_client.post(f"/organisations/{company.id}/approve")
    assert len(events("OrganisationApproved")) == 1
    assert len(outbox("organisation_approved")) == 2


def test_only_coordinators_approve(db, teacher_client, contact_client):
    pending = factories.company(status="pending")
    assert teacher_client.get("/organisations").status_code == 403
    # Outsiders do not even learn that the organisation exists.
    assert teacher_client.post(f"/organisations/{pending.id}/approve").status_code == 404
    assert teacher_client.get(f"/organisations/{pending.id}").status_code == 404
    db.session.expire_all()
    assert pending.status == "pending"


def test_a_member_cannot_approve_their_own_organisation(app, db):
    pending = factories.company(status="pending")
    member = factories.user(pending, "contact")
    client = login(app.test_client(), member)
    page = client.get(f"/organisations/{pending.id}").get_data(as_text=True)
    assert f"/organisations/{pending.id}/approve" not in page
    assert client.post(f"/organisations/{pending.id}/approve").status_code == 403
    db.session.expire_all()
    assert pending.status == "pending"


def test_a_coordinator_adds_an_organisation_and_invites_its_contact(
    db, coordinator, coordinator_client, outbox
):
    form = company_form(
        contact_name="Ingrid Jansen", contact_email="ingrid@metaal.test", name="Metaalwerk Hengelo"
    )
    for key in ("password", "password_again"):
        form.pop(key)
    response = coordinator_client.post("/organisations/new", data=form)
    assert response.status_code == 302, response.get_data(as_text=True)
    company = organisation_named(db, "Metaalwerk Hengelo")
    assert response.location == f"/organisations/{company.id}"
    assert company.status == "approved" and company.approved_at is not None
    assert company.memberships == []

    invitation = db.session.scalar(
        select(Invitation).where(Invitation.organisation_id == company.id)
    )
    assert (invitation.email, invitation.name, invitation.role) == (
        "ingrid@metaal.test",
        "Ingrid Jansen",
        # The contact a coordinator names becomes the first administrator.
        "administrator",
    )
    assert invitation.invited_by_id == coordinator.id
    mails = outbox("invitation")
    assert [m.recipient for m in mails] == ["ingrid@metaal.test"]
    assert "Metaalwerk Hengelo" in mails[0].subject

    page = coordinator_client.get(f"/organisations/{company.id}").get_data(as_text=True)
    assert "ingrid@metaal.test" in page  # listed as invited


def test_a_coordinator_may_add_an_organisation_without_a_contact(db, coordinator_client, outbox):
    form = school_form(name="Praktijkschool Almelo", brin="30AB")
    response = coordinator_client.post(
        "/organisations/new",
        data={k: v for k, v in form.items() if not k.startswith(("contact", "password"))},
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    assert organisation_named(db, "Praktijkschool Almelo").status == "approved"
    assert outbox("invitation") == []


def test_the_add_form_shows_errors_instead_of_failing(db, coordinator_client):
    factories.company(kvk="12345678")
    response = coordinator_client.post("/organisations/new", data=company_form(postcode="?"))
    assert response.status_code == 200
    assert field_errors(response.get_data(as_text=True), "postcode")
    response = coordinator_client.post("/organisations/new", data=company_form())
    assert response.status_code == 200
    assert dutch("An organisation with this KvK number is already registered.") in field_errors(
        response.get_data(as_text=True), "kvk"
    )


def test_only_coordinators_add_organisations(teacher_client):
    assert teacher_client.get("/organisations/new").status_code == 403
    assert teacher_client.post("/organisations/new", data=company_form()).status_code == 403
