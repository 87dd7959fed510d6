"""The booking pages: a teacher books and cancels, a company confirms and declines
in place (htmx) or with plain forms, and nobody reaches another's booking."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from app.bookings.models import Booking
from tests import factories
from tests.apps import login
from tests.bookings.helpers import assert_places_add_up, book, statuses
from tests.pages import dutch, field_errors, flashes, form_errors

HTMX = {"HX-Request": "true"}


def booking_form(page: str, **values) -> dict:
    """The form's fields as the browser would send them, with these changes."""
    token = re.search(r'name="token"[^>]*value="([0-9a-f]{32})"', page)
    assert token, "the form carries a one-time token"
    data = {
        "token": token.group(1),
        "group_size": "12",
        "year": "3",
        "path": "KB",
        "profile": "PIE",
        "remarks": "Two students use a wheelchair.",
    }
    data.update(values)
    return {k: v for k, v in data.items() if v is not None}


def bookings_count(db) -> int:
    return db.session.scalar(select(func.count(Booking.id)))


def only_booking(db) -> Booking:
    return db.session.scalars(select(Booking)).one()


# --- booking ----------------------------------------------------------------------------


def test_a_teacher_books_a_slot_and_sees_the_booking(db, teacher_client, teacher, contact, slot):
    form_page = teacher_client.get(f"/slots/{slot.id}/book")
    assert form_page.status_code == 200
    page = form_page.get_data(as_text=True)
    assert slot.activity.title in page
    assert re.search(r'id="free-places"[^<]*<strong>30', page)
    assert 'name="accept_waitlist"' in page and 'name="teacher"' in page
    # One school: nothing to choose.
    assert 'name="school"' not in page

    response = teacher_client.post(f"/slots/{slot.id}/book", data=booking_form(page))
    assert response.status_code == 302
    booking = only_booking(db)
    assert response.headers["Location"] == f"/bookings/{booking.id}"
    assert (booking.status, booking.group_size, booking.teacher_id) == ("requested", 12, teacher.id)
    assert booking.remarks == "Two students use a wheelchair."
    assert_places_add_up(slot)

    shown = teacher_client.get(response.headers["Location"]).get_data(as_text=True)
    assert flashes(shown, "success") == [
        dutch("Your booking is made. The company will confirm it.")
    ]
    assert 'class="badge badge-requested"' in shown
    assert dutch("Booked; the company has yet to confirm") in shown
    assert teacher.name in shown  # the actor of the history entry
    # The company's contact person, for the parties of the booking.
    assert contact.email in shown
    # The teacher may cancel; confirming is the company's.
    assert f'action="/bookings/{booking.id}/cancel"' in shown
    assert f'action="/bookings/{booking.id}/confirm"' not in shown


def test_the_same_form_sent_twice_makes_one_booking(db, teacher_client, slot):
    page = teacher_client.get(f"/slots/{slot.id}/book").get_data(as_text=True)
    data = booking_form(page)
    first = teacher_client.post(f"/slots/{slot.id}/book", data=data)
    second = teacher_client.post(f"/slots/{slot.id}/book", data=data)
    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"]
    assert bookings_count(db) == 1
    assert_places_add_up(slot)
    assert slot.taken == 12
    # A new form is a new booking: two classes of one school may go together.
    again = teacher_client.get(f"/slots/{slot.id}/book").get_data(as_text=True)
    assert (
        teacher_client.post(f"/slots/{slot.id}/book", data=booking_form(again)).status_code == 302
    )
    assert bookings_count(db) == 2


