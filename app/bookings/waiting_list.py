"""The waiting list of a slot: who is next, moving up, offers, leaving.

    waitlisted --(places free, start more than 48 h away)--> requested | confirmed
    waitlisted --(places free, start within 48 h)--> offered
    offered --accept--> requested | confirmed      (the places were held for it)
    offered --(deadline passes, scheduler)--> cancelled (by "lapsed"); next in line
    waitlisted | offered --leave--> cancelled (by the school)

Who is next follows the region's rule (WaitingListRule, chosen by a
coordinator): first come, first served, or the schools with the fewest
activities in the slot's school year first, ties by the order of booking. In
both, a group has to fit the free places; a large group does not block a
smaller one behind it (docs/INTEROPERABILITY.md, rule 18).

A place freed shortly before the start is offered rather than booked: a class
cannot be expected to turn up at a day's notice without a teacher saying yes.
The offer holds the places until its deadline (OFFER_HOURS, never past the
start); an unanswered offer lapses and passes on (docs/decisions/0020).

Lock order as in bookings.capacity: the slot row first, then bookings.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import func, select, update

from app.accounts.models import User
from app.bookings.capacity import BUSY, booking_event, lock_slot, release_places, take_places
from app.bookings.models import HOLDING, PROMOTION_RULES, WAITING, Booking, WaitingListRule
from app.catalogue.models import Slot
from app.errors import Conflict, DomainError
from app.events import emit
from app.events import types as ev
from app.extensions import db
from app.school_year import SchoolYear
from app.timeutil import epoch_seconds, to_local, utcnow
from app.transitions import move, refuse_unless

# A place freed closer to the start than this is offered, not booked.
OFFER_WINDOW = timedelta(hours=48)
LINK_SALT = "techniekpoort.waiting-list"

RULES = {
    "first_come": _l("First come, first served"),
    "fewest_first": _l("Schools with the fewest activities this school year first"),
}
# What the rule means, in a sentence for the slot and the mails.
RULE_EXPLAINED = {
    "first_come": _l(
        "Freed places go to the groups in the order they joined the waiting list, "
        "among those that fit."
    ),
    "fewest_first": _l(
        "Freed places go first to the schools with the fewest activities this school "
        "year, among the groups that fit; between equals, to the one that joined first."
    ),
}


# --- the rule -------------------------------------------------------------------------


def current_rule() -> str:
    row = db.session.get(WaitingListRule, 1)
    return row.rule if row is not None else "first_come"


def set_rule(actor: User, rule: str) -> WaitingListRule:
    """A coordinator's choice; it applies from the next place that frees."""
    if rule not in PROMOTION_RULES:
        raise DomainError(_("Choose one of the options."), field="rule")
    row = db.session.get(WaitingListRule, 1)
    if row is None:
        row = WaitingListRule(id=1)
        db.session.add(row)
    row.rule = rule
    row.updated_at = utcnow()
    row.updated_by_id = actor.id
    db.session.flush()
    return row


def _activities_in_year(slot: Slot, school_ids: set[int]) -> dict[int, int]:
    """Per school, its bookings that hold places or took place in the slot's
    school year: what "fewest activities" counts."""
    if not school_ids:
        return {}
    start, end = SchoolYear.containing(to_local(slot.starts_at).date()).bounds
    rows = db.session.execute(
        select(Booking.school_id, func.count())
        .join(Booking.slot)
        .where(
            Booking.school_id.in_(school_ids),
            Booking.status.in_((*HOLDING, "completed")),
            Slot.starts_at >= start,
            Slot.starts_at < end,
        )
        .group_by(Booking.school_id)
    )
    return {school_id: count for school_id, count in rows}


def queue(slot: Slot, rule: str | None = None) -> list[Booking]:
    """The slot's waiting bookings in the order the rule gives them places."""
    waiting = list(
        db.session.scalars(
            select(Booking)
            .where(Booking.slot_id == slot.id, Booking.status == "waitlisted")
            .order_by(Booking.created_at, Booking.id)
        )
    )
    if (rule or current_rule()) == "fewest_first":
        counts = _activities_in_year(slot, {b.school_id for b in waiting})
        # sorted() is stable: between equals the order of booking stays.
        waiting.sort(key=lambda b: counts.get(b.school_id, 0))
    return waiting


@dataclass(frozen=True)
class PlaceInLine:
    position: int  # 1 is the next group to get places that fit it
    of: int
    rule: str


def place_in_line(booking: Booking) -> PlaceInLine | None:
    if booking.status != "waitlisted":
        return None
    rule = current_rule()
    line = queue(booking.slot, rule)
    ids = [b.id for b in line]
    return PlaceInLine(ids.index(booking.id) + 1, len(ids), rule)


# --- moving up ------------------------------------------------------------------------


def offer_deadline(slot: Slot, now: datetime) -> datetime:
    return min(now + timedelta(hours=current_app.config["OFFER_HOURS"]), slot.starts_at)


