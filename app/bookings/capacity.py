"""Places on a slot, counted in students (docs/INTEROPERABILITY.md, rule 17);
who gets freed places is bookings.waiting_list's.

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

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from app.bookings.models import Booking
from app.catalogue.models import Slot
from app.extensions import db

BUSY = _l("This booking changed meanwhile; try again.")


def booking_event(cls, booking: Booking, **extra):
    """An event about `booking` (app.events.types.BookingEvent) with its common fields."""
    return cls(
        booking_id=booking.id,
        slot_id=booking.slot_id,
        school_id=booking.school_id,
        company_id=booking.slot.activity.company_id,
        group_size=booking.group_size,
        **extra,
    )


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