def test_an_overlapping_booking_shows_a_warning(db, teacher_client, teacher, company, slot):
    book(teacher, slot, 5)
    db.session.commit()
    other = factories.slot(factories.activity(company), starts_at=slot.starts_at)
    db.session.commit()
    page = teacher_client.get(f"/slots/{other.id}/book").get_data(as_text=True)
    response = teacher_client.post(
        f"/slots/{other.id}/book", data=booking_form(page), follow_redirects=True
    )
    shown = response.get_data(as_text=True)
    assert len(flashes(shown, "warning")) == 1
    assert len(flashes(shown, "success")) == 1


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"group_size": "0"}, "group_size", "A group has at least one student."),
        ({"group_size": "-3"}, "group_size", "A group has at least one student."),
        ({"group_size": "31"}, "group_size", None),
        ({"group_size": "many"}, "group_size", None),
        ({"group_size": ""}, "group_size", "Give the number of students."),
        ({"year": "7"}, "year", "This activity is not meant for this school year."),
        ({"path": "XY"}, "path", "This activity is not meant for this learning path."),
        ({"profile": "MVI"}, "profile", "This activity is not meant for this profile."),
        ({"profile": ""}, "profile", "Choose the profile of the group."),
        ({"teacher": "999999"}, "teacher", "Choose a teacher of the school."),
    ],
)
def test_bad_input_is_a_message_at_the_field(db, teacher_client, slot, values, field, message):
    page = teacher_client.get(f"/slots/{slot.id}/book").get_data(as_text=True)
    response = teacher_client.post(f"/slots/{slot.id}/book", data=booking_form(page, **values))
    assert response.status_code == 422
    errors = field_errors(response.get_data(as_text=True), field)
    assert errors, response.get_data(as_text=True)
    if message:
        assert errors == [dutch(message)]
    assert bookings_count(db) == 0
    assert slot.taken == 0


def test_a_teacher_of_another_school_is_refused_as_responsible(db, teacher_client, slot):
    stranger = factories.user(factories.school(), "teacher")
    page = teacher_client.get(f"/slots/{slot.id}/book").get_data(as_text=True)
    response = teacher_client.post(
        f"/slots/{slot.id}/book", data=booking_form(page, teacher=str(stranger.id))
    )
    assert response.status_code == 422
    assert field_errors(response.get_data(as_text=True), "teacher") == [
        dutch("Choose a teacher of the school.")
    ]


def test_a_full_slot_says_so_at_the_group_size_and_offers_the_waiting_list(
    db, teacher_client, teacher, slot
):
    book(teacher, slot, 25)
    db.session.commit()
    page = teacher_client.get(f"/slots/{slot.id}/book").get_data(as_text=True)
    refused = teacher_client.post(f"/slots/{slot.id}/book", data=booking_form(page))
    assert refused.status_code == 422
    assert field_errors(refused.get_data(as_text=True), "group_size") == [
        "Dit tijdslot heeft 5 vrije plaatsen: niet genoeg voor deze groep."
    ]
    assert bookings_count(db) == 1

    waiting = teacher_client.post(
        f"/slots/{slot.id}/book", data=booking_form(page, accept_waitlist="y")
    )
    assert waiting.status_code == 302
    assert statuses(*db.session.scalars(select(Booking).order_by(Booking.id))) == [
        "requested",
        "waitlisted",
    ]


def test_a_past_or_cancelled_slot_is_a_message_above_the_form(
    db, teacher_client, contact, activity, slot
):
    from app.catalogue import service as catalogue

    past = factories.slot(activity, days_ahead=-3)
    db.session.commit()
    page = teacher_client.get(f"/slots/{past.id}/book").get_data(as_text=True)
    response = teacher_client.post(f"/slots/{past.id}/book", data=booking_form(page))
    assert response.status_code == 422
    assert form_errors(response.get_data(as_text=True)) == [dutch("This slot lies in the past.")]

    catalogue.cancel_slot(slot, "Closed", contact)
    db.session.commit()
    page = teacher_client.get(f"/slots/{slot.id}/book").get_data(as_text=True)
    response = teacher_client.post(f"/slots/{slot.id}/book", data=booking_form(page))
    assert response.status_code == 422
    assert form_errors(response.get_data(as_text=True)) == [dutch("This slot is cancelled.")]
    assert bookings_count(db) == 0


def test_a_teacher_of_several_schools_chooses_the_school(db, app, teacher, slot):
    second = factories.school(name="Second school")
    factories.user(second, "teacher", email="colleague@second.test")
    from app.accounts.models import Membership

    db.session.add(Membership(user=teacher, organisation=second, role="teacher"))
    db.session.commit()
    client = login(app.test_client(), teacher)
    page = client.get(f"/slots/{slot.id}/book").get_data(as_text=True)
    assert 'name="school"' in page and "Second school" in page
    foreign = factories.school()
    db.session.commit()
    refused = client.post(f"/slots/{slot.id}/book", data=booking_form(page, school=str(foreign.id)))
    assert refused.status_code == 422
    assert field_errors(refused.get_data(as_text=True), "school")
    response = client.post(f"/slots/{slot.id}/book", data=booking_form(page, school=str(second.id)))
    assert response.status_code == 302
    assert only_booking(db).school_id == second.id


