"""The loopbaandossier sheet of a booking: composed from the activity's tags,
the career competences' questions, the company's and the teacher's questions;
printed as a PDF for the class (text extracted and checked), and as the
pupils' page behind an unguessable link that works without an account and
without JavaScript and sends nothing back."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest

from app.curriculum.service import load_reference, set_tags
from app.lob import service
from tests import factories
from tests.apps import login
from tests.documents import pdf
from tests.evaluations import builders
from tests.pages import field_errors


@pytest.fixture
def booking(db, teacher, contact):
    load_reference()
    school = teacher.organisations()[0]
    activity = factories.activity(
        contact.organisations()[0], contact_id=contact.id, title="Bouwplaats in bedrijf"
    )
    set_tags(
        activity.id, {"module": ["BWI-1"], "keuzevak": ["BWI-K01"], "competence": ["netwerken"]}
    )
    slot = factories.slot(activity)
    row = builders.booking(
        slot, school, size=24, status="confirmed", profile="BWI", teacher=teacher
    )
    db.session.commit()
    return row


def share(client, booking) -> str:
    client.post(f"/bookings/{booking.id}/lob-sheet/link")
    page = client.get(f"/bookings/{booking.id}/lob-sheet").get_data(as_text=True)
    link = re.search(r'id="pupils-link" readonly value="([^"]+)"', page).group(1)
    return urlsplit(link).path


def test_the_company_and_the_teacher_add_to_the_pdf_for_the_class(
    db, app, booking, teacher_client, contact_client
):
    contact_client.post(
        f"/activities/{booking.slot.activity_id}/lob-questions",
        data={
            "prepare": "Welke machine wil je bedienen?",
            "look_for": "Let op de veiligheidsregels",
        },
    )
    saved = teacher_client.post(
        f"/bookings/{booking.id}/lob-sheet",
        data={"goals": "Je kent drie beroepen in de bouw\n\n", "follow_up": "Kies een meeloopdag"},
    )
    assert saved.status_code == 303
    response = teacher_client.get(f"/bookings/{booking.id}/lob-sheet.pdf?lang=nl")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Cache-Control"] == "private, no-store"
    words = pdf.squeezed(pdf.text(pdf.read(response.get_data())))
    for expected in (
        "Bouwplaats in bedrijf",
        "BWI-1 Bouwproces en bouwvoorbereiding",
        "BWI-K01 Constructieve aansluitingen en afwerking",
        "Welke machine wil je bedienen?",
        "Let op de veiligheidsregels",
        "Je kent drie beroepen in de bouw",
        "Kies een meeloopdag",
        "Kwaliteitenreflectie: Waar ben ik goed in?",
        "Motievenreflectie: Wat vind ik belangrijk?",
    ):
        assert pdf.squeezed(expected) in words, expected
    # The teacher's goals replace the standard ones; all five competences are asked.
    sheet = service.compose(booking)
    assert sheet.goals == ["Je kent drie beroepen in de bouw"]
    assert len(sheet.competences) == 5
    assert [c.entry.code for c in sheet.competences if c.addressed] == ["netwerken"]


def test_the_pupils_page_needs_no_account_and_sends_nothing(db, app, booking, teacher_client):
    path = share(teacher_client, booking)
    anonymous = app.test_client()
    response = anonymous.get(path)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "private, no-store"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert "noindex" in response.headers["X-Robots-Tag"]
    page = response.get_data(as_text=True)
    sheet = page.split('id="lob-sheet"', 1)[1].split("</article>", 1)[0]
    # Every question has its own field to answer in, and nothing posts them.
    assert sheet.count("<textarea") == len(re.findall(r'<p id="[a-z]+-\d+-q">', sheet)) >= 5 + 6
    assert "<form" not in sheet
    assert "Bouwplaats in bedrijf" in sheet and "Waar ben ik goed in?" in sheet
    assert len(path.rsplit("/", 1)[1]) >= 40  # 32 random bytes


def test_a_new_link_ends_the_old_and_a_cancelled_booking_ends_both(
    db, app, booking, teacher_client
):
    old = share(teacher_client, booking)
    teacher_client.post(f"/bookings/{booking.id}/lob-sheet/link", data={"renew": "1"})
    new = share(teacher_client, booking)
    anonymous = app.test_client()
    assert old != new
    assert anonymous.get(old).status_code == 404
    assert anonymous.get(new).status_code == 200
    booking.status = "cancelled"
    db.session.commit()
    assert anonymous.get(new).status_code == 404
    assert anonymous.get("/lob/" + "x" * 43).status_code == 404


def test_too_many_questions_come_back_at_their_field(db, booking, teacher_client):
    answer = teacher_client.post(
        f"/bookings/{booking.id}/lob-sheet",
        data={"prepare": "\n".join(f"Vraag {i}?" for i in range(20))},
    )
    assert answer.status_code == 422
    assert field_errors(answer.get_data(as_text=True), "prepare")
    assert service.sheet_of(booking) is None


def test_who_may_do_what(db, app, booking, contact_client):
    # The company reads the sheet but does not adapt it for the class.
    assert contact_client.get(f"/bookings/{booking.id}/lob-sheet").status_code == 200
    assert (
        contact_client.post(f"/bookings/{booking.id}/lob-sheet", data={"goals": "x"}).status_code
        == 403
    )
    stranger = login(app.test_client(), factories.user(factories.school(), "teacher"))
    assert stranger.get(f"/bookings/{booking.id}/lob-sheet").status_code == 404
    assert stranger.get(f"/bookings/{booking.id}/lob-sheet.pdf").status_code == 404
    other = login(app.test_client(), factories.user(factories.company(), "contact"))
    assert other.get(f"/activities/{booking.slot.activity_id}/lob-questions").status_code == 404
