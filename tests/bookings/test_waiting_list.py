"""Fair waiting lists (bookings.waiting_list): the place in line by the
region's rule, leaving the list from the booking's page or a signed link,
offers of places freed shortly before the start, and lapsed offers passing on."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from app.bookings import service, waiting_list
from app.calendar.service.downloads import slot_ics
from app.timeutil import utcnow
from tests import factories
from tests.bookings.helpers import assert_places_add_up, book, statuses
from tests.pages import dutch_text


@pytest.fixture
def cast() -> dict:
    return {"school": {"name": "Vakcollege De Kolk"}, "other_school": {"name": "Het Assink"}}


def full_slot(world, capacity=10, **values):
    """A slot the first school fills; returns (slot, the holding booking)."""
    slot = factories.slot(world.activity, capacity=capacity, **values)
    holding = book(world.teacher, slot, capacity)
    return slot, holding


def soon(world, hours=24):
    """A full slot `hours` from now, of an activity that may be booked at short notice."""
    activity = factories.activity(
        world.company, contact_id=world.contact.id, min_notice_days=0, requires_approval=False
    )
    slot = factories.slot(activity, capacity=10, starts_at=utcnow() + timedelta(hours=hours))
    return slot, book(world.teacher, slot, 10)


def third_teacher(world):
    school = factories.school(name="Twents Carmel")
    return factories.user(school, "teacher")


def other_activity(world, school_teacher, near):
    """A confirmed activity for the teacher's school in the school year of the
    slot `near` (the same day: whatever day the suite runs)."""
    slot = factories.slot(world.activity, starts_at=near.starts_at + timedelta(hours=3))
    booking = book(school_teacher, slot, 5)
    service.confirm_booking(world.contact, booking)
    return booking


# --- the place in line ------------------------------------------------------------------


def test_the_place_in_line_counts_the_groups_waiting_first_come(db, world):
    slot, _ = full_slot(world)
    first = book(world.other_teacher, slot, 5, accept_waitlist=True)
    second = book(world.teacher, slot, 5, accept_waitlist=True)
    assert waiting_list.place_in_line(first) == waiting_list.PlaceInLine(1, 2, "first_come")
    assert waiting_list.place_in_line(second) == waiting_list.PlaceInLine(2, 2, "first_come")


def test_fewest_activities_first_puts_the_school_with_fewer_activities_ahead(db, world):
    slot, _ = full_slot(world, capacity=10)
    busy_teacher = world.other_teacher
    other_activity(world, busy_teacher, slot)
    quiet = third_teacher(world)
    busy = book(busy_teacher, slot, 5, accept_waitlist=True)
    # The first school holds the slot's places itself: one activity, like the busy school.
    equal = book(world.teacher, slot, 5, accept_waitlist=True)
    newcomer = book(quiet, slot, 5, accept_waitlist=True)
    waiting_list.set_rule(world.coordinator, "fewest_first")

    assert [b.id for b in waiting_list.queue(slot)] == [newcomer.id, busy.id, equal.id]
    assert waiting_list.place_in_line(newcomer) == waiting_list.PlaceInLine(1, 3, "fewest_first")
    # Ties keep the order of booking.
    assert waiting_list.place_in_line(busy).position == 2


def test_fewest_first_gives_freed_places_to_the_quiet_school_among_groups_that_fit(
    db, world, events
):
    slot = factories.slot(world.activity, capacity=10)
    holding = book(world.teacher, slot, 6)
    book(factories.user(factories.school(), "teacher"), slot, 4)
    other_activity(world, world.other_teacher, slot)
    quiet = third_teacher(world)
    busy = book(world.other_teacher, slot, 6, accept_waitlist=True)
    too_big = book(quiet, slot, 10, accept_waitlist=True)
    newcomer_school = factories.school()
    newcomer = book(factories.user(newcomer_school, "teacher"), slot, 6, accept_waitlist=True)
    waiting_list.set_rule(world.coordinator, "fewest_first")
    # 6 of the 10 places free: the quiet school's 10 do not fit, the newcomer's 6 do.
    service.cancel_booking(world.teacher, holding, "Bus kwam niet")
    assert statuses(busy, too_big, newcomer) == ["waitlisted", "waitlisted", "requested"]
    assert events("BookingPromoted")[-1].payload["rule"] == "fewest_first"
    assert_places_add_up(slot)


def test_a_rule_that_does_not_exist_is_refused_at_its_field(db, world):
    with pytest.raises(waiting_list.DomainError) as refused:
        waiting_list.set_rule(world.coordinator, "loudest_first")
    assert refused.value.field == "rule"
    assert waiting_list.current_rule() == "first_come"


# --- leaving ----------------------------------------------------------------------------


def test_leaving_from_the_booking_page_takes_the_group_off_and_moves_the_others_up(
    db, app, world, events, outbox
):
    from tests.apps import login

    slot, _ = full_slot(world)
    leaving = book(world.teacher, slot, 5, accept_waitlist=True)
    behind = book(world.other_teacher, slot, 5, accept_waitlist=True)
    db.session.commit()
    client = login(app.test_client(), world.teacher)
    page = client.get(f"/bookings/{leaving.id}").get_data(as_text=True)
    assert "Nummer 1 van 2 op de wachtlijst" in page
    assert 'id="leave-waiting-list"' in page

    response = client.post(f"/bookings/{leaving.id}/leave-waiting-list")
    assert response.status_code == 303
    assert statuses(leaving) == ["cancelled"] and leaving.cancelled_by == "school"
    assert events("BookingLeftWaitingList")[-1].payload["was"] == "waitlisted"
    assert waiting_list.place_in_line(behind).position == 1
    # Leaving frees no places and tells the company nothing.
    assert outbox("booking_cancelled") == []
    again = client.post(f"/bookings/{leaving.id}/leave-waiting-list")
    assert again.status_code == 409
    assert dutch_text("This booking is not on a waiting list.") in again.get_data(as_text=True)


def test_another_schools_booking_cannot_be_taken_off_the_list(db, app, world):
    from tests.apps import login

    slot, _ = full_slot(world)
    theirs = book(world.other_teacher, slot, 5, accept_waitlist=True)
    db.session.commit()
    client = login(app.test_client(), world.teacher)
    assert client.post(f"/bookings/{theirs.id}/leave-waiting-list").status_code == 404
    contact = login(app.test_client(), world.contact)
    assert contact.post(f"/bookings/{theirs.id}/leave-waiting-list").status_code == 403
    assert statuses(theirs) == ["waitlisted"]


def test_the_mail_has_the_place_and_a_signed_link_that_asks_before_it_leaves(
    db, client, world, outbox
):
    slot, _ = full_slot(world)
    book(world.other_teacher, slot, 5, accept_waitlist=True)
    mine = book(world.teacher, slot, 5, accept_waitlist=True)
    db.session.commit()
    mail = outbox("booking_waitlisted")[-1]
    assert mail.recipient == world.teacher.email
    assert (
        dutch_text(
            "Your group is number %(position)s of %(of)s on the waiting list.", position=2, of=2
        )
        in mail.text_body
    )
    link = re.search(r"http://[^/]+(/waiting-list/\S+)", mail.text_body).group(1)

    # Nobody signed in; the GET only asks.
    page = client.get(link)
    assert page.status_code == 200
    assert "Nummer 2 van 2 op de wachtlijst" in page.get_data(as_text=True)
    assert statuses(mine) == ["waitlisted"]
    done = client.post(link, data={"step": "leave"})
    assert done.status_code == 200
    assert dutch_text("Your group has left the waiting list.") in done.get_data(as_text=True)
    assert statuses(mine) == ["cancelled"]
    # The link stays readable and does nothing more.
    assert client.post(link, data={"step": "leave"}).status_code == 409
    assert client.post(link, data={"step": "delete-everything"}).status_code == 400


def test_a_changed_or_expired_link_is_404_and_changes_nothing(db, client, world):
    slot, _ = full_slot(world)
    mine = book(world.teacher, slot, 5, accept_waitlist=True)
    db.session.commit()
    token = waiting_list.link_token(mine, world.teacher)
    assert client.get(f"/waiting-list/{token}x").status_code == 404
    assert client.post(f"/waiting-list/{token[:-2]}", data={"step": "leave"}).status_code == 404
    assert waiting_list.booking_for_token(token, now=slot.starts_at) is None
    assert waiting_list.booking_for_token(token, now=slot.starts_at - timedelta(minutes=1))
    assert statuses(mine) == ["waitlisted"]


def test_the_link_stops_working_for_someone_who_left_the_school(db, world):
    from app.accounts.models import Membership

    slot, _ = full_slot(world)
    mine = book(world.teacher, slot, 5, accept_waitlist=True)
    token = waiting_list.link_token(mine, world.teacher)
    for membership in list(world.teacher.memberships):
        db.session.delete(membership)
    db.session.flush()
    db.session.expire(world.teacher)
    assert db.session.query(Membership).filter_by(user_id=world.teacher.id).count() == 0
    assert waiting_list.booking_for_token(token) is None


# --- offers shortly before the start ----------------------------------------------------


def test_a_place_freed_within_48_hours_is_offered_and_held(db, world, events, outbox):
    slot, holding = soon(world, hours=30)
    waiting = book(world.other_teacher, slot, 6, accept_waitlist=True)
    behind = book(third_teacher(world), slot, 4, accept_waitlist=True)
    before = utcnow()
    service.cancel_booking(world.teacher, holding, "Ziek")

    assert statuses(waiting, behind) == ["offered", "offered"]
    deadline = waiting.offer_expires_at
    assert before + timedelta(hours=8) <= deadline <= utcnow() + timedelta(hours=8)
    # The places are held: nobody else can book them meanwhile.
    assert_places_add_up(slot)
    assert slot.free_places == 0
    mail = outbox("booking_offered")[0]
    assert mail.recipient == world.other_teacher.email
    assert mail.expires_at == deadline
    assert dutch_text("How places are given") in mail.text_body
    assert "/waiting-list/" in mail.text_body
    assert events("BookingOffered")[0].payload["rule"] == "first_come"


def test_a_place_freed_earlier_moves_the_group_up_at_once(db, world):
    slot, holding = soon(world, hours=49)
    waiting = book(world.other_teacher, slot, 6, accept_waitlist=True)
    service.cancel_booking(world.teacher, holding, "Ziek")
    assert statuses(waiting) == ["confirmed"]


def test_the_offer_deadline_never_passes_the_start(db, world):
    slot, holding = soon(world, hours=3)
    waiting = book(world.other_teacher, slot, 6, accept_waitlist=True)
    service.cancel_booking(world.teacher, holding, "Ziek")
    assert statuses(waiting) == ["offered"]
    assert waiting.offer_expires_at == slot.starts_at


def test_accepting_an_offer_books_the_group_and_after_the_deadline_is_refused(
    db, app, world, events, outbox
):
    slot, holding = soon(world)
    first = book(world.other_teacher, slot, 5, accept_waitlist=True)
    second = book(third_teacher(world), slot, 5, accept_waitlist=True)
    service.cancel_booking(world.teacher, holding, "Ziek")
    assert statuses(first, second) == ["offered", "offered"]

    waiting_list.accept_offer(world.other_teacher, first)
    assert statuses(first) == ["confirmed"] and first.offer_expires_at is None
    assert events("BookingPromoted")[-1].payload["status"] == "confirmed"
    assert {m.recipient for m in outbox("booking_promoted")} >= {world.other_teacher.email}
    with pytest.raises(waiting_list.Conflict) as late:
        waiting_list.accept_offer(None, second, now=second.offer_expires_at)
    assert late.value.code == "offer_lapsed"
    with pytest.raises(waiting_list.Conflict) as twice:
        waiting_list.accept_offer(world.other_teacher, first)
    assert twice.value.code == "invalid_state"
    assert_places_add_up(slot)


def test_an_unanswered_offer_lapses_and_passes_to_the_next_in_line(db, world, events, outbox):
    slot, holding = soon(world)
    first = book(world.other_teacher, slot, 8, accept_waitlist=True)
    second = book(third_teacher(world), slot, 8, accept_waitlist=True)
    service.cancel_booking(world.teacher, holding, "Ziek")
    assert statuses(first, second) == ["offered", "waitlisted"]
    deadline = first.offer_expires_at

    assert waiting_list.lapse_offers(now=deadline - timedelta(seconds=1)) == []
    lapsed = waiting_list.lapse_offers(now=deadline)
    assert lapsed == [first]
    assert statuses(first, second) == ["cancelled", "offered"]
    assert first.cancelled_by == "lapsed"
    assert second.offer_expires_at == deadline + timedelta(hours=8)
    assert [m.recipient for m in outbox("booking_offer_lapsed")] == [world.other_teacher.email]
    # Safe to run twice: nothing lapses again, nobody is told again.
    assert waiting_list.lapse_offers(now=deadline) == []
    assert len(events("BookingOfferLapsed")) == 1
    assert len(outbox("booking_offer_lapsed")) == 1
    assert_places_add_up(slot)


def test_declining_an_offer_frees_the_places_for_the_next(db, world):
    slot, holding = soon(world)
    first = book(world.other_teacher, slot, 8, accept_waitlist=True)
    second = book(third_teacher(world), slot, 8, accept_waitlist=True)
    service.cancel_booking(world.teacher, holding, "Ziek")
    waiting_list.leave_waiting_list(world.other_teacher, first)
    assert statuses(first, second) == ["cancelled", "offered"]
    assert_places_add_up(slot)


def test_an_offer_is_answered_from_the_signed_link_without_signing_in(db, client, world, outbox):
    slot, holding = soon(world)
    waiting = book(world.other_teacher, slot, 5, accept_waitlist=True)
    service.cancel_booking(world.teacher, holding, "Ziek")
    db.session.commit()
    link = re.search(r"http://[^/]+(/waiting-list/\S+)", outbox("booking_offered")[0].text_body)
    page = client.get(link.group(1)).get_data(as_text=True)
    assert 'id="accept-offer"' in page
    assert statuses(waiting) == ["offered"]
    done = client.post(link.group(1), data={"step": "accept"})
    assert done.status_code == 200
    assert statuses(waiting) == ["confirmed"]


def test_an_offer_shows_on_the_booking_page_with_its_deadline(db, app, world):
    from tests.apps import login

    slot, holding = soon(world)
    waiting = book(world.other_teacher, slot, 5, accept_waitlist=True)
    service.cancel_booking(world.teacher, holding, "Ziek")
    db.session.commit()
    client = login(app.test_client(), world.other_teacher)
    page = client.get(f"/bookings/{waiting.id}").get_data(as_text=True)
    assert dutch_text("A place is offered to your group") in page
    assert client.post(f"/bookings/{waiting.id}/accept-waiting-list").status_code == 303
    assert statuses(waiting) == ["confirmed"]


def test_the_company_sees_an_offered_group_on_its_waiting_list(db, app, world):
    from tests.apps import login

    slot, holding = soon(world)
    offered = book(world.other_teacher, slot, 5, accept_waitlist=True)
    behind = book(third_teacher(world), slot, 8, accept_waitlist=True)
    service.cancel_booking(world.teacher, holding, "Ziek")
    db.session.commit()
    assert statuses(offered, behind) == ["offered", "waitlisted"]
    page = login(app.test_client(), world.contact).get("/company/bookings")
    assert page.status_code == 200, page.location
    body = page.get_data(as_text=True)
    waiting = body[
        body.index('id="waitlisted"') : body.index("</section>", body.index('id="waitlisted"'))
    ]
    assert f'id="booking-{offered.id}"' in waiting and f'id="booking-{behind.id}"' in waiting
    assert re.search(r'id="count-waitlisted">2<', waiting)
    assert dutch_text("Offered a place") in waiting
    # The slot's event in the company's calendar counts both as waiting.
    event = slot_ics(slot, world.contact, view="company").decode().replace("\r\n ", "")
    assert dutch_text("Waiting list: %(n)s group(s)") % {"n": 2} in event


# --- the coordinator's rule --------------------------------------------------------------


def test_the_coordinator_chooses_the_rule_on_a_page(db, app, world):
    from tests.apps import login

    coordinator = login(app.test_client(), world.coordinator)
    page = coordinator.get("/waiting-lists").get_data(as_text=True)
    assert re.search(r'<input checked id="rule-0"[^>]*value="first_come"', page)
    assert coordinator.post("/waiting-lists", data={"rule": "fewest_first"}).status_code == 303
    assert waiting_list.current_rule() == "fewest_first"
    refused = coordinator.post("/waiting-lists", data={"rule": "loudest_first"})
    assert refused.status_code == 422
    assert 'id="rule-error"' in refused.get_data(as_text=True)
    assert waiting_list.current_rule() == "fewest_first"
    teacher = login(app.test_client(), world.teacher)
    assert teacher.get("/waiting-lists").status_code == 403
    assert teacher.post("/waiting-lists", data={"rule": "first_come"}).status_code == 403