def test_only_teachers_book_and_only_published_activities(
    db, contact_client, teacher_client, company
):
    draft = factories.slot(factories.activity(company, status="draft"))
    db.session.commit()
    assert teacher_client.get(f"/slots/{draft.id}/book").status_code == 404
    assert teacher_client.get("/slots/999999/book").status_code == 404
    published = factories.slot(factories.activity(company))
    db.session.commit()
    assert contact_client.get(f"/slots/{published.id}/book").status_code == 403


def test_booking_needs_a_signed_in_person(db, client, slot):
    response = client.get(f"/slots/{slot.id}/book")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


# --- a school's bookings ----------------------------------------------------------------


def test_my_bookings_lists_upcoming_and_past(db, teacher_client, teacher, activity, slot):
    upcoming = book(teacher, slot, 10)
    past_slot = factories.slot(activity, days_ahead=-10)
    past = Booking(
        slot=past_slot,
        school=teacher.organisations()[0],
        teacher=teacher,
        booked_by=teacher,
        group_size=7,
        year="2",
        path="BB",
        status="completed",
    )
    db.session.add(past)
    other_school = factories.user(factories.school(), "teacher")
    theirs = book(other_school, slot, 4)
    db.session.commit()

    upcoming_part = teacher_client.get("/bookings").get_data(as_text=True)
    past_part = teacher_client.get("/bookings?tab=past").get_data(as_text=True)
    assert f'id="booking-{upcoming.id}"' in upcoming_part
    assert f'id="booking-{past.id}"' not in upcoming_part
    assert f'id="booking-{past.id}"' in past_part
    assert f'id="booking-{upcoming.id}"' not in past_part
    assert f'id="booking-{theirs.id}"' not in upcoming_part + past_part
    assert 'class="badge badge-completed"' in past_part
    # Cancelling from the list, in place.
    assert f'hx-post="/bookings/{upcoming.id}/cancel"' in upcoming_part
    assert f'hx-target="#booking-{upcoming.id}"' in upcoming_part


def test_cancelling_in_place_answers_only_the_row(db, teacher_client, teacher, slot, events):
    booking = book(teacher, slot, 10)
    db.session.commit()
    response = teacher_client.post(
        f"/bookings/{booking.id}/cancel", data={"cancel-reason": "Exam week"}, headers=HTMX
    )
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "<html" not in body
    assert body.strip().startswith(f'<article class="booking-row" id="booking-{booking.id}"')
    assert 'class="badge badge-cancelled"' in body
    assert response.headers["HX-Trigger"] == "BookingCancelled"
    assert "HX-Request" in response.headers["Vary"]
    assert statuses(booking) == ["cancelled"] and booking.cancel_reason == "Exam week"
    assert_places_add_up(slot)


def test_cancelling_without_a_reason_keeps_the_booking(db, teacher_client, teacher, slot):
    booking = book(teacher, slot, 10)
    db.session.commit()
    in_place = teacher_client.post(
        f"/bookings/{booking.id}/cancel", data={"cancel-reason": " "}, headers=HTMX
    )
    # htmx only swaps successful answers: the row comes back with the message.
    assert in_place.status_code == 200
    assert field_errors(in_place.get_data(as_text=True), f"cancel-reason-{booking.id}")
    plain = teacher_client.post(f"/bookings/{booking.id}/cancel", data={"cancel-reason": ""})
    assert plain.status_code == 422
    assert field_errors(plain.get_data(as_text=True), "cancel-reason") == [dutch("Give a reason.")]
    assert statuses(booking) == ["requested"]


def test_cancelling_without_javascript_goes_back_to_the_list(db, teacher_client, teacher, slot):
    booking = book(teacher, slot, 10)
    db.session.commit()
    response = teacher_client.post(
        f"/bookings/{booking.id}/cancel",
        data={"cancel-reason": "Bus strike", "cancel-next": "/bookings"},
    )
    assert response.status_code == 302 and response.headers["Location"] == "/bookings"
    assert statuses(booking) == ["cancelled"]
    # Only same-site paths are followed.
    other = book(teacher, slot, 5)
    db.session.commit()
    response = teacher_client.post(
        f"/bookings/{other.id}/cancel",
        data={"cancel-reason": "x", "cancel-next": "https://evil.test/"},
    )
    assert response.headers["Location"] == f"/bookings/{other.id}"


