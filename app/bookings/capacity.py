"""Places on a slot, counted in students (INTEROP.md rules 17-18).

Places are taken with one conditional UPDATE whose row count says whether they
fitted. The database evaluates the condition against the latest committed
value while it holds the row's write lock (PostgreSQL re-checks the WHERE
clause after waiting for a concurrent writer; SQLite has a single writer), so
no interleaving of requests can put more students on a slot than it holds.
"""

from __future__ import annotations

from sqlalchemy import select, update

from app.bookings.models import Booking
from app.catalogue.models import Slot
from app.events import emit
from app.events.types import BookingPromoted
from app.extensions import db


def take_places(slot: Slot, students: int) -> bool:
    result = db.session.execute(
        update(Slot)
        .where(Slot.id == slot.id, Slot.status == "open", Slot.taken + students <= Slot.capacity)
        .values(taken=Slot.taken + students)
        .execution_options(synchronize_session=False)
    )
    db.session.expire(slot, ["taken"])
    return result.rowcount == 1


def release_places(slot: Slot, students: int) -> None:
    db.session.execute(
        update(Slot)
        .where(Slot.id == slot.id, Slot.taken >= students)
        .values(taken=Slot.taken - students)
        .execution_options(synchronize_session=False)
    )
    db.session.expire(slot, ["taken"])


def promote_waiting_list(slot: Slot, actor=None) -> list[Booking]:
    """Gives freed places to waiting bookings: first come, first served, among
    the groups that fit (a large group does not block a smaller one behind it)."""
    if slot.status != "open":
        return []
    promoted = []
    waiting = db.session.scalars(
        select(Booking)
        .where(Booking.slot_id == slot.id, Booking.status == "waitlisted")
        .order_by(Booking.created_at, Booking.id)
    ).all()
    for booking in waiting:
        if booking.group_size > slot.capacity - slot.taken:
            continue
        if not take_places(slot, booking.group_size):
            continue
        booking.status = "requested" if slot.activity.requires_approval else "confirmed"
        booking.revision += 1
        db.session.flush()
        emit(
            BookingPromoted(
                booking_id=booking.id, slot_id=slot.id, school_id=booking.school_id,
                company_id=slot.activity.company_id, group_size=booking.group_size,
                status=booking.status,
            ),
            actor,
        )
        promoted.append(booking)
    return promoted
