"""The booking rules and state transitions of bookings.service, on real data."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from sqlalchemy import select, update

from app import vocabulary
from app.bookings import service
from app.bookings.models import Booking
from app.catalogue import service as catalogue
from app.errors import Conflict, DomainError
from app.holidays.models import SchoolHoliday
from app.timeutil import LOCAL_TZ, local_to_utc, to_local, utcnow
from tests import factories
from tests.bookings.helpers import assert_places_add_up, book, group, statuses


def refused(call, *args, **kwargs) -> DomainError:
    with pytest.raises(DomainError) as caught:
        call(*args, **kwargs)
    return caught.value


# --- requesting ---------------------------------------------------------------------------


def test_a_booking_that_fits_takes_its_places_and_waits_for_the_company(
    db, teacher, school, slot, events
):
    outcome = service.request_booking(
        teacher, slot, school, group(12), remarks="  Two wheelchairs "
    )
    booking = outcome.booking
    assert booking.status == "requested"
    assert (booking.group_size, booking.year, booking.path, booking.profile) == (
        12,
        "3",
        "KB",
        "PIE",
    )
    assert booking.teacher == teacher and booking.booked_by == teacher
    assert booking.remarks == "Two wheelchairs"
    assert outcome.warnings == [] and not outcome.replayed
    assert slot.taken == 12
    assert [e.name for e in events()] == ["BookingRequested"]
    assert events()[0].payload["booking_id"] == booking.id
    assert_places_add_up(slot)


def test_an_activity_without_approval_confirms_at_once(db, teacher, school, company, events):
    activity = factories.activity(company, requires_approval=False)
    slot = factories.slot(activity)
    booking = book(teacher, slot, 8)
    assert booking.status == "confirmed"
    assert slot.taken == 8
    assert [e.name for e in events()] == ["BookingConfirmed"]


def test_the_responsible_teacher_is_a_member_of_the_school(db, teacher, school, slot):
    colleague = factories.user(school, "teacher")
    booking = book(teacher, slot, 5, teacher=colleague)
    assert booking.teacher == colleague and booking.booked_by == teacher

    stranger = factories.user(factories.school(), "teacher")
    error = refused(book, teacher, slot, 5, teacher=stranger)
    assert error.field == "teacher"
    assert_places_add_up(slot)


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"size": 0}, "group_size"),
        ({"size": -4}, "group_size"),
        ({"size": 31}, "group_size"),  # the activity's largest group is 30
        ({"year": "5"}, "year"),
        ({"path": "XX"}, "path"),
        ({"profile": "ZZZ"}, "profile"),
        ({"profile": "MVI"}, "profile"),  # not one of the activity's profiles
        ({"profile": None}, "profile"),  # year 3 chooses a profile
    ],
)
def test_a_group_that_does_not_fit_the_rules_is_refused_at_its_field(
    db, teacher, school, slot, values, field
):
    chosen = {"size": 10, "year": "3", "path": "KB", "profile": "PIE"} | values
    error = refused(service.request_booking, teacher, slot, school, service.Group(**chosen))
    assert error.field == field
    assert error.status == 422
    assert db.session.scalar(select(Booking.id)) is None
    assert slot.taken == 0


def test_years_and_paths_the_activity_does_not_target_are_refused(db, teacher, school, company):
    activity = factories.activity(company, years=frozenset({"3", "4"}), paths=frozenset({"BB"}))
    slot = factories.slot(activity)
    assert refused(book, teacher, slot, 10, school, accept_waitlist=False).field == "path"
    error = refused(service.request_booking, teacher, slot, school, group(10, year="1", path="BB"))
    assert error.field == "year"


def test_younger_years_book_without_a_profile(db, teacher, school, slot):
    booking = service.request_booking(
        teacher, slot, school, group(10, year="1", path="BB", profile=None)
    ).booking
    assert booking.profile is None and booking.status == "requested"


def test_a_group_larger_than_the_slot_is_refused_even_for_the_waiting_list(
    db, teacher, school, company
):
    activity = factories.activity(company, max_group_size=50)
    slot = factories.slot(activity, capacity=20)
    error = refused(book, teacher, slot, 25, accept_waitlist=True)
    assert error.field == "group_size"
    assert db.session.scalar(select(Booking.id)) is None


def test_a_slot_in_the_past_is_a_conflict(db, teacher, activity):
    slot = factories.slot(activity, days_ahead=-1)
    error = refused(book, teacher, slot, 5)
    assert isinstance(error, Conflict) and error.status == 409 and error.code == "slot_past"


def test_a_slot_inside_the_minimum_notice_is_a_conflict(db, teacher, company):
    activity = factories.activity(company, min_notice_days=7)
    soon = factories.slot(activity, days_ahead=3)
    error = refused(book, teacher, soon, 5)
    assert error.status == 409 and error.code == "too_late"
    # Exactly the notice period ahead (counted in local dates) is still fine.
    today = to_local(utcnow()).replace(hour=10, minute=0, second=0, microsecond=0)
    in_time = factories.slot(activity, starts_at=local_to_utc(today + timedelta(days=7)))
    assert book(teacher, in_time, 5).status == "requested"


def test_a_cancelled_slot_is_a_conflict(db, teacher, contact, slot):
    catalogue.cancel_slot(slot, "The workshop burnt down", contact)
    error = refused(book, teacher, slot, 5, accept_waitlist=True)
    assert error.status == 409 and error.code == "slot_cancelled"


def test_a_full_slot_refuses_a_group_that_does_not_want_to_wait(db, teacher, school, slot):
    book(teacher, slot, 28)
    error = refused(book, teacher, slot, 5)
    assert isinstance(error, Conflict) and error.code == "full" and error.field == "group_size"
    assert slot.taken == 28
    assert_places_add_up(slot)


def test_a_full_slot_puts_a_group_that_accepts_it_on_the_waiting_list(db, teacher, slot, events):
    book(teacher, slot, 28)
    waiting = book(teacher, slot, 5, accept_waitlist=True)
    assert waiting.status == "waitlisted" and waiting.accept_waitlist
    assert slot.taken == 28
    assert events()[-1].name == "BookingWaitlisted"
    # Accepting the waiting list does not mean waiting when the group fits.
    assert book(teacher, slot, 2, accept_waitlist=True).status == "requested"
    assert_places_add_up(slot)


def test_a_school_holiday_of_the_schools_region_refuses_the_date(db, teacher, school, slot):
    day = to_local(slot.starts_at).date()
    db.session.add(
        SchoolHoliday(
            region="noord",
            name="voorjaarsvakantie",
            start_date=day - timedelta(days=2),
            end_date=day + timedelta(days=2),
        )
    )
    db.session.flush()
    error = refused(book, teacher, slot, 5)
    assert error.code == "holiday" and "voorjaarsvakantie" in error.message
    # Another region's holiday is no reason.
    other = factories.school(holiday_region="zuid")
    colleague = factories.user(other, "teacher")
    assert book(colleague, slot, 5, other).status == "requested"


def test_an_unapproved_school_or_an_unpublished_activity_cannot_book(db, teacher, company, slot):
    pending = factories.school(status="pending")
    person = factories.user(pending, "teacher")
    assert refused(book, person, slot, 5, pending).code == "not_approved"
    draft = factories.activity(company, status="draft")
    assert refused(book, teacher, factories.slot(draft), 5).code == "not_published"
    assert refused(book, teacher, slot, 5, company).code == "not_a_school"


def test_overlong_remarks_and_keys_are_refused_not_truncated(db, teacher, slot):
    assert refused(book, teacher, slot, 5, remarks="x" * 2001).field == "remarks"
    assert refused(book, teacher, slot, 5, idempotency_key="k" * 65).field == "idempotency_key"


# --- warnings -----------------------------------------------------------------------------


def test_an_overlapping_booking_of_the_same_school_is_a_warning_not_a_refusal(
    db, teacher, school, company, slot
):
    other_activity = factories.activity(company)
    overlapping = factories.slot(other_activity, starts_at=slot.starts_at + timedelta(minutes=60))
    later = factories.slot(other_activity, starts_at=overlapping.ends_at)
    book(teacher, slot, 10)

    outcome = service.request_booking(teacher, overlapping, school, group(10))
    assert outcome.booking.status == "requested"
    assert len(outcome.warnings) == 1 and "1" in outcome.warnings[0]
    # Back to back is not overlapping; another school's booking is not a warning.
    assert service.request_booking(teacher, later, school, group(10)).warnings == []
    other = factories.school()
    colleague = factories.user(other, "teacher")
    assert service.request_booking(colleague, overlapping, other, group(5)).warnings == []


# --- the same request twice ---------------------------------------------------------------


def test_the_same_idempotency_key_makes_one_booking(db, teacher, school, slot, events):
    first = service.request_booking(teacher, slot, school, group(10), idempotency_key="form-1")
    again = service.request_booking(teacher, slot, school, group(10), idempotency_key="form-1")
    assert again.replayed and again.booking.id == first.booking.id
    assert slot.taken == 10
    assert len(events("BookingRequested")) == 1
    # Two separate bookings with the same details are two classes.
    second = service.request_booking(teacher, slot, school, group(10), idempotency_key="form-2")
    third = service.request_booking(teacher, slot, school, group(10))
    assert len({first.booking.id, second.booking.id, third.booking.id}) == 3
    assert slot.taken == 30
    # A replay answers with the booking even once the slot is full.
    assert (
        service.request_booking(
            teacher, slot, school, group(10), idempotency_key="form-1"
        ).booking.id
        == first.booking.id
    )


def test_an_idempotency_key_is_per_person_and_per_slot(db, teacher, school, slot, activity):
    colleague = factories.user(school, "teacher")
    mine = service.request_booking(teacher, slot, school, group(5), idempotency_key="k")
    theirs = service.request_booking(colleague, slot, school, group(5), idempotency_key="k")
    assert mine.booking.id != theirs.booking.id and not theirs.replayed
    other_slot = factories.slot(activity, days_ahead=30)
    error = refused(
        service.request_booking, teacher, other_slot, school, group(5), idempotency_key="k"
    )
    assert error.status == 409 and error.code == "idempotency_key_reused"


# --- the company's answer, the school's cancellation ---------------------------------------


def test_the_company_confirms_a_requested_booking(db, teacher, contact, slot, events):
    booking = book(teacher, slot, 10)
    revision = booking.revision
    service.confirm_booking(contact, booking)
    assert booking.status == "confirmed" and booking.revision == revision + 1
    assert slot.taken == 10
    assert events()[-1].name == "BookingConfirmed" and events()[-1].actor_id == contact.id
    # Confirming twice changes nothing; a declined booking cannot be confirmed.
    service.confirm_booking(contact, booking)
    assert len(events("BookingConfirmed")) == 1
    other = book(teacher, slot, 5)
    service.decline_booking(contact, other, "Full week")
    assert refused(service.confirm_booking, contact, other).code == "invalid_state"


def test_declining_needs_a_reason_and_frees_the_places(db, teacher, contact, slot, events):
    booking = book(teacher, slot, 10)
    assert refused(service.decline_booking, contact, booking, "   ").field == "reason"
    assert booking.status == "requested" and slot.taken == 10

    service.decline_booking(contact, booking, " Our workshop is closed that week ")
    assert booking.status == "declined"
    assert booking.decline_reason == "Our workshop is closed that week"
    assert slot.taken == 0
    entry = events()[-1]
    assert entry.name == "BookingDeclined" and entry.payload["reason"] == booking.decline_reason
    # A confirmed booking is no longer declined: the company cancels the slot instead.
    confirmed = book(teacher, slot, 5)
    service.confirm_booking(contact, confirmed)
    assert refused(service.decline_booking, contact, confirmed, "No").code == "invalid_state"
    assert_places_add_up(slot)


def test_the_school_cancels_with_a_reason(db, teacher, contact, slot, events):
    requested = book(teacher, slot, 10)
    confirmed = book(teacher, slot, 8)
    service.confirm_booking(contact, confirmed)
    assert refused(service.cancel_booking, teacher, requested, "").field == "reason"

    service.cancel_booking(teacher, requested, "Exam week")
    service.cancel_booking(teacher, confirmed, "Bus cancelled")
    assert statuses(requested, confirmed) == ["cancelled", "cancelled"]
    assert (confirmed.cancel_reason, confirmed.cancelled_by) == ("Bus cancelled", "school")
    assert slot.taken == 0
    assert [e.payload["by"] for e in events("BookingCancelled")] == ["school", "school"]
    assert refused(service.cancel_booking, teacher, confirmed, "again").code == "invalid_state"


def test_a_started_activity_can_no_longer_be_cancelled(db, teacher, contact, activity):
    slot = factories.slot(activity, days_ahead=-1)
    booking = Booking(
        slot=slot,
        school=teacher.organisations()[0],
        teacher=teacher,
        booked_by=teacher,
        group_size=5,
        year="3",
        path="KB",
        profile="PIE",
        status="confirmed",
    )
    slot.taken = 5
    db.session.add(booking)
    db.session.flush()
    assert refused(service.cancel_booking, teacher, booking, "Too late").code == "started"
    assert booking.status == "confirmed"


def test_a_state_changed_behind_our_back_is_judged_anew(db, teacher, contact, slot):
    """The school cancelled in another request after the company loaded the page:
    the company's decline must not free the places a second time."""
    booking = book(teacher, slot, 10)
    other = book(teacher, slot, 5)
    db.session.commit()
    # What the school's request did, without this session's objects knowing.
    db.session.execute(
        update(Booking)
        .where(Booking.id == booking.id)
        .values(status="cancelled")
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        update(type(slot))
        .where(type(slot).id == slot.id)
        .values(taken=5)
        .execution_options(synchronize_session=False)
    )
    assert booking.status == "requested"  # the stale view
    error = refused(service.decline_booking, contact, booking, "Closed")
    assert error.code == "invalid_state"
    assert booking.status == "cancelled"
    db.session.refresh(slot)
    assert slot.taken == 5
    assert statuses(other) == ["requested"]


