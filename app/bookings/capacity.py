"""Places on a slot, counted in students (docs/INTEROPERABILITY.md, rules 17-18).

Places are taken with one conditional UPDATE whose row count says whether they
fitted. The database evaluates the condition against the latest committed
value while it holds the row's write lock (PostgreSQL re-checks the WHERE
clause after waiting for a concurrent writer; SQLite has a single writer), so
no interleaving of requests can put more students on a slot than it holds.

A booking's state changes the same way: one UPDATE conditional on the state the
caller saw (bookings.service._move). Two people acting on one booking at once
(a school cancelling while the company declines) then cannot both release its
places.

Lock order, to keep PostgreSQL free of deadlocks: the slot row first, then
booking rows in id order. Everything that changes both follows it, including
catalogue.service.cancel_slot, which updates the slot before its handler
cancels the bookings.

SQLite needs no BEGIN IMMEDIATE for this: pysqlite (in its default, legacy
transaction mode, which SQLAlchemy keeps) opens a transaction only at the first
INSERT, UPDATE or DELETE, so a request's reads before that hold no snapshot,
and its first write waits for the write lock (busy_timeout, app/extensions.py)
rather than failing with "database is locked" on a stale snapshot. Every write
transaction here starts with a write. tests/bookings/test_concurrency.py fires
concurrent threads and processes at one slot on both databases to prove it.
"""

from __future__ import annotations

from sqlalchemy import select, update

from app.bookings.models import Booking
from app.catalogue.models import Slot
from app.events import emit
from app.events.types import BookingPromoted
from app.extensions import db
from app.timeutil import utcnow


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


def lock_slot(slot: Slot) -> None:
    """Holds the slot's row until the transaction ends, on PostgreSQL (FOR NO KEY
    UPDATE: inserting bookings that refer to the slot stays possible).

    A failed conditional UPDATE locks nothing there, so a booking that goes on
    the waiting list could otherwise be inserted while a cancellation frees
    places and promotes the list without seeing it. SQLite has one writer at a
    time and ignores FOR UPDATE; its transaction already holds the write lock
    from the UPDATE that failed."""
    db.session.execute(select(Slot.id).where(Slot.id == slot.id).with_for_update(key_share=True))
    db.session.expire(slot, ["taken"])


def promote_waiting_list(slot: Slot, actor=None) -> list[Booking]:
    """Gives freed places to waiting bookings: first come, first served, among
    the groups that fit (a large group does not block a smaller one behind it).

    A slot that has started promotes nobody: a place freed during the activity
    is of no use to a class still at school."""
    # `taken` is only ever written by SQL, so expiring it loses no change.
    db.session.expire(slot, ["taken"])
    if slot.status != "open" or slot.starts_at <= utcnow():
        return []
    promoted = []
    waiting = db.session.scalars(
        select(Booking)
        .where(Booking.slot_id == slot.id, Booking.status == "waitlisted")
        .order_by(Booking.created_at, Booking.id)
    ).all()
    status = "requested" if slot.activity.requires_approval else "confirmed"
    for booking in waiting:
        if booking.group_size > slot.capacity - slot.taken:
            continue
        if not take_places(slot, booking.group_size):
            continue
        # The school may be cancelling this booking right now: move it only if
        # it is still waiting, and give the places back otherwise.
        moved = db.session.execute(
            update(Booking)
            .where(Booking.id == booking.id, Booking.status == "waitlisted")
            .values(status=status, revision=Booking.revision + 1, updated_at=utcnow())
            .execution_options(synchronize_session=False)
        ).rowcount
        db.session.refresh(booking)
        if not moved:
            release_places(slot, booking.group_size)
            continue
        emit(
            BookingPromoted(
                booking_id=booking.id,
                slot_id=slot.id,
                school_id=booking.school_id,
                company_id=slot.activity.company_id,
                group_size=booking.group_size,
                status=booking.status,
            ),
            actor,
        )
        promoted.append(booking)
    return promoted
