"""The booking lifecycle: request, confirm, decline, cancel, complete.

    requested --confirm--> confirmed --(slot ends)--> completed
        |  \\--decline--> declined
        \\-----cancel---> cancelled   (also from confirmed and waitlisted)
    waitlisted --(places free)--> requested | confirmed

Requested and confirmed bookings hold places; see bookings.capacity.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.accounts.models import Organisation, User
from app.bookings.capacity import promote_waiting_list, release_places, take_places
from app.bookings.models import ACTIVE, HOLDING, Booking
from app.catalogue.models import Activity, Slot
from app.errors import Conflict, DomainError
from app.events import emit
from app.events import types as ev
from app.extensions import db
from app.holidays.service import holiday_on
from app.timeutil import to_local, utcnow


@dataclass
class Group:
    """The group a booking is for: counted, never named."""

    size: int
    year: str
    path: str
    profile: str | None = None


@dataclass
class BookingOutcome:
    booking: Booking
    warnings: list[str] = field(default_factory=list)
    replayed: bool = False


def _event(cls, booking: Booking, **extra):
    return cls(
        booking_id=booking.id, slot_id=booking.slot_id, school_id=booking.school_id,
        company_id=booking.slot.activity.company_id, group_size=booking.group_size, **extra,
    )


def check_bookable(slot: Slot, school: Organisation, group: Group) -> None:
    """Raises DomainError with a field when this group cannot book this slot."""
    activity: Activity = slot.activity
    if not school.is_approved:
        raise DomainError(_("Your school can book once a coordinator has approved it."), code="not_approved")
    if activity.status != "published" or not activity.company.is_approved:
        raise DomainError(_("This activity is not open for bookings."), code="not_published")
    if slot.is_cancelled:
        raise DomainError(_("This slot is cancelled."), field="slot_id", code="slot_cancelled")
    now = utcnow()
    if slot.starts_at <= now:
        raise DomainError(_("This slot lies in the past."), field="slot_id", code="slot_past")
    local_start = to_local(slot.starts_at)
    if (local_start.date() - to_local(now).date()).days < activity.min_notice_days:
        raise DomainError(
            _("Book at least %(n)d days ahead for this activity.", n=activity.min_notice_days),
            field="slot_id", code="too_late",
        )
    holiday = holiday_on(school.holiday_region, local_start.date())
    if holiday is not None:
        raise DomainError(
            _("This date falls in the %(holiday)s of your school.", holiday=holiday.name),
            field="slot_id", code="holiday",
        )
    if group.size is None or group.size < 1:
        raise DomainError(_("A group has at least one student."), field="group_size")
    if group.size > activity.max_group_size:
        raise DomainError(
            _("This activity takes groups of at most %(n)d students.", n=activity.max_group_size),
            field="group_size",
        )
    if group.size > slot.capacity:
        raise DomainError(
            _("This slot has room for %(n)d students in all.", n=slot.capacity), field="group_size"
        )
    if group.year not in activity.years:
        raise DomainError(_("This activity is not meant for this school year."), field="year")
    if group.path not in activity.paths:
        raise DomainError(_("This activity is not meant for this learning path."), field="path")
    if group.year in ("3", "4") and activity.profiles:
        if not group.profile:
            raise DomainError(_("Choose the profile of the group."), field="profile")
        if group.profile not in activity.profiles:
            raise DomainError(_("This activity is not meant for this profile."), field="profile")
    if group.profile and group.profile not in ("BWI", "PIE", "MaT", "M&T", "MVI"):
        raise DomainError(_("Choose one of the options."), field="profile")


def overlapping_bookings(school: Organisation, slot: Slot, exclude_id: int | None = None) -> list[Booking]:
    query = (
        select(Booking)
        .join(Booking.slot)
        .where(
            Booking.school_id == school.id,
            Booking.status.in_(ACTIVE),
            Slot.starts_at < slot.ends_at,
            Slot.ends_at > slot.starts_at,
        )
    )
    if exclude_id:
        query = query.where(Booking.id != exclude_id)
    return list(db.session.scalars(query))


def find_by_idempotency_key(actor: User, key: str | None) -> Booking | None:
    if not key:
        return None
    return db.session.scalar(
        select(Booking).where(Booking.booked_by_id == actor.id, Booking.idempotency_key == key)
    )


def request_booking(actor: User, slot: Slot, school: Organisation, group: Group, *,
                    accept_waitlist: bool = False, remarks: str = "", teacher: User | None = None,
                    idempotency_key: str | None = None) -> BookingOutcome:
    existing = find_by_idempotency_key(actor, idempotency_key)
    if existing is not None:
        return BookingOutcome(existing, replayed=True)
    check_bookable(slot, school, group)
    warnings = []
    overlaps = overlapping_bookings(school, slot)
    if overlaps:
        warnings.append(
            _("Your school has %(n)d other booking(s) at this time. Booked anyway: two classes may go at once.",
              n=len(overlaps))
        )
    if take_places(slot, group.size):
        status = "requested" if slot.activity.requires_approval else "confirmed"
    elif accept_waitlist:
        status = "waitlisted"
    else:
        raise Conflict(
            _("This slot has %(n)d free places: not enough for this group.", n=slot.free_places),
            field="group_size", code="full",
        )
    booking = Booking(
        slot=slot, school=school, teacher=teacher or actor, booked_by=actor,
        group_size=group.size, year=group.year, path=group.path, profile=group.profile or None,
        remarks=(remarks or "").strip(), status=status, accept_waitlist=accept_waitlist,
        idempotency_key=idempotency_key or None,
    )
    db.session.add(booking)
    db.session.flush()
    event = {"requested": ev.BookingRequested, "confirmed": ev.BookingConfirmed,
             "waitlisted": ev.BookingWaitlisted}[status]
    emit(_event(event, booking), actor)
    return BookingOutcome(booking, warnings)


def request_booking_once(actor: User, slot: Slot, school: Organisation, group: Group, **options) -> BookingOutcome:
    """request_booking for a whole request: when the same form or API call arrives
    twice at once, the unique idempotency key stops the second insert; that
    request's work is rolled back and it answers with the first booking."""
    key = options.get("idempotency_key")
    try:
        return request_booking(actor, slot, school, group, **options)
    except IntegrityError:
        db.session.rollback()
        existing = find_by_idempotency_key(actor, key)
        if existing is None:
            raise
        return BookingOutcome(existing, replayed=True)


