"""The request pages for the three roles, with and without htmx; bad input is a
field error, another school's request a 404."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from app.bookings.models import Booking
from app.school_requests.models import RequestResponse, SchoolRequest
from app.school_requests.service import today_local
from tests import factories
from tests.apps import login
from tests.pages import dutch, field_errors, flashes
from tests.school_requests.helpers import post, propose


def form_data(**changes) -> dict:
    today = today_local()
    data = {
        "kind": "workshop",
        "topic": "Zonnepanelen",
        "group_size": "24",
        "year": "3",
        "path": "KB",
        "profile": "PIE",
        "first_day": (today + timedelta(days=7)).isoformat(),
        "last_day": (today + timedelta(days=40)).isoformat(),
        "venues": ["company", "school"],
        "max_km": "25",
        "remarks": "",
    }
    data.update(changes)
    return data


def test_a_teacher_posts_a_request_through_the_form(db, teacher_client, school):
    page = teacher_client.get("/requests/new")
    assert page.status_code == 200 and 'id="request-form"' in page.get_data(as_text=True)
    answer = teacher_client.post("/requests/new", data=form_data())
    assert answer.status_code == 302
    posted = db.session.scalar(select(SchoolRequest))
    assert answer.headers["Location"] == f"/requests/{posted.id}"
    assert posted.topic == "Zonnepanelen" and posted.venues == frozenset({"company", "school"})
    assert posted.max_km == 25
    mine = teacher_client.get("/requests").get_data(as_text=True)
    assert f'data-request="{posted.id}"' in mine


def test_a_period_in_the_past_is_a_field_error(db, teacher_client):
    yesterday = today_local() - timedelta(days=1)
    answer = teacher_client.post(
        "/requests/new",
        data=form_data(
            first_day=(yesterday - timedelta(days=5)).isoformat(), last_day=yesterday.isoformat()
        ),
    )
    assert answer.status_code == 422
    page = answer.get_data(as_text=True)
    assert field_errors(page, "last_day") == [dutch("This period lies in the past.")]
    assert db.session.scalar(select(func.count()).select_from(SchoolRequest)) == 0


def test_junk_in_the_form_is_a_field_error_not_a_500(db, teacher_client):
    for changes in (
        {"group_size": "veel"},
        {"first_day": "gisteren"},
        {"max_km": "-4"},
        {"year": "9"},
        {"kind": "feest"},
        {"venues": ["strand"]},
        {"profile": "XYZ"},
        {"first_day": "0001-01-01"},
        {"group_size": "99999999999999"},
    ):
        answer = teacher_client.post("/requests/new", data=form_data(**changes))
        assert answer.status_code == 422, changes


def test_another_schools_request_is_a_404_on_every_method(db, app, teacher, contact, slot):
    posted = post(teacher)
    response = propose(contact, posted, slot)
    other_school = factories.school(name="Het Assink")
    stranger = login(app.test_client(), factories.user(other_school, "teacher"))
    assert stranger.get(f"/requests/{posted.id}").status_code == 404
    assert stranger.post(f"/requests/{posted.id}/withdraw").status_code == 404
    assert stranger.post(f"/requests/{posted.id}/proposals/{response.id}/accept").status_code == 404
    assert stranger.get(f"/requests/{posted.id}/answer").status_code == 404
    assert stranger.get("/requests/999999").status_code == 404
    assert posted.status == "answered"


def test_a_company_sees_the_request_but_not_who_asked(db, teacher, contact_client):
    posted = post(teacher)
    page = contact_client.get(f"/requests/{posted.id}").get_data(as_text=True)
    assert posted.topic in page and posted.school.name in page
    assert teacher.email not in page and teacher.name not in page
    assert 'id="answer-link"' in page


def test_companies_do_not_see_each_others_proposals(db, app, teacher, contact, slot):
    posted = post(teacher)
    propose(contact, posted, slot)
    rival_company = factories.company(name="Concurrent BV")
    rival = factories.user(rival_company, "contact")
    page = login(app.test_client(), rival).get(f"/requests/{posted.id}").get_data(as_text=True)
    assert slot.activity.company.name not in page
    assert 'class="proposal"' not in page


def test_a_company_answers_with_one_of_its_dates(db, teacher, contact_client, slot, outbox):
    posted = post(teacher)
    form = contact_client.get(f"/requests/{posted.id}/answer").get_data(as_text=True)
    assert f'value="{slot.id}"' in form
    answer = contact_client.post(
        f"/requests/{posted.id}/answer",
        data={
            "company": str(slot.activity.company_id),
            "option": "slot",
            "slot": str(slot.id),
            "message": "Welkom!",
        },
    )
    assert answer.status_code == 302
    response = db.session.scalar(select(RequestResponse))
    assert response.slot_id == slot.id and response.message == "Welkom!"
    [mail] = outbox("request_answered")
    assert mail.recipient == teacher.email


def test_the_answer_form_says_which_fields_an_option_needs(db, teacher, contact_client, slot):
    posted = post(teacher)
    answer = contact_client.post(
        f"/requests/{posted.id}/answer",
        data={"company": str(slot.activity.company_id), "option": "new_slot"},
    )
    assert answer.status_code == 422
    page = answer.get_data(as_text=True)
    for name in ("activity", "day", "start", "end"):
        assert field_errors(page, name) == [dutch("Fill this in for this option.")], name
    past = today_local() - timedelta(days=3)
    answer = contact_client.post(
        f"/requests/{posted.id}/answer",
        data={
            "company": str(slot.activity.company_id),
            "option": "new_slot",
            "activity": str(slot.activity_id),
            "day": past.isoformat(),
            "start": "09:00",
            "end": "11:00",
            "capacity": "24",
        },
    )
    assert answer.status_code == 422
    assert field_errors(answer.get_data(as_text=True), "day") == [
        dutch("A slot cannot start in the past.")
    ]
    assert db.session.scalar(select(func.count()).select_from(RequestResponse)) == 0


def test_a_company_outside_the_profile_is_warned_and_marked(db, app, teacher):
    posted = post(teacher)
    ict = factories.company(name="Pixel Media", sectors=frozenset({"ict"}))
    person = factories.user(ict, "contact")
    ict_slot = factories.slot(factories.activity(ict, profiles=frozenset()))
    client = login(app.test_client(), person)
    assert 'id="outside-match"' in client.get(f"/requests/{posted.id}/answer").get_data(
        as_text=True
    )
    client.post(
        f"/requests/{posted.id}/answer",
        data={"company": str(ict.id), "option": "slot", "slot": str(ict_slot.id)},
    )
    teacher_page = login(app.test_client(), teacher).get(f"/requests/{posted.id}")
    assert "data-outside-match" in teacher_page.get_data(as_text=True)


def test_accepting_without_javascript_books_and_redirects(
    db, teacher, teacher_client, contact, slot
):
    posted = post(teacher)
    response = propose(contact, posted, slot)
    answer = teacher_client.post(f"/requests/{posted.id}/proposals/{response.id}/accept")
    assert answer.status_code == 302 and answer.headers["Location"] == f"/requests/{posted.id}"
    booking = db.session.scalar(select(Booking))
    assert booking.slot_id == slot.id
    page = teacher_client.get(f"/requests/{posted.id}").get_data(as_text=True)
    assert flashes(page, "success") == [
        dutch("Accepted: your booking is made. The company will confirm it.")
    ]
    assert f'href="/bookings/{booking.id}"' in page
    mine = teacher_client.get("/bookings").get_data(as_text=True)
    assert f'id="booking-{booking.id}"' in mine


def test_accepting_with_htmx_answers_the_proposals_block(
    db, teacher, teacher_client, contact, slot
):
    posted = post(teacher)
    response = propose(contact, posted, slot)
    answer = teacher_client.post(
        f"/requests/{posted.id}/proposals/{response.id}/accept", headers={"HX-Request": "true"}
    )
    assert answer.status_code == 200
    assert answer.headers["HX-Trigger"] == "RequestFulfilled"
    assert "HX-Request" in answer.headers["Vary"]
    block = answer.get_data(as_text=True)
    assert block.lstrip().startswith('<section id="proposals">')
    assert "<html" not in block
    assert 'data-status="accepted"' in block and 'data-state="fulfilled"' in block
    # Sent again (a double click): a message in the block, still one booking.
    again = teacher_client.post(
        f"/requests/{posted.id}/proposals/{response.id}/accept", headers={"HX-Request": "true"}
    )
    assert again.status_code == 200
    assert dutch("This proposal is no longer open.") in again.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Booking)) == 1


def test_a_teacher_withdraws_a_request(db, teacher, teacher_client, contact, slot, outbox):
    posted = post(teacher)
    propose(contact, posted, slot)
    answer = teacher_client.post(
        f"/requests/{posted.id}/withdraw", data={"withdraw-reason": "Rooster gewijzigd"}
    )
    assert answer.status_code == 302
    db.session.refresh(posted)
    assert posted.status == "withdrawn"
    [mail] = outbox("request_closed")
    assert mail.recipient == contact.email
    # Withdrawn: no more answers.
    again = teacher_client.post(f"/requests/{posted.id}/withdraw", data={})
    assert again.status_code == 409
    assert dutch("This request is no longer open.") in again.get_data(as_text=True)


def test_only_coordinators_see_all_requests_and_the_mismatch(
    db, teacher, teacher_client, contact_client, coordinator_client
):
    post(teacher)
    for client in (teacher_client, contact_client):
        assert client.get("/requests/all").status_code == 404
        assert client.get("/mismatch").status_code == 404
    page = coordinator_client.get("/requests/all?profile=PIE&page=abc&year=99")
    assert page.status_code == 200
    assert 'id="request-count"' in page.get_data(as_text=True)
    assert coordinator_client.get("/mismatch").status_code == 200
    assert coordinator_client.get("/mismatch/schools").status_code == 200
    assert coordinator_client.get("/mismatch/companies?school_year=abc").status_code == 200


def test_requests_for_you_lists_what_fits(db, app, teacher, contact_client):
    fitting = post(teacher)
    elsewhere = post(teacher, topic="Game design", profile="MVI")
    page = contact_client.get("/requests/for-you").get_data(as_text=True)
    assert f'data-request="{fitting.id}"' in page
    assert f'data-request="{elsewhere.id}"' not in page
    everything = contact_client.get("/requests/for-you?all=1").get_data(as_text=True)
    assert f'data-request="{elsewhere.id}"' in everything
    filtered = contact_client.get("/requests/for-you?all=1&profile=MVI").get_data(as_text=True)
    assert f'data-request="{fitting.id}"' not in filtered
    assert contact_client.get("/requests/proposals").status_code == 200


def test_junk_in_the_answer_form_is_never_a_500(db, teacher, contact_client, slot):
    posted = post(teacher)
    junk = ["", "abc", "-1", "99999999999999999999", "0001-01-01", "25:61", "<b>", "x" * 3000]
    fields = [
        "company",
        "option",
        "slot",
        "activity",
        "day",
        "start",
        "end",
        "capacity",
        "professional",
        "hours_per_week",
        "weekdays",
        "lesson_start",
        "lesson_end",
        "first_date",
        "last_date",
        "message",
    ]
    for option in ("slot", "new_slot", "placement"):
        for field in fields:
            for value in junk:
                answer = contact_client.post(
                    f"/requests/{posted.id}/answer", data={"option": option, field: value}
                )
                # One field alone never makes a proposal: the form comes back.
                assert answer.status_code == 422, (option, field, value)
