"""The request state machine: posting, proposing, accepting one proposal (a
booking through the bookings service), withdrawing and expiry."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.bookings.models import Booking
from app.catalogue.models import Slot
from app.errors import Conflict, DomainError
from app.school_requests import service
from app.school_requests.models import RequestResponse
from app.timeutil import utcnow
from tests import factories
from tests.school_requests.helpers import post, propose, request_input


def bookings_count(db) -> int:
    return db.session.scalar(select(func.count()).select_from(Booking))


def test_a_posted_request_is_open_and_logged(db, teacher, school, events):
    posted = post(teacher)
    assert posted.status == "open"
    assert posted.school_id == school.id and posted.teacher_id == teacher.id
    [event] = events("RequestPosted")
    assert event.subject_type == "request" and event.subject_id == posted.id
    assert event.payload["profile"] == "PIE"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"last_day": -1, "first_day": -10}, "last_day"),
        ({"first_day": -1}, "first_day"),
        ({"first_day": 20, "last_day": 10}, "last_day"),
        ({"topic": "  "}, "topic"),
        ({"group_size": 0}, "group_size"),
        ({"profile": None}, "profile"),
        ({"year": "1", "profile": "PIE"}, "profile"),
        ({"venues": set()}, "venues"),
        ({"venues": {"beach"}}, "venues"),
        ({"max_km": 0}, "max_km"),
        ({"kind": "party"}, "kind"),
    ],
)
def test_bad_input_is_refused_on_its_field(db, teacher, school, changes, field):
    from app.school_requests.service import today_local

    today = today_local()
    changes = dict(changes)  # the parameters are shared by both backends' runs
    for name in ("first_day", "last_day"):
        if name in changes:
            changes[name] = today + timedelta(days=changes[name])
    with pytest.raises(DomainError) as refused:
        service.post_request(teacher, school, request_input(**changes))
    assert refused.value.field == field
    assert refused.value.status == 422


def test_a_placement_request_is_at_the_school(db, teacher, school):
    posted = post(teacher, kind="placement", venues={"company"})
    assert posted.venues == frozenset({"school"})


def test_a_proposal_answers_the_request(db, teacher, contact, slot, events):
    posted = post(teacher)
    response = propose(contact, posted, slot)
    assert posted.status == "answered" and posted.first_answered_at is not None
    assert response.status == "open" and not response.outside_match
    [event] = events("RequestAnswered")
    assert event.payload["response_id"] == response.id and event.payload["option"] == "slot"
    # A second proposal keeps it answered and the first answer's time.
    first = posted.first_answered_at
    other = factories.slot(slot.activity, days_ahead=28)
    propose(contact, posted, other)
    assert posted.status == "answered" and posted.first_answered_at == first


def test_the_same_date_cannot_be_proposed_twice(db, teacher, contact, slot):
    posted = post(teacher)
    propose(contact, posted, slot)
    with pytest.raises(Conflict):
        propose(contact, posted, slot)


def test_a_date_the_group_cannot_book_is_refused_at_once(db, teacher, contact, company):
    posted = post(teacher)
    for_year_one = factories.activity(company, years=frozenset({"1"}))
    with pytest.raises(DomainError) as refused:
        propose(contact, posted, factories.slot(for_year_one))
    assert refused.value.field == "year"
    with pytest.raises(DomainError) as refused:
        other = factories.activity(factories.company())
        propose(contact, posted, factories.slot(other))
    assert refused.value.field == "slot_id"


def test_accepting_a_slot_proposal_books_once_and_closes_the_others(
    db, teacher, contact, slot, events
):
    posted = post(teacher)
    chosen = propose(contact, posted, slot)
    rival_company = factories.company(name="Elektro Oost", sectors=frozenset({"electrical"}))
    rival = factories.user(rival_company, "contact")
    rival_slot = factories.slot(factories.activity(rival_company, kind="workshop"))
    other = propose(rival, posted, rival_slot)
    before = slot.taken
    outcome = service.accept(teacher, posted, chosen)
    db.session.commit()
    assert bookings_count(db) == 1
    booking = outcome.booking
    assert booking.slot_id == slot.id and booking.school_id == posted.school_id
    assert booking.group_size == 24 and booking.profile == "PIE" and booking.year == "3"
    assert booking.status == "requested"  # the activity needs the company's confirmation
    assert booking.teacher_id == teacher.id
    db.session.refresh(slot)
    assert slot.taken == before + 24
    assert posted.status == "fulfilled" and posted.closed_at is not None
    assert chosen.status == "accepted" and chosen.booking_id == booking.id
    assert other.status == "closed" and other.close_reason == "not_chosen"
    assert [e.name for e in events() if e.name.startswith(("Booking", "Request"))][-2:] == [
        "BookingRequested",
        "RequestFulfilled",
    ]
    [fulfilled] = events("RequestFulfilled")
    assert fulfilled.payload["booking_id"] == booking.id
    # Accepting again, or the closed one, changes nothing.
    with pytest.raises(Conflict):
        service.accept(teacher, posted, chosen)
    with pytest.raises(Conflict):
        service.accept(teacher, posted, other)
    db.session.rollback()
    assert bookings_count(db) == 1


def test_a_full_date_puts_the_group_on_the_waiting_list(db, teacher, contact, slot):
    posted = post(teacher)
    response = propose(contact, posted, slot)
    slot.taken = 20  # another school holds 20 of the 30 places
    db.session.commit()
    outcome = service.accept(teacher, posted, response)
    assert outcome.booking.status == "waitlisted"
    assert posted.status == "fulfilled"


def test_a_new_date_becomes_a_slot_only_when_accepted(db, teacher, contact, activity, company):
    posted = post(teacher)
    starts = (utcnow() + timedelta(days=20)).replace(hour=9, minute=0, second=0, microsecond=0)
    slots_before = db.session.scalar(select(func.count()).select_from(Slot))
    response = service.propose_new_slot(
        contact,
        posted,
        company,
        activity,
        starts,
        starts + timedelta(hours=2),
        24,
        "Speciaal voor jullie",
    )
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(Slot)) == slots_before
    outcome = service.accept(teacher, posted, response)
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(Slot)) == slots_before + 1
    assert response.slot is not None and response.slot.starts_at == starts
    assert response.slot.capacity == 24 and response.slot.activity_id == activity.id
    assert outcome.booking.slot_id == response.slot_id


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"days": -1}, "starts_at"),
        ({"hours": -3}, "ends_at"),
        ({"capacity": 10}, "capacity"),
        ({"days": 2}, "starts_at"),  # inside the activity's seven days' notice
    ],
)
def test_a_new_date_is_checked_like_a_booking(
    db, teacher, contact, activity, company, changes, field
):
    posted = post(teacher)
    starts = (utcnow() + timedelta(days=changes.get("days", 20))).replace(microsecond=0)
    ends = starts + timedelta(hours=changes.get("hours", 2))
    with pytest.raises(DomainError) as refused:
        service.propose_new_slot(
            contact, posted, company, activity, starts, ends, changes.get("capacity", 24)
        )
    assert refused.value.field == field


def test_a_company_outside_the_profile_may_propose_but_is_marked(db, teacher, contact, slot):
    posted = post(teacher)
    ict = factories.company(name="Pixel Media", sectors=frozenset({"ict"}))
    person = factories.user(ict, "contact")
    ict_slot = factories.slot(factories.activity(ict, profiles=frozenset()))
    response = propose(person, posted, ict_slot)
    assert response.outside_match is True
    assert propose(contact, posted, slot).outside_match is False


def test_withdrawing_closes_the_proposals(db, teacher, contact, slot, events):
    posted = post(teacher)
    response = propose(contact, posted, slot)
    service.withdraw_request(teacher, posted, "Het rooster is veranderd.")
    db.session.commit()
    assert posted.status == "withdrawn"
    assert response.status == "closed" and response.close_reason == "request_withdrawn"
    assert events("RequestWithdrawn")[0].payload["reason"] == "Het rooster is veranderd."
    with pytest.raises(Conflict):
        service.withdraw_request(teacher, posted)
    with pytest.raises(Conflict):
        propose(contact, posted, slot)
    with pytest.raises(Conflict):
        service.accept(teacher, posted, response)


def test_requests_expire_after_their_period(db, teacher, contact, slot, events):
    posted = post(teacher)
    response = propose(contact, posted, slot)
    running = post(teacher, topic="Nog niet voorbij")
    day_after = posted.last_day + timedelta(days=1)
    assert service.expire_ended_requests(posted.last_day) == []  # the last day still counts
    expired = service.expire_ended_requests(day_after)
    db.session.commit()
    assert expired == [posted, running] or set(expired) == {posted, running}
    assert posted.status == "expired" and response.close_reason == "request_expired"
    assert len(events("RequestExpired")) == 2
    # The job running twice changes nothing more.
    assert service.expire_ended_requests(day_after) == []
    assert len(events("RequestExpired")) == 2


def test_a_fulfilled_request_does_not_expire(db, teacher, contact, slot):
    posted = post(teacher)
    service.accept(teacher, posted, propose(contact, posted, slot))
    db.session.commit()
    assert service.expire_ended_requests(posted.last_day + timedelta(days=1)) == []
    assert posted.status == "fulfilled"


def test_a_cancelled_date_closes_its_proposal_and_reopens_the_request(db, teacher, contact, slot):
    from app.catalogue import service as catalogue

    posted = post(teacher)
    response = propose(contact, posted, slot)
    catalogue.cancel_slot(slot, "De hal wordt verbouwd.", contact)
    db.session.commit()
    assert response.status == "closed" and response.close_reason == "gone"
    assert posted.status == "open"


def test_only_a_proposal_of_this_request_can_be_accepted(db, teacher, contact, slot):
    posted = post(teacher)
    other = post(teacher, topic="Iets anders")
    response = propose(contact, other, slot)
    with pytest.raises(DomainError):
        service.accept(teacher, posted, response)
    assert db.session.scalar(select(func.count()).select_from(RequestResponse)) == 1


# --- placements -----------------------------------------------------------------------------


def professional(company, name="Piet de Vries"):
    from app.extensions import db as database
    from app.placements.models import Professional

    row = Professional(
        company=company,
        name=name,
        kind="employee",
        status="approved",
        source="company",
        expertise="Lassen en constructie",
        profiles=frozenset({"PIE"}),
        weekdays=frozenset({"mo", "tu", "we"}),
    )
    database.session.add(row)
    database.session.flush()
    return row


def terms_for(posted, weekdays=("tu",), start=(9, 0), end=(12, 0)):
    from datetime import time

    from app.placements.service import Terms

    return Terms(
        4, frozenset(weekdays), time(*start), time(*end), posted.first_day, posted.last_day
    )


def placement_request(teacher):
    return post(
        teacher,
        kind="placement",
        topic="Hybride docent metaal",
        group_size=16,
        last_day=service.today_local() + timedelta(days=120),
    )


def test_a_placement_proposal_becomes_an_agreed_placement(db, teacher, contact, company, events):
    posted = placement_request(teacher)
    rival_company = factories.company(name="Staal Oost")
    rival = factories.user(rival_company, "contact")
    mine = service.propose_placement(
        contact, posted, company, professional(company), terms_for(posted), "Piet geeft graag les."
    )
    theirs = service.propose_placement(
        rival,
        posted,
        rival_company,
        professional(rival_company, "Jan Smit"),
        terms_for(posted, ("we",)),
    )
    db.session.commit()
    assert mine.placement.status == "proposed" and posted.status == "answered"
    assert mine.placement.school_id == posted.school_id
    outcome = service.accept(teacher, posted, mine)
    db.session.commit()
    assert outcome.booking is None
    assert mine.placement.status == "agreed" and mine.status == "accepted"
    assert posted.status == "fulfilled"
    # The proposal not chosen is closed, and its placement declined: its hours free up.
    assert theirs.status == "closed" and theirs.close_reason == "not_chosen"
    assert theirs.placement.status == "declined"
    [fulfilled] = events("RequestFulfilled")
    assert fulfilled.payload["placement_id"] == mine.placement_id


def test_a_placement_proposal_that_clashes_is_refused(db, teacher, contact, company):
    from app.errors import Conflict as Clash

    posted = placement_request(teacher)
    piet = professional(company)
    service.propose_placement(contact, posted, company, piet, terms_for(posted))
    other = placement_request(teacher)
    with pytest.raises(Clash) as refused:
        service.propose_placement(contact, other, company, piet, terms_for(other))
    assert refused.value.code == "clash"


def test_a_placement_agreed_on_its_own_page_fulfils_the_request(db, teacher, contact, company):
    from app.placements import service as placements

    posted = placement_request(teacher)
    response = service.propose_placement(
        contact, posted, company, professional(company), terms_for(posted)
    )
    db.session.commit()
    placements.accept(teacher, response.placement)
    db.session.commit()
    assert posted.status == "fulfilled" and response.status == "accepted"


def test_a_placement_declined_on_its_own_page_reopens_the_request(db, teacher, contact, company):
    from app.placements import service as placements

    posted = placement_request(teacher)
    response = service.propose_placement(
        contact, posted, company, professional(company), terms_for(posted)
    )
    db.session.commit()
    placements.decline(teacher, response.placement, "Niet op dinsdag.")
    db.session.commit()
    assert response.status == "closed" and response.close_reason == "gone"
    assert posted.status == "open"


def test_withdrawing_declines_an_open_placement_proposal(db, teacher, contact, company):
    posted = placement_request(teacher)
    response = service.propose_placement(
        contact, posted, company, professional(company), terms_for(posted)
    )
    service.withdraw_request(teacher, posted)
    db.session.commit()
    assert response.placement.status == "declined"


def test_a_slot_cannot_answer_a_placement_request(db, teacher, contact, slot):
    posted = placement_request(teacher)
    with pytest.raises(DomainError):
        propose(contact, posted, slot)