# --- the waiting list ---------------------------------------------------------------------


def test_freed_places_go_to_the_first_waiting_group_that_fits(db, teacher, contact, slot, events):
    a = book(teacher, slot, 10)
    b = book(teacher, slot, 15)
    book(teacher, slot, 5)
    assert slot.taken == 30
    big = book(teacher, slot, 20, accept_waitlist=True)
    small = book(teacher, slot, 5, accept_waitlist=True)
    smaller_later = book(teacher, slot, 4, accept_waitlist=True)

    # 10 places free: the 20 does not fit, the 5 behind it does, then 5 are left
    # and the 4 fits too; first come, first served among the groups that fit.
    service.cancel_booking(teacher, a, "Sick")
    assert statuses(big, small, smaller_later) == ["waitlisted", "requested", "requested"]
    db.session.refresh(slot)
    assert slot.taken == 29
    promoted = events("BookingPromoted")
    assert [e.payload["booking_id"] for e in promoted] == [small.id, smaller_later.id]
    assert promoted[0].payload["status"] == "requested"
    assert_places_add_up(slot)

    # Declining the 15 frees 16: now the 20 still does not fit ...
    service.decline_booking(contact, b, "Too many at once")
    assert statuses(big) == ["waitlisted"]
    # ... until the company raises the capacity.
    catalogue.reschedule_slot(slot, contact, capacity=34)
    assert statuses(big) == ["requested"]
    db.session.refresh(slot)
    assert slot.taken == 34 and slot.capacity == 34
    assert_places_add_up(slot)