def _touch(booking: Booking) -> None:
    booking.revision += 1
    booking.updated_at = utcnow()


def confirm_booking(actor: User, booking: Booking) -> Booking:
    if booking.status == "confirmed":
        return booking
    if booking.status != "requested":
        raise DomainError(_("Only a requested booking can be confirmed."), code="invalid_state")
    booking.status = "confirmed"
    _touch(booking)
    db.session.flush()
    emit(_event(ev.BookingConfirmed, booking), actor)
    return booking


def _free_and_promote(booking: Booking, was_holding: bool, actor) -> None:
    if was_holding:
        release_places(booking.slot, booking.group_size)
        promote_waiting_list(booking.slot, actor)


def decline_booking(actor: User, booking: Booking, reason: str) -> Booking:
    if booking.status not in ("requested", "waitlisted"):
        raise DomainError(_("Only a requested or waiting booking can be declined."), code="invalid_state")
    if not (reason or "").strip():
        raise DomainError(_("Give a reason: the school will read it."), field="reason")
    was_holding = booking.holds_places
    booking.status = "declined"
    booking.decline_reason = reason.strip()
    _touch(booking)
    db.session.flush()
    emit(_event(ev.BookingDeclined, booking, reason=booking.decline_reason), actor)
    _free_and_promote(booking, was_holding, actor)
    return booking


def cancel_booking(actor: User, booking: Booking, reason: str) -> Booking:
    if booking.status not in ACTIVE:
        raise DomainError(_("This booking can no longer be cancelled."), code="invalid_state")
    if not (reason or "").strip():
        raise DomainError(_("Give a reason: the company will read it."), field="reason")
    was_holding = booking.holds_places
    booking.status = "cancelled"
    booking.cancel_reason = reason.strip()
    booking.cancelled_by = "school"
    _touch(booking)
    db.session.flush()
    emit(_event(ev.BookingCancelled, booking, reason=booking.cancel_reason, by="school"), actor)
    _free_and_promote(booking, was_holding, actor)
    return booking


def complete_ended_bookings(now=None) -> list[Booking]:
    """Confirmed bookings whose slot has ended become completed (run by a job)."""
    now = now or utcnow()
    done = list(
        db.session.scalars(
            select(Booking).join(Booking.slot)
            .where(Booking.status == "confirmed", Slot.ends_at <= now)
            .order_by(Booking.id)
        )
    )
    for booking in done:
        booking.status = "completed"
        _touch(booking)
        db.session.flush()
        emit(_event(ev.BookingCompleted, booking))
    return done


# --- following the slot (event handlers) ----------------------------------------------


def follow_cancelled_slot(event: ev.SlotCancelled) -> None:
    """A cancelled slot cancels its active bookings, on behalf of the company."""
    slot = db.session.get(Slot, event.slot_id)
    for booking in db.session.scalars(
        select(Booking).where(Booking.slot_id == slot.id, Booking.status.in_(ACTIVE))
    ):
        was_holding = booking.status in HOLDING
        booking.status = "cancelled"
        booking.cancel_reason = event.reason
        booking.cancelled_by = "company"
        _touch(booking)
        if was_holding:
            release_places(slot, booking.group_size)
    db.session.flush()


def follow_rescheduled_slot(event: ev.SlotRescheduled) -> None:
    """Bookings of a moved slot change with it (their calendar entries too), and
    a larger capacity lets the waiting list move up."""
    slot = db.session.get(Slot, event.slot_id)
    for booking in db.session.scalars(
        select(Booking).where(Booking.slot_id == slot.id, Booking.status.in_(ACTIVE))
    ):
        _touch(booking)
    db.session.flush()
    promote_waiting_list(slot)


def history(booking: Booking):
    """The event log of a booking and of its slot, oldest first."""
    from app.events import history as event_history

    entries = event_history(("booking", booking.id), ("slot", booking.slot_id))
    # Slot events from before the booking existed are not its history.
    return [e for e in entries if e.subject_type == "booking" or e.occurred_at >= booking.created_at]
