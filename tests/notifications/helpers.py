"""Helpers for the notification tests: booking through the service and
committing, as a view would."""

from __future__ import annotations

from datetime import timedelta


def book(world, *, slot=None, size=20, waitlist=False, teacher=None):
    from app.bookings import service

    outcome = service.request_booking(
        teacher or world.teacher,
        slot or world.slot,
        world.school,
        service.Group(size=size, year="2", path="KB"),
        accept_waitlist=waitlist,
    )
    return outcome.booking


def commit():
    from app.extensions import db

    db.session.commit()


HOUR = timedelta(hours=1)
DAY = timedelta(days=1)