def test_a_promoted_booking_is_confirmed_when_the_activity_needs_no_approval(db, teacher, company):
    activity = factories.activity(company, requires_approval=False)
    slot = factories.slot(activity, capacity=10)
    first = book(teacher, slot, 10)
    waiting = book(teacher, slot, 6, accept_waitlist=True)
    service.cancel_booking(teacher, first, "Changed plans")
    assert statuses(waiting) == ["confirmed"]


def test_a_cancelled_or_declined_waiting_booking_frees_nothing(db, teacher, contact, slot):
    book(teacher, slot, 30)
    first = book(teacher, slot, 10, accept_waitlist=True)
    second = book(teacher, slot, 10, accept_waitlist=True)
    service.cancel_booking(teacher, first, "Found something else")
    service.decline_booking(contact, second, "Sorry")
    assert statuses(first, second) == ["cancelled", "declined"]
    db.session.refresh(slot)
    assert slot.taken == 30


def test_a_larger_capacity_promotes_the_waiting_list(db, teacher, contact, slot, events):
    book(teacher, slot, 30)
    waiting = book(teacher, slot, 8, accept_waitlist=True)
    catalogue.reschedule_slot(slot, contact, capacity=35)
    assert statuses(waiting) == ["waitlisted"]
    catalogue.reschedule_slot(slot, contact, capacity=38, reason="Extra room")
    assert statuses(waiting) == ["requested"]
    assert events()[-1].name == "BookingPromoted"
    assert_places_add_up(slot)


