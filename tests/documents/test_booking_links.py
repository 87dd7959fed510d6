"""The booking's own page links to its .ics, its confirmation and certificate
and its evaluation form exactly when they exist for the reader, and shows
the evaluations given."""

from __future__ import annotations

import re

import pytest

from app.evaluations import service as evaluations
from tests import factories
from tests.apps import login
from tests.evaluations import builders


@pytest.fixture
def parties(db, teacher, contact):
    school, company = teacher.organisations()[0], contact.organisations()[0]
    activity = factories.activity(company, contact=contact, title="Lassen")
    db.session.commit()
    return {"school": school, "activity": activity, "teacher": teacher, "contact": contact}


def booking(db, parties, status: str, past: bool = False):
    slot = (
        builders.past_slot(parties["activity"])
        if past
        else factories.slot(parties["activity"], days_ahead=10)
    )
    row = builders.booking(slot, parties["school"], status=status, teacher=parties["teacher"])
    db.session.commit()
    return row


def page(client, row) -> str:
    response = client.get(f"/bookings/{row.id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def link(body: str, link_id: str) -> str | None:
    found = re.search(rf'<a id="{link_id}"[^>]* href="([^"]+)"', body)
    return found.group(1) if found else None


def test_add_to_calendar_while_the_group_is_expected(app, db, parties, teacher_client):
    for status in ("requested", "confirmed"):
        row = booking(db, parties, status)
        href = link(page(teacher_client, row), "link-calendar")
        assert href == f"/bookings/{row.id}.ics"
        answer = teacher_client.get(href)
        assert answer.status_code == 200 and answer.mimetype == "text/calendar"
    for status, past in (("waitlisted", False), ("cancelled", False), ("completed", True)):
        body = page(teacher_client, booking(db, parties, status, past))
        assert link(body, "link-calendar") is None


def test_the_confirmation_once_confirmed(app, db, parties, teacher_client, contact_client):
    row = booking(db, parties, "confirmed")
    for client in (teacher_client, contact_client):
        href = link(page(client, row), "link-confirmation")
        assert href == f"/bookings/{row.id}/confirmation.pdf"
        assert client.get(href).mimetype == "application/pdf"
    for status in ("requested", "waitlisted", "declined", "cancelled"):
        body = page(teacher_client, booking(db, parties, status))
        assert link(body, "link-confirmation") is None
        assert 'id="downloads"' not in body or status == "requested"


def test_the_certificate_once_it_took_place(app, db, parties, teacher_client):
    row = booking(db, parties, "completed", past=True)
    href = link(page(teacher_client, row), "link-certificate")
    assert href == f"/bookings/{row.id}/certificate.pdf"
    assert teacher_client.get(href).mimetype == "application/pdf"
    assert link(page(teacher_client, row), "link-confirmation") is not None
    assert link(page(teacher_client, booking(db, parties, "confirmed")), "link-certificate") is None


def test_the_evaluation_form_until_the_own_side_evaluated(
    app, db, parties, teacher_client, contact_client, coordinator_client
):
    upcoming = booking(db, parties, "confirmed")
    assert 'id="evaluation"' not in page(teacher_client, upcoming)

    row = booking(db, parties, "completed", past=True)
    form = f"/bookings/{row.id}/evaluation?side=school"
    assert link(page(teacher_client, row), "link-evaluate-school") == form
    assert teacher_client.get(form).status_code == 200
    assert link(page(contact_client, row), "link-evaluate-company") is not None
    # A coordinator reads the evaluations but gives none.
    coordinator = page(coordinator_client, row)
    assert 'id="evaluation"' in coordinator and "link-evaluate" not in coordinator

    evaluations.submit_evaluation(
        parties["teacher"],
        row,
        "school",
        evaluations.Answers(rating=4, went_well="<b>Goed</b> gedaan", students_attended=17),
    )
    db.session.commit()
    school_page = page(teacher_client, row)
    assert "link-evaluate" not in school_page
    assert 'id="given-evaluation-school"' in school_page
    assert "&lt;b&gt;Goed&lt;/b&gt; gedaan" in school_page and "<b>Goed" not in school_page
    # The company still evaluates its side, and reads the school's meanwhile.
    company_page = page(contact_client, row)
    assert link(company_page, "link-evaluate-company") is not None
    assert 'id="given-evaluation-school"' in company_page
    assert 'id="given-evaluation-school"' in page(coordinator_client, row)


def test_someone_on_both_sides_gets_a_link_per_side(app, db, parties):
    from app.accounts.models import Membership

    both = parties["teacher"]
    db.session.add(Membership(user=both, organisation=parties["activity"].company, role="contact"))
    db.session.commit()
    row = booking(db, parties, "completed", past=True)
    body = page(login(app.test_client(), both), row)
    assert link(body, "link-evaluate-school") and link(body, "link-evaluate-company")