# --- the company's incoming bookings ------------------------------------------------------


def test_incoming_bookings_lists_requested_first(db, contact_client, teacher, contact, slot):
    requested = book(teacher, slot, 10)
    confirmed = book(teacher, slot, 12)
    from app.bookings import service

    service.confirm_booking(contact, confirmed)
    waiting = book(teacher, slot, 20, accept_waitlist=True)
    other_company_slot = factories.slot(factories.activity(factories.company()))
    not_ours = book(teacher, other_company_slot, 5)
    db.session.commit()

    page = contact_client.get("/company/bookings").get_data(as_text=True)
    positions = [page.index(f'id="booking-{b.id}"') for b in (requested, confirmed, waiting)]
    assert positions == sorted(positions)
    assert f'id="booking-{not_ours.id}"' not in page
    assert f'hx-post="/bookings/{requested.id}/confirm"' in page
    assert f'hx-post="/bookings/{requested.id}/decline"' in page
    assert f'hx-post="/bookings/{confirmed.id}/confirm"' not in page
    # A waiting booking can be declined, not confirmed.
    assert f'hx-post="/bookings/{waiting.id}/decline"' in page
    assert f'hx-post="/bookings/{waiting.id}/confirm"' not in page


def test_the_company_confirms_in_place(db, contact_client, teacher, slot, events):
    booking = book(teacher, slot, 10)
    db.session.commit()
    response = contact_client.post(f"/bookings/{booking.id}/confirm", headers=HTMX)
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "<html" not in body and "<main" not in body
    # The row leaves "waiting for your answer" for the confirmed list, and the
    # counts follow.
    assert response.headers["HX-Reswap"] == "delete"
    moved = body.split('hx-swap-oob="afterbegin:#confirmed-list">')[1].split("</article>")[0]
    assert f'<article class="booking-row" id="booking-{booking.id}"' in moved
    assert 'class="badge badge-confirmed"' in moved
    assert "/confirm" not in body  # nothing left to confirm
    assert re.search(r'id="count-requested" hx-swap-oob="true">0<', body)
    assert re.search(r'id="count-confirmed" hx-swap-oob="true">1<', body)
    assert response.headers["HX-Trigger"] == "BookingConfirmed"
    assert statuses(booking) == ["confirmed"]
    confirmed = events("BookingConfirmed")
    assert len(confirmed) == 1 and confirmed[0].payload["booking_id"] == booking.id


def test_the_company_declines_in_place_with_a_reason(db, contact_client, teacher, slot):
    booking = book(teacher, slot, 10)
    waiting = book(teacher, slot, 25, accept_waitlist=True)
    db.session.commit()
    refused = contact_client.post(
        f"/bookings/{booking.id}/decline", data={"decline-reason": ""}, headers=HTMX
    )
    assert refused.status_code == 200
    assert field_errors(refused.get_data(as_text=True), f"decline-reason-{booking.id}")
    assert statuses(booking) == ["requested"]

    response = contact_client.post(
        f"/bookings/{booking.id}/decline",
        data={"decline-reason": "Closed for inventory"},
        headers=HTMX,
    )
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    # A declined booking leaves the lists: the row goes, the counts follow
    # (the waiting group moved up into the places it left).
    assert response.headers["HX-Reswap"] == "delete"
    assert f'id="booking-{booking.id}"' not in body.split('id="count-requested"')[0]
    assert re.search(r'id="count-requested" hx-swap-oob="true">1<', body)
    assert re.search(r'id="count-waitlisted" hx-swap-oob="true">0<', body)
    assert response.headers["HX-Trigger"] == "BookingDeclined"
    assert statuses(booking, waiting) == ["declined", "requested"]
    assert booking.decline_reason == "Closed for inventory"
    assert_places_add_up(slot)