def test_moving_a_slot_raises_the_revision_of_its_bookings(db, teacher, contact, slot):
    booking = book(teacher, slot, 8)
    revision = booking.revision
    catalogue.reschedule_slot(slot, contact, starts_at=slot.starts_at + timedelta(days=1))
    db.session.refresh(booking)
    assert booking.revision == revision + 1


# --- the slot is cancelled ----------------------------------------------------------------


def test_cancelling_a_slot_cancels_its_bookings_and_frees_the_places(
    db, teacher, contact, slot, events
):
    requested = book(teacher, slot, 10)
    confirmed = book(teacher, slot, 20)
    service.confirm_booking(contact, confirmed)
    waiting = book(teacher, slot, 10, accept_waitlist=True)
    declined = book(teacher, slot, 30, accept_waitlist=True)
    service.decline_booking(contact, declined, "Too big")

    catalogue.cancel_slot(slot, "Machine hall under repair", contact)
    assert statuses(requested, confirmed, waiting, declined) == [
        "cancelled",
        "cancelled",
        "cancelled",
        "declined",
    ]
    assert {(b.cancelled_by, b.cancel_reason) for b in (requested, confirmed, waiting)} == {
        ("company", "Machine hall under repair")
    }
    db.session.refresh(slot)
    assert slot.taken == 0
    cancelled = events("BookingCancelled")
    assert sorted(e.payload["booking_id"] for e in cancelled) == sorted(
        [requested.id, confirmed.id, waiting.id]
    )
    assert {e.payload["by"] for e in cancelled} == {"company"}
    assert events("BookingPromoted") == []


