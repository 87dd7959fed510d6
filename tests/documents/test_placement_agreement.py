"""The hybrid-teacher placement agreement: the parties, the terms, the school
holidays it skips and the lessons changed, with fields to sign; only for the
parties and coordinators of an agreed placement; user texts printed as text
and nothing fetched (docs/INTEROPERABILITY.md, rule 26)."""

from __future__ import annotations

from datetime import time, timedelta

import pytest

from app.placements import service as placements
from tests import factories
from tests.apps import login
from tests.documents import pdf
from tests.documents.test_safety import assert_nothing_leaked, payloads
from tests.placements import helpers


def agreed_placement(db, company, school, contact, teacher, person, **values):
    first = helpers.monday_in(2)
    placement = placements.propose(
        contact,
        company=company,
        school=school,
        professional=person,
        terms=helpers.terms(first_date=first),
        by="company",
        **{"subjects": "Metaal", "profiles": ["PIE"], **values},
    )
    placements.accept(teacher, placement)
    db.session.commit()
    return placement


@pytest.fixture
def agreement(db):
    school = factories.school(name="Vakcollege De Kolk", holiday_region="noord")
    company = factories.company(name="Hengelo Aandrijftechniek")
    teacher = factories.user(school, "teacher")
    contact = factories.user(company, "contact")
    person = helpers.professional(company, name="Ellen Draaier")
    holiday_start = helpers.monday_in(5)
    helpers.holiday("Herfstvakantie", holiday_start, holiday_start + timedelta(days=6))
    placement = agreed_placement(db, company, school, contact, teacher, person)
    placements.cancel_lesson(contact, placement, helpers.monday_in(3), "Machine in onderhoud")
    placements.move_lesson(
        contact,
        placement,
        helpers.monday_in(4),
        helpers.monday_in(4) + timedelta(days=4),
        time(13, 0),
        time(16, 0),
        "Examenweek",
    )
    db.session.commit()
    return {"placement": placement, "teacher": teacher, "contact": contact}


def test_the_agreement_has_the_terms_holidays_changes_and_signature_fields(app, agreement):
    placement = agreement["placement"]
    client = login(app.test_client(), agreement["teacher"])
    response = client.get(f"/placements/{placement.id}/agreement.pdf?lang=en")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Cache-Control"] == "private, no-store"
    reader = pdf.read(response.get_data())
    text = pdf.squeezed(pdf.text(reader))
    for expected in (
        "Hybrid-teacheragreement",
        "HengeloAandrijftechniek",
        "VakcollegeDeKolk",
        "EllenDraaier",
        "Hoursaweek4",
        "Herfstvakantie",
        "Machineinonderhoud",
        "Examenweek",
        "Cancelled",
        "Movedto",
        "Signatures",
        "Fortheschool",
        "Theprofessional",
    ):
        assert pdf.squeezed(expected) in text, expected
    # First and last day, in words.
    first = placement.first_date
    assert pdf.squeezed(f"{first.day} {first:%B} {first.year}") in text
    # The holiday week takes two lesson days (Monday and Wednesday).
    assert "2lessondaysareskipped" in text
    fields = reader.get_fields() or {}
    for side in ("company", "school", "professional"):
        for part in ("name", "place", "date"):
            assert f"{side}_{part}" in fields, (side, part)
    dutch = pdf.squeezed(
        pdf.text(pdf.read(client.get(f"/placements/{placement.id}/agreement.pdf").get_data()))
    )
    assert "Overeenkomsthybridedocent" in dutch


def test_only_the_parties_and_coordinators_print_it(app, db, agreement):
    placement = agreement["placement"]
    url = f"/placements/{placement.id}/agreement.pdf"
    assert login(app.test_client(), agreement["contact"]).get(url).status_code == 200
    coordinator = factories.user(factories.network(), "coordinator")
    assert login(app.test_client(), coordinator).get(url).status_code == 200
    for stranger in (
        factories.user(factories.school(), "teacher"),
        factories.user(factories.company(), "contact"),
    ):
        assert login(app.test_client(), stranger).get(url).status_code == 404
    assert app.test_client().get(url).status_code == 302  # to the login page
    owner = login(app.test_client(), agreement["teacher"])
    assert owner.get("/placements/999999/agreement.pdf").status_code == 404


def test_not_before_it_is_agreed(app, db):
    school = factories.school()
    company = factories.company()
    teacher = factories.user(school, "teacher")
    contact = factories.user(company, "contact")
    proposal = helpers.propose(contact, company, school, helpers.professional(company))
    db.session.commit()
    client = login(app.test_client(), teacher)
    assert client.get(f"/placements/{proposal.id}/agreement.pdf").status_code == 404
    # What the placement page asks before it links to the agreement.
    show_link = app.jinja_env.globals["has_placement_agreement"]
    assert not show_link(proposal)
    placements.accept(teacher, proposal)
    db.session.commit()
    assert show_link(proposal)
    assert client.get(f"/placements/{proposal.id}/agreement.pdf").status_code == 200


def test_hostile_placement_texts_are_printed_as_text(app, db, internal_server):
    texts = payloads(internal_server.server_address[1])
    school = factories.school(name=texts["img_file"], holiday_region="noord")
    company = factories.company(name=texts["attachment"])
    teacher = factories.user(school, "teacher")
    contact = factories.user(company, "contact")
    person = helpers.professional(company, name=texts["internal"], expertise=texts["redirect"])
    start = helpers.monday_in(5)
    helpers.holiday(texts["internal"][:90], start, start + timedelta(days=6))
    placement = agreed_placement(
        db,
        company,
        school,
        contact,
        teacher,
        person,
        subjects=texts["redirect"][:190],
        remarks="\n".join(texts.values()),
    )
    placements.cancel_lesson(contact, placement, helpers.monday_in(3), texts["attachment"])
    db.session.commit()
    response = login(app.test_client(), teacher).get(f"/placements/{placement.id}/agreement.pdf")
    assert response.status_code == 200
    assert_nothing_leaked(response.get_data(), internal_server, list(texts.values()))
