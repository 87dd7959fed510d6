"""The evaluation page: each party evaluates its side (with and without htmx),
reads the other's, coordinators read both, strangers find nothing."""

from __future__ import annotations

import re

from flask_babel import force_locale, ngettext
from sqlalchemy import select

from app.evaluations.models import Evaluation
from tests import factories
from tests.apps import login
from tests.evaluations import builders
from tests.pages import field_errors

HTMX = {"HX-Request": "true"}
# The school's four answers on how meaningful it was.
MEANINGFUL = {
    "clear_purpose": "yes",
    "professionals_interaction": "yes",
    "pupils_reflected": "no",
    "follow_up_planned": "yes",
}


def url(booking, **query):
    return f"/bookings/{booking.id}/evaluation" + "".join(
        f"{'?' if i == 0 else '&'}{k}={v}" for i, (k, v) in enumerate(query.items())
    )


def test_the_teacher_evaluates_with_a_head_count(db, teacher_client, completed, teacher):
    page = teacher_client.get(url(completed)).get_data(as_text=True)
    assert 'name="students_attended"' in page and 'name="rating"' in page
    assert "Robots bouwen" in page

    response = teacher_client.post(
        url(completed),
        data={
            "students_attended": "17",
            "rating": "4",
            "went_well": "Veel zelf doen",
            "could_be_better": "",
            **MEANINGFUL,
        },
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(url(completed, side="school"))
    row = db.session.scalars(select(Evaluation)).one()
    assert (row.side, row.students_attended, row.rating, row.went_well, row.submitted_by_id) == (
        "school",
        17,
        4,
        "Veel zelf doen",
        teacher.id,
    )
    assert (
        row.clear_purpose,
        row.professionals_interaction,
        row.pupils_reflected,
        row.follow_up_planned,
    ) == (True, True, False, True)

    # Done: the form is gone, the answers are shown.
    page = teacher_client.get(url(completed)).get_data(as_text=True)
    assert 'name="rating"' not in page
    assert "Veel zelf doen" in page


def test_the_company_evaluates_without_counting_students(db, contact_client, completed):
    page = contact_client.get(url(completed)).get_data(as_text=True)
    assert 'name="rating"' in page and 'name="students_attended"' not in page
    assert 'name="clear_purpose"' not in page  # only the school judges what it meant to pupils
    response = contact_client.post(
        url(completed), data={"rating": "5", "students_attended": "3", **MEANINGFUL}
    )
    assert response.status_code == 302
    row = db.session.scalars(select(Evaluation)).one()
    assert (row.side, row.students_attended, row.rating) == ("company", None, 5)
    assert row.clear_purpose is None and row.follow_up_planned is None


def test_wrong_answers_come_back_at_their_fields(db, teacher_client, completed):
    response = teacher_client.post(url(completed), data={"students_attended": "25"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert field_errors(page, "students_attended")  # 20 were booked
    assert re.search(r'id="rating-error"', page)
    for code in MEANINGFUL:
        assert f'id="{code}-error"' in page
    assert db.session.scalars(select(Evaluation)).all() == []


def test_with_htmx_the_panel_is_swapped(db, teacher_client, completed):
    invalid = teacher_client.post(url(completed), data={"rating": "9"}, headers=HTMX)
    # htmx swaps only successful answers, so the errors come back with 200.
    assert invalid.status_code == 200
    assert "<html" not in invalid.get_data(as_text=True)
    assert 'id="rating-error"' in invalid.get_data(as_text=True)

    saved = teacher_client.post(
        url(completed), data={"rating": "3", "students_attended": "20", **MEANINGFUL}, headers=HTMX
    )
    body = saved.get_data(as_text=True)
    assert saved.status_code == 200 and saved.headers["HX-Trigger"] == "EvaluationSubmitted"
    assert body.lstrip().startswith('<section id="evaluation-panel">')
    assert 'class="flash flash-success"' in body and 'name="rating"' not in body
    assert "HX-Request" in saved.headers["Vary"]


def test_the_other_party_and_coordinators_read_it_escaped(
    app, db, completed, teacher, contact, coordinator
):
    builders.evaluation(
        completed, "school", rating=2, attended=15, went_well='<script>alert("x")</script>'
    )
    db.session.commit()
    for person in (contact, coordinator):
        client = login(app.test_client(), person)
        page = client.get(url(completed)).get_data(as_text=True)
        assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page
        assert "<script>alert" not in page
        assert re.search(r'id="evaluation-school".*?<strong>2</strong> / 5', page, re.S)
    # The coordinator is no party: a page to read, no form, and posting is refused.
    coordinator_page = client.get(url(completed)).get_data(as_text=True)
    assert 'name="rating"' not in coordinator_page
    assert client.post(url(completed), data={"rating": "5"}).status_code == 403


def test_a_stranger_finds_no_evaluation(db, client, completed):
    stranger = factories.user(factories.school(), "teacher")
    login(client, stranger)
    assert client.get(url(completed)).status_code == 404
    assert (
        client.post(url(completed), data={"rating": "5", "students_attended": "1"}).status_code
        == 404
    )
    assert client.get("/bookings/999999/evaluation").status_code == 404
    assert db.session.scalars(select(Evaluation)).all() == []


def test_a_post_without_the_csrf_token_is_refused(db, teacher_client, csrf_enabled, completed):
    response = teacher_client.post(url(completed), data={"rating": "5", "students_attended": "2"})
    assert response.status_code == 400
    assert db.session.scalars(select(Evaluation)).all() == []


def test_a_booking_still_to_come_shows_no_form(db, teacher_client, activity, school):
    upcoming = builders.booking(factories.slot(activity), school, status="confirmed")
    db.session.commit()
    page = teacher_client.get(url(upcoming)).get_data(as_text=True)
    assert 'name="rating"' not in page
    response = teacher_client.post(url(upcoming), data={"rating": "5", "students_attended": "2"})
    assert response.status_code == 422
    assert db.session.scalars(select(Evaluation)).all() == []


def test_the_list_shows_what_is_still_to_evaluate(db, teacher_client, completed):
    page = teacher_client.get("/evaluations").get_data(as_text=True)
    assert f'id="awaiting-{completed.id}-school"' in page
    teacher_client.post(
        url(completed), data={"rating": "4", "students_attended": "20", **MEANINGFUL}
    )
    page = teacher_client.get("/evaluations").get_data(as_text=True)
    assert f'id="awaiting-{completed.id}-school"' not in page
    assert "4 / 5" in page


def test_the_company_reads_the_share_per_criterion_over_its_evaluations(
    db, contact_client, activity, school, teacher
):
    """Three school evaluations answered, one from before the questions were
    asked (all empty), one by the company itself: the shares count the three."""
    answers = [
        dict(clear_purpose=True, professionals_interaction=True, pupils_reflected=False),
        dict(clear_purpose=True, professionals_interaction=False, pupils_reflected=False),
        dict(clear_purpose=False, professionals_interaction=True, pupils_reflected=True),
    ]
    for given in answers:
        done = builders.booking(builders.past_slot(activity), school, teacher=teacher)
        builders.evaluation(done, "school", attended=10, follow_up_planned=True, **given)
    old = builders.booking(builders.past_slot(activity), school, teacher=teacher)
    builders.evaluation(old, "school", attended=10)
    builders.evaluation(old, "company")
    # Another company's evaluations are not this company's feedback.
    elsewhere = factories.activity(factories.company())
    other = builders.booking(builders.past_slot(elsewhere), school, teacher=teacher)
    builders.evaluation(other, "school", attended=5, clear_purpose=False)
    db.session.commit()

    page = contact_client.get("/evaluations").get_data(as_text=True)
    company = activity.company

    def cell(criterion):
        row = re.search(rf'id="feedback-{company.id}-{criterion}">(.*?)</tr>', page, re.S)
        return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row.group(1))).strip()

    expected = {
        code: sum(bool(a.get(code, code == "follow_up_planned")) for a in answers)
        for code in MEANINGFUL
    }
    for code, yes in expected.items():
        percent = round(100 * yes / 3)
        with force_locale("nl"):
            count = ngettext(
                "%(yes)d of %(num)d evaluation", "%(yes)d of %(num)d evaluations", 3, yes=yes
            )
        assert count.startswith(f"{yes} van 3")
        assert f"{percent}%" in cell(code) and count in cell(code)


def test_the_schools_page_shows_no_company_feedback(db, teacher_client, completed):
    page = teacher_client.get("/evaluations").get_data(as_text=True)
    assert 'class="meaningfulness"' not in page