# --- after the activity -------------------------------------------------------------------


def test_confirmed_bookings_of_ended_slots_are_completed(db, teacher, contact, activity, events):
    school = teacher.organisations()[0]
    ended = factories.slot(activity, days_ahead=-2)
    coming = factories.slot(activity)

    def past_booking(status):
        row = Booking(
            slot=ended,
            school=school,
            teacher=teacher,
            booked_by=teacher,
            group_size=5,
            year="3",
            path="KB",
            profile="PIE",
            status=status,
        )
        db.session.add(row)
        return row

    confirmed, requested = past_booking("confirmed"), past_booking("requested")
    ended.taken = 10
    db.session.flush()
    upcoming = book(teacher, coming, 5)
    service.confirm_booking(contact, upcoming)

    done = service.complete_ended_bookings()
    assert [b.id for b in done] == [confirmed.id]
    assert statuses(confirmed, requested, upcoming) == ["completed", "requested", "confirmed"]
    assert [e.payload["booking_id"] for e in events("BookingCompleted")] == [confirmed.id]
    # Running the job again finds nothing new.
    assert service.complete_ended_bookings() == []
    # A moment given explicitly counts, not the clock.
    assert service.complete_ended_bookings(now=coming.ends_at) == [upcoming]


# --- history --------------------------------------------------------------------------


def test_history_is_the_booking_and_its_slot_since_the_booking(db, teacher, contact, slot):
    booking = book(teacher, slot, 10)
    catalogue.reschedule_slot(slot, contact, capacity=40, reason="Bigger hall")
    service.confirm_booking(contact, booking)
    names = [e.name for e in service.history(booking)]
    assert names == ["BookingRequested", "SlotRescheduled", "BookingConfirmed"]
    assert "SlotAdded" not in names


def test_holiday_dates_are_local_dates(db, teacher, activity):
    """A slot at 00:30 in Amsterdam is on that local date, not the UTC day before."""
    day = to_local(utcnow()).date() + timedelta(days=30)
    starts_at = local_to_utc(datetime.combine(day, time(0, 30), tzinfo=LOCAL_TZ))
    slot = factories.slot(activity, starts_at=starts_at)
    db.session.add(
        SchoolHoliday(region="noord", name="herfstvakantie", start_date=day, end_date=day)
    )
    db.session.flush()
    assert refused(book, teacher, slot, 5).code == "holiday"


@pytest.mark.parametrize("profile", list(vocabulary.PROFILES))
def test_a_group_of_every_profile_can_book(db, teacher, school, contact, profile):
    """The ten profiles' codes, "Groen" the longest, fit the booking's column
    (PostgreSQL refuses a value longer than a VARCHAR's length)."""
    activity = factories.activity(contact.organisations()[0], profiles=frozenset({profile}))
    slot = factories.slot(activity)
    booking = service.request_booking(teacher, slot, school, group(12, profile=profile)).booking
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(Booking, booking.id).profile == profile
