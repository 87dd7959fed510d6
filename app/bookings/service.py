"""The booking lifecycle: request, confirm, decline, cancel, complete.

    requested --confirm--> confirmed --(slot ends)--> completed
        |  \\--decline--> declined
        \\-----cancel---> cancelled   (also from confirmed and waitlisted)
    waitlisted --(places free)--> requested | confirmed | offered
    waitlisted --decline--> declined
    (moving up, offers and leaving the list: bookings.waiting_list)

Requested and confirmed bookings hold places; see bookings.capacity for how
places are counted and for the lock order every function here follows.

Kept as one module: one state machine, whose steps share that lock order and
the conditional move (app/transitions.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app import vocabulary
from app.accounts.acting import chosen_organisation
from app.accounts.models import Membership, Organisation, User
from app.accounts.permissions import is_member_of
from app.bookings.capacity import BUSY, booking_event, lock_slot, release_places, take_places
from app.bookings.models import ACTIVE, HOLDING, Booking
from app.bookings.permissions import schools_of
from app.bookings.waiting_list import promote_waiting_list
from app.catalogue.models import Activity, Slot
from app.errors import Conflict, DomainError
from app.events import emit
from app.events import history as event_history
from app.events import types as ev
from app.extensions import db
from app.holidays.service import holiday_on
from app.text import limited
from app.timeutil import to_local, utcnow
from app.transitions import move, refuse_unless

# The column's width; a longer key from an API client is refused, not truncated.
MAX_IDEMPOTENCY_KEY = 64


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


_event = booking_event


def school_for(actor: User, school_id: int | None) -> Organisation:
    """The school `actor` books for: theirs, or the one chosen (school_id)
    when they book for several (app.accounts.acting)."""
    return chosen_organisation(
        schools_of(actor),
        school_id,
        field="school_id",
        nobody=_("Only the people of a school can book."),
        several=_("You are at several schools: choose one."),
        unknown=_("Choose one of your schools."),
    )


def teacher_for(actor: User, school: Organisation, teacher_id: int | None) -> User:
    """The teacher responsible on the day: `actor` unless another person of
    the school is chosen (teacher_id)."""
    if teacher_id is None or teacher_id == actor.id:
        return actor
    for membership in school.memberships:
        if membership.user_id == teacher_id:
            return membership.user
    raise DomainError(_("Choose a teacher of the school."), field="teacher_id")


def check_bookable(slot: Slot, school: Organisation, group: Group) -> None:
    """Raises DomainError with a field when this group cannot book this slot: a
    Conflict (409) when the slot itself no longer takes bookings (cancelled,
    past, inside the notice period), 422 when the group does not fit the rules."""
    activity: Activity = slot.activity
    if school.kind != "school":
        raise DomainError(_("Only schools book activities."), field="school", code="not_a_school")
    if not school.is_approved:
        raise DomainError(
            _("Your school can book once a coordinator has approved it."), code="not_approved"
        )
    if activity.status != "published" or not activity.company.is_approved:
        raise DomainError(_("This activity is not open for bookings."), code="not_published")
    if slot.is_cancelled:
        raise Conflict(_("This slot is cancelled."), field="slot_id", code="slot_cancelled")
    now = utcnow()
    if slot.starts_at <= now:
        raise Conflict(_("This slot lies in the past."), field="slot_id", code="slot_past")
    local_start = to_local(slot.starts_at)
    if (local_start.date() - to_local(now).date()).days < activity.min_notice_days:
        raise Conflict(
            ngettext(
                "Book at least %(n)d day ahead for this activity.",
                "Book at least %(n)d days ahead for this activity.",
                activity.min_notice_days,
                n=activity.min_notice_days,
            ),
            field="slot_id",
            code="too_late",
        )
    holiday = holiday_on(school.holiday_region, local_start.date())
    if holiday is not None:
        raise DomainError(
            _("This date falls in the %(holiday)s of your school.", holiday=holiday.name),
            field="slot_id",
            code="holiday",
        )
    size = group.size
    if not isinstance(size, int) or isinstance(size, bool) or size < 1:
        raise DomainError(_("A group has at least one student."), field="group_size")
    if size > activity.max_group_size:
        raise DomainError(
            ngettext(
                "This activity takes groups of at most %(n)d student.",
                "This activity takes groups of at most %(n)d students.",
                activity.max_group_size,
                n=activity.max_group_size,
            ),
            field="group_size",
        )
    if size > slot.capacity:
        raise DomainError(
            ngettext(
                "This slot has room for %(n)d student in all.",
                "This slot has room for %(n)d students in all.",
                slot.capacity,
                n=slot.capacity,
            ),
            field="group_size",
        )
    if group.year not in activity.years:
        raise DomainError(_("This activity is not meant for this school year."), field="year")
    if group.path not in activity.paths:
        raise DomainError(_("This activity is not meant for this learning path."), field="path")
    if group.profile and group.profile not in vocabulary.PROFILES:
        raise DomainError(_("Choose one of the options."), field="profile")
    # Profiles start in year 3 (docs/FIELD.md): younger groups book profile-neutral.
    if group.year in ("3", "4") and activity.profiles:
        if not group.profile:
            raise DomainError(_("Choose the profile of the group."), field="profile")
        if group.profile not in activity.profiles:
            raise DomainError(_("This activity is not meant for this profile."), field="profile")


def overlapping_bookings(
    school: Organisation, slot: Slot, exclude_id: int | None = None
) -> list[Booking]:
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


def _replay(existing: Booking, slot: Slot) -> BookingOutcome:
    if existing.slot_id != slot.id:
        raise Conflict(
            _("This request was already used for another booking."),
            field="idempotency_key",
            code="idempotency_key_reused",
        )
    return BookingOutcome(existing, replayed=True)


def _take_or_wait(slot: Slot, size: int, accept_waitlist: bool) -> str:
    holding = "requested" if slot.activity.requires_approval else "confirmed"
    if take_places(slot, size):
        return holding
    # Under the slot's lock, try once more: a cancellation may just have freed
    # places; and a waiting booking must be in the table before anyone else
    # can free places and look for whom to promote.
    lock_slot(slot)
    if take_places(slot, size):
        return holding
    if accept_waitlist:
        return "waitlisted"
    db.session.refresh(slot, ["status"])
    if slot.is_cancelled:
        raise Conflict(_("This slot is cancelled."), field="slot_id", code="slot_cancelled")
    raise Conflict(
        ngettext(
            "This slot has %(n)d free place: not enough for this group.",
            "This slot has %(n)d free places: not enough for this group.",
            slot.free_places,
            n=slot.free_places,
        ),
        field="group_size",
        code="full",
    )


def request_booking(
    actor: User,
    slot: Slot,
    school: Organisation,
    group: Group,
    *,
    accept_waitlist: bool = False,
    remarks: str = "",
    teacher: User | None = None,
    idempotency_key: str | None = None,
) -> BookingOutcome:
    idempotency_key = (idempotency_key or "").strip() or None
    if idempotency_key and len(idempotency_key) > MAX_IDEMPOTENCY_KEY:
        raise DomainError(
            _("At most %(n)d characters.", n=MAX_IDEMPOTENCY_KEY), field="idempotency_key"
        )
    existing = find_by_idempotency_key(actor, idempotency_key)
    if existing is not None:
        return _replay(existing, slot)
    check_bookable(slot, school, group)
    teacher = teacher or actor
    if not is_member_of(teacher, school):
        raise DomainError(_("Choose a teacher of the school."), field="teacher")
    remarks = limited(remarks, "remarks")
    warnings = []
    overlaps = overlapping_bookings(school, slot)
    if overlaps:
        warnings.append(
            ngettext(
                "Your school has %(num)d other booking at the same time. Booked "
                "anyway: two classes may go at once.",
                "Your school has %(num)d other bookings at the same time. Booked "
                "anyway: two classes may go at once.",
                len(overlaps),
            )
        )
    status = _take_or_wait(slot, group.size, accept_waitlist)
    booking = Booking(
        slot=slot,
        school=school,
        teacher=teacher,
        booked_by=actor,
        group_size=group.size,
        year=group.year,
        path=group.path,
        profile=group.profile or None,
        remarks=remarks,
        status=status,
        accept_waitlist=bool(accept_waitlist),
        idempotency_key=idempotency_key,
    )
    db.session.add(booking)
    db.session.flush()
    event = {
        "requested": ev.BookingRequested,
        "confirmed": ev.BookingConfirmed,
        "waitlisted": ev.BookingWaitlisted,
    }[status]
    emit(_event(event, booking), actor)
    return BookingOutcome(booking, warnings)


def request_booking_once(
    actor: User, slot: Slot, school: Organisation, group: Group, **options
) -> BookingOutcome:
    """request_booking for a whole request: when the same form or API call arrives
    twice at once, the unique idempotency key stops the second insert; that
    request's work is rolled back and it answers with the first booking. The
    second may also find the slot filled by the first: then too it answers with
    the first booking rather than "full"."""
    key = (options.get("idempotency_key") or "").strip() or None
    try:
        return request_booking(actor, slot, school, group, **options)
    except IntegrityError:
        db.session.rollback()
        existing = find_by_idempotency_key(actor, key)
        if existing is None:
            raise
        return _replay(existing, slot)
    except Conflict as error:
        existing = find_by_idempotency_key(actor, key) if error.code == "full" else None
        if existing is None:
            raise
        return _replay(existing, slot)


# --- changing a booking's state ---------------------------------------------------------


def _move(booking: Booking, allowed: tuple[str, ...], to: str, refusal: str, **values) -> str:
    """app.transitions.move for a booking: the state it left, or NotAllowed."""
    return move(booking, allowed, to, refusal, busy=BUSY, **values)


def _touch(booking: Booking) -> None:
    booking.revision = Booking.revision + 1
    booking.updated_at = utcnow()


def confirm_booking(actor: User, booking: Booking) -> Booking:
    if booking.status == "confirmed":
        return booking
    _move(booking, ("requested",), "confirmed", _("Only a requested booking can be confirmed."))
    emit(_event(ev.BookingConfirmed, booking), actor)
    return booking


def _free_and_promote(booking: Booking, previous: str, actor) -> None:
    if previous in HOLDING:
        release_places(booking.slot, booking.group_size)
        promote_waiting_list(booking.slot, actor)


def decline_booking(actor: User, booking: Booking, reason: str) -> Booking:
    refuse_unless(
        booking,
        ("requested", "waitlisted"),
        _("Only a requested or waiting booking can be declined."),
    )
    reason = limited(reason, "reason")
    if not reason:
        raise DomainError(_("Give a reason: the school will read it."), field="reason")
    lock_slot(booking.slot)
    previous = _move(
        booking,
        ("requested", "waitlisted"),
        "declined",
        _("Only a requested or waiting booking can be declined."),
        decline_reason=reason,
    )
    emit(_event(ev.BookingDeclined, booking, reason=reason), actor)
    _free_and_promote(booking, previous, actor)
    return booking


def cancel_booking(actor: User, booking: Booking, reason: str) -> Booking:
    refusal = _("This booking can no longer be cancelled.")
    refuse_unless(booking, ACTIVE, refusal)
    if booking.slot.starts_at <= utcnow():
        raise DomainError(
            _("This activity has started; it can no longer be cancelled."), code="started"
        )
    reason = limited(reason, "reason")
    if not reason:
        raise DomainError(_("Give a reason: the company will read it."), field="reason")
    lock_slot(booking.slot)
    previous = _move(
        booking, ACTIVE, "cancelled", refusal, cancel_reason=reason, cancelled_by="school"
    )
    emit(_event(ev.BookingCancelled, booking, reason=reason, by="school"), actor)
    _free_and_promote(booking, previous, actor)
    return booking


def complete_ended_bookings(now=None) -> list[Booking]:
    """Confirmed bookings whose slot has ended become completed (run by a job)."""
    now = now or utcnow()
    ended = list(
        db.session.scalars(
            select(Booking)
            .join(Booking.slot)
            .where(Booking.status == "confirmed", Slot.ends_at <= now)
            .order_by(Booking.id)
        )
    )
    done = []
    for booking in ended:
        try:
            _move(booking, ("confirmed",), "completed", "")
        except DomainError:
            continue  # cancelled or completed by someone else meanwhile
        emit(_event(ev.BookingCompleted, booking))
        done.append(booking)
    return done


# --- following the slot (event handlers) ----------------------------------------------


def follow_cancelled_slot(event: ev.SlotCancelled) -> None:
    """A cancelled slot cancels its active bookings, on behalf of the company.

    catalogue.service.cancel_slot has updated (and so locked) the slot row
    already, which keeps the lock order of bookings.capacity."""
    slot = db.session.get(Slot, event.slot_id)
    active = db.session.scalars(
        select(Booking)
        .where(Booking.slot_id == slot.id, Booking.status.in_(ACTIVE))
        .order_by(Booking.id)
    ).all()
    for booking in active:
        try:
            previous = _move(
                booking, ACTIVE, "cancelled", "", cancel_reason=event.reason, cancelled_by="company"
            )
        except DomainError:
            continue  # declined or cancelled meanwhile
        if previous in HOLDING:
            release_places(slot, booking.group_size)
        emit(_event(ev.BookingCancelled, booking, reason=event.reason, by="company"))


def follow_rescheduled_slot(event: ev.SlotRescheduled) -> None:
    """Bookings of a moved slot change with it (their calendar entries too), and
    a larger capacity lets the waiting list move up."""
    slot = db.session.get(Slot, event.slot_id)
    for booking in db.session.scalars(
        select(Booking)
        .where(Booking.slot_id == slot.id, Booking.status.in_(ACTIVE))
        .order_by(Booking.id)
    ):
        _touch(booking)
    db.session.flush()
    promote_waiting_list(slot)


# --- reading ----------------------------------------------------------------------------


def teachers_of(schools: list[Organisation]) -> list[tuple[Organisation, User]]:
    """Who may be responsible for a group: the members of these schools."""
    if not schools:
        return []
    rows = db.session.execute(
        select(Organisation, User)
        .join(Membership, Membership.organisation_id == Organisation.id)
        .join(User, User.id == Membership.user_id)
        .where(Organisation.id.in_([s.id for s in schools]), User.active.is_(True))
        .order_by(Organisation.name, User.name)
    )
    return [(school, person) for school, person in rows]


def history(booking: Booking):
    """The event log of a booking and of its slot, oldest first."""

    entries = event_history(("booking", booking.id), ("slot", booking.slot_id))
    # Slot events from before the booking existed are not its history.
    return [
        e for e in entries if e.subject_type == "booking" or e.occurred_at >= booking.created_at
    ]