def test_the_company_answers_without_javascript(db, contact_client, teacher, slot):
    first = book(teacher, slot, 10)
    second = book(teacher, slot, 5)
    db.session.commit()
    response = contact_client.post(
        f"/bookings/{first.id}/confirm", data={"next": "/company/bookings"}
    )
    assert response.status_code == 302 and response.headers["Location"] == "/company/bookings"
    response = contact_client.post(
        f"/bookings/{second.id}/decline", data={"decline-reason": "Too small a group"}
    )
    assert response.status_code == 302 and response.headers["Location"] == "/company/bookings"
    assert statuses(first, second) == ["confirmed", "declined"]
    page = contact_client.get("/company/bookings").get_data(as_text=True)
    assert flashes(page, "success")
    # From the booking page, the plain form without a reason re-renders it.
    third = book(teacher, slot, 5)
    db.session.commit()
    refused = contact_client.post(f"/bookings/{third.id}/decline", data={"decline-reason": ""})
    assert refused.status_code == 422
    assert field_errors(refused.get_data(as_text=True), "decline-reason")


def test_confirming_a_cancelled_booking_is_a_message_not_an_error(
    db, contact_client, teacher, slot
):
    from app.bookings import service

    booking = book(teacher, slot, 10)
    service.cancel_booking(teacher, booking, "Changed plans")
    db.session.commit()
    in_place = contact_client.post(f"/bookings/{booking.id}/confirm", headers=HTMX)
    assert in_place.status_code == 200
    assert form_errors(in_place.get_data(as_text=True)) == [
        dutch("Only a requested booking can be confirmed.")
    ]
    # Without htmx: the booking's page with the refusal, 409 as in the API.
    plain = contact_client.post(f"/bookings/{booking.id}/confirm")
    assert plain.status_code == 409
    assert flashes(plain.get_data(as_text=True), "error") == [
        dutch("Only a requested booking can be confirmed.")
    ]
    assert statuses(booking) == ["cancelled"]


# --- who may see and do what --------------------------------------------------------------


def test_another_schools_booking_does_not_exist_for_a_teacher(db, app, teacher, slot):
    booking = book(teacher, slot, 10)
    stranger = factories.user(factories.school(), "teacher")
    db.session.commit()
    client = login(app.test_client(), stranger)
    assert client.get(f"/bookings/{booking.id}").status_code == 404
    for action, data in [
        ("cancel", {"cancel-reason": "x"}),
        ("confirm", {}),
        ("decline", {"decline-reason": "x"}),
    ]:
        assert client.post(f"/bookings/{booking.id}/{action}", data=data).status_code == 404
        assert (
            client.post(f"/bookings/{booking.id}/{action}", data=data, headers=HTMX).status_code
            == 404
        )
    assert statuses(booking) == ["requested"]


def test_another_company_cannot_confirm_or_decline(db, app, teacher, slot):
    booking = book(teacher, slot, 10)
    rival = factories.user(factories.company(), "contact")
    db.session.commit()
    client = login(app.test_client(), rival)
    assert client.get(f"/bookings/{booking.id}").status_code == 404
    assert client.post(f"/bookings/{booking.id}/confirm", headers=HTMX).status_code == 404
    assert (
        client.post(f"/bookings/{booking.id}/decline", data={"decline-reason": "x"}).status_code
        == 404
    )
    assert statuses(booking) == ["requested"]


def test_each_party_does_only_its_own_part(
    db, teacher_client, contact_client, coordinator_client, teacher, slot
):
    booking = book(teacher, slot, 10)
    db.session.commit()
    assert teacher_client.post(f"/bookings/{booking.id}/confirm").status_code == 403
    assert (
        teacher_client.post(
            f"/bookings/{booking.id}/decline", data={"decline-reason": "x"}
        ).status_code
        == 403
    )
    assert (
        contact_client.post(
            f"/bookings/{booking.id}/cancel", data={"cancel-reason": "x"}
        ).status_code
        == 403
    )
    # Coordinators see every booking, with its contacts, and change none.
    page = coordinator_client.get(f"/bookings/{booking.id}")
    assert page.status_code == 200 and teacher.email in page.get_data(as_text=True)
    assert coordinator_client.post(f"/bookings/{booking.id}/confirm").status_code == 403
    assert statuses(booking) == ["requested"]


def test_the_lists_are_for_their_roles(db, teacher_client, contact_client):
    assert teacher_client.get("/company/bookings").status_code == 403
    assert contact_client.get("/bookings").status_code == 403


def test_a_missing_booking_is_404(db, teacher_client):
    assert teacher_client.get("/bookings/424242").status_code == 404
    assert (
        teacher_client.post("/bookings/424242/cancel", data={"cancel-reason": "x"}).status_code
        == 404
    )