def promote_waiting_list(slot: Slot, actor=None, now: datetime | None = None) -> list[Booking]:
    """Gives freed places to waiting bookings in the rule's order, among the
    groups that fit; within OFFER_WINDOW of the start as offers.

    A slot that has started promotes nobody: a place freed during the
    activity is of no use to a class still at school."""
    now = now or utcnow()
    # `taken` is only ever written by SQL, so expiring it loses no change.
    db.session.expire(slot, ["taken"])
    if slot.status != "open" or slot.starts_at <= now:
        return []
    rule = current_rule()
    offering = slot.starts_at - now < OFFER_WINDOW
    if offering:
        status, values = "offered", {"offer_expires_at": offer_deadline(slot, now)}
    else:
        status = "requested" if slot.activity.requires_approval else "confirmed"
        values = {}
    moved_up = []
    for booking in queue(slot, rule):
        if booking.group_size > slot.capacity - slot.taken:
            continue
        if not take_places(slot, booking.group_size):
            continue
        # The school may be leaving the list right now: move the booking only
        # if it is still waiting, and give the places back otherwise.
        moved = db.session.execute(
            update(Booking)
            .where(Booking.id == booking.id, Booking.status == "waitlisted")
            .values(status=status, revision=Booking.revision + 1, updated_at=now, **values)
            .execution_options(synchronize_session=False)
        ).rowcount
        db.session.refresh(booking)
        if not moved:
            release_places(slot, booking.group_size)
            continue
        if offering:
            event = booking_event(
                ev.BookingOffered,
                booking,
                expires_at=booking.offer_expires_at.isoformat(),
                rule=rule,
            )
        else:
            event = booking_event(ev.BookingPromoted, booking, status=booking.status, rule=rule)
        emit(event, actor)
        moved_up.append(booking)
    return moved_up


def _move(booking: Booking, allowed: tuple[str, ...], to: str, refusal: str, **values) -> str:
    return move(booking, allowed, to, refusal, busy=BUSY, **values)


def accept_offer(actor: User, booking: Booking, now: datetime | None = None) -> Booking:
    """The school takes the places offered to it; they were held, so nothing
    can have taken them meanwhile."""
    now = now or utcnow()
    refusal = _("There is no offer for this booking to accept.")
    refuse_unless(booking, ("offered",), refusal)
    if booking.offer_expires_at is None or booking.offer_expires_at <= now:
        raise Conflict(
            _("The time to accept this offer has passed."), field="offer", code="offer_lapsed"
        )
    status = "requested" if booking.slot.activity.requires_approval else "confirmed"
    _move(booking, ("offered",), status, refusal, offer_expires_at=None)
    emit(booking_event(ev.BookingPromoted, booking, status=status, rule=current_rule()), actor)
    return booking


def leave_waiting_list(actor: User, booking: Booking) -> Booking:
    """The school takes its group off the list (declining an offer too);
    places held by an offer go to the next in line."""
    refusal = _("This booking is not on a waiting list.")
    refuse_unless(booking, WAITING, refusal)
    lock_slot(booking.slot)
    previous = _move(
        booking, WAITING, "cancelled", refusal, cancelled_by="school", offer_expires_at=None
    )
    emit(booking_event(ev.BookingLeftWaitingList, booking, was=previous), actor)
    if previous == "offered":
        release_places(booking.slot, booking.group_size)
        promote_waiting_list(booking.slot, actor)
    return booking


def lapse_offers(now: datetime | None = None) -> list[Booking]:
    """Offers whose deadline passed end, and their places go to the next in
    line (run by the scheduler; running it twice lapses nothing twice, as each
    step is conditional on the booking still being offered)."""
    now = now or utcnow()
    due = list(
        db.session.scalars(
            select(Booking)
            .where(Booking.status == "offered", Booking.offer_expires_at <= now)
            .order_by(Booking.slot_id, Booking.id)
        )
    )
    lapsed = []
    for booking in due:
        lock_slot(booking.slot)
        try:
            _move(booking, ("offered",), "cancelled", "", cancelled_by="lapsed")
        except DomainError:
            continue  # accepted or left meanwhile
        release_places(booking.slot, booking.group_size)
        emit(booking_event(ev.BookingOfferLapsed, booking))
        lapsed.append(booking)
        promote_waiting_list(booking.slot, now=now)
    return lapsed


# --- the link in the mail -------------------------------------------------------------


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=LINK_SALT)


def link_token(booking: Booking, person: User) -> str:
    """Signed, not stored: lets `person` leave the list (or answer an offer)
    for this booking without signing in, until the activity starts."""
    return _serializer().dumps(
        {"booking": booking.id, "user": person.id, "until": epoch_seconds(booking.slot.starts_at)}
    )


def booking_for_token(token: str, now: datetime | None = None) -> tuple[Booking, User] | None:
    """The booking and person a genuine, unexpired link was made for."""
    try:
        data = _serializer().loads(token)
    except BadSignature:
        return None
    if not isinstance(data, dict):
        return None
    booking_id, user_id, until = data.get("booking"), data.get("user"), data.get("until")
    values = (booking_id, user_id, until)
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        return None
    if until <= epoch_seconds(now or utcnow()):
        return None
    booking = db.session.get(Booking, booking_id)
    person = db.session.get(User, user_id)
    if booking is None or person is None or not person.active:
        return None
    # Someone who left the school no longer speaks for its group.
    if not any(m.organisation_id == booking.school_id for m in person.memberships):
        return None
    return booking, person
