"""Helpers for the booking tests."""

from __future__ import annotations

from sqlalchemy import func, select

from app.bookings import service
from app.bookings.models import HOLDING, Booking
from app.extensions import db


def group(size: int = 10, year: str = "3", path: str = "KB", profile: str | None = "PIE"):
    return service.Group(size=size, year=year, path=path, profile=profile)


def book(actor, slot, size: int = 10, school=None, **options) -> Booking:
    """A booking made through the service, as a view would (flushed, not committed)."""
    school = school or actor.organisations()[0]
    return service.request_booking(actor, slot, school, group(size), **options).booking


def holding_students(slot) -> int:
    """What the bookings say the slot's `taken` must be."""
    return db.session.scalar(
        select(func.coalesce(func.sum(Booking.group_size), 0)).where(
            Booking.slot_id == slot.id, Booking.status.in_(HOLDING)
        )
    )


def assert_places_add_up(slot) -> None:
    db.session.refresh(slot)
    assert slot.taken == holding_students(slot)
    assert 0 <= slot.taken <= slot.capacity


def statuses(*bookings) -> list[str]:
    for booking in bookings:
        db.session.refresh(booking)
    return [b.status for b in bookings]