# --- CSRF ---------------------------------------------------------------------------------


def test_htmx_answers_carry_the_csrf_token_from_the_page(
    db, contact_client, csrf_enabled, teacher, slot
):
    booking = book(teacher, slot, 10)
    db.session.commit()
    assert contact_client.post(f"/bookings/{booking.id}/confirm", headers=HTMX).status_code == 400
    page = contact_client.get("/company/bookings").get_data(as_text=True)
    token = re.search(r'"X-CSRFToken": "([^"]+)"', page).group(1)
    response = contact_client.post(
        f"/bookings/{booking.id}/confirm", headers={**HTMX, "X-CSRFToken": token}
    )
    assert response.status_code == 200
    assert statuses(booking) == ["confirmed"]


def test_the_booking_form_works_with_csrf(db, teacher_client, csrf_enabled, slot):
    page = teacher_client.get(f"/slots/{slot.id}/book").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    assert token, "the form carries the CSRF token"
    data = booking_form(page, csrf_token=token.group(1))
    assert teacher_client.post(f"/slots/{slot.id}/book", data=data).status_code == 302
    assert bookings_count(db) == 1


def test_the_history_reads_as_sentences_in_local_time(db, teacher_client, teacher, contact, slot):
    from app.bookings import service
    from app.catalogue import service as catalogue
    from app.timeutil import to_local

    booking = book(teacher, slot, 10)
    service.confirm_booking(contact, booking)
    catalogue.cancel_slot(slot, "The hall is flooded", contact)
    db.session.commit()
    page = teacher_client.get(f"/bookings/{booking.id}").get_data(as_text=True)
    history = page[page.index('id="history"') :]
    phrases = [
        "Booked; the company has yet to confirm",
        "Booking confirmed",
        "The company cancelled this date",
        "Cancelled by the company",
    ]
    positions = [history.index(dutch(p)) for p in phrases]
    assert positions == sorted(positions)
    assert contact.name in history and "The hall is flooded" in history
    first = service.history(booking)[0]
    assert to_local(first.occurred_at).strftime("%H:%M") in history
    assert 'class="badge badge-cancelled"' in page
    # Nothing is left to do with a cancelled booking.
    assert f'action="/bookings/{booking.id}/cancel"' not in page


def test_incoming_lists_are_paged_by_keyset_with_the_whole_count(
    db, contact_client, teacher, company, contact, monkeypatch
):
    from app.bookings import queries

    monkeypatch.setattr(queries, "PER_PAGE", 2)
    slots = [factories.slot(factories.activity(company), days_ahead=10 + n) for n in range(5)]
    bookings = [book(teacher, s, 5) for s in slots]
    db.session.commit()

    page = contact_client.get("/company/bookings").get_data(as_text=True)
    shown = [b.id for b in bookings if f'id="booking-{b.id}"' in page]
    assert shown == [bookings[0].id, bookings[1].id]
    assert '<span class="badge" id="count-requested">5</span>' in page
    more = f"/company/bookings?state=requested&amp;after={bookings[1].id}"
    assert f'hx-get="{more}"' in page

    # htmx: the next rows and the link to those after them, nothing else.
    block = contact_client.get(more.replace("&amp;", "&"), headers=HTMX).get_data(as_text=True)
    assert "<main" not in block
    assert [b.id for b in bookings if f'id="booking-{b.id}"' in block] == [
        bookings[2].id,
        bookings[3].id,
    ]
    last = contact_client.get(
        f"/company/bookings?state=requested&after={bookings[3].id}", headers=HTMX
    ).get_data(as_text=True)
    assert [b.id for b in bookings if f'id="booking-{b.id}"' in last] == [bookings[4].id]
    assert "after=" not in last

    # Without JavaScript the whole page, that list continued, a way back.
    page = contact_client.get(more.replace("&amp;", "&")).get_data(as_text=True)
    assert [b.id for b in bookings if f'id="booking-{b.id}"' in page] == [
        bookings[2].id,
        bookings[3].id,
    ]
    assert "Terug naar het begin van deze lijst" in page
    # A cursor that is not this company's booking, or not a number, starts the list.
    for junk in ("999999", "x"):
        page = contact_client.get(f"/company/bookings?state=requested&after={junk}")
        assert page.status_code == 200
        assert f'id="booking-{bookings[0].id}"' in page.get_data(as_text=True)
