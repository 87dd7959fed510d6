"""Helpers for the calendar tests: making a feed, its path, and booking
through the service."""

from __future__ import annotations

from app.calendar import service as feeds
from app.calendar.models import CalendarFeed

CONTACT_EMAIL = "jan.smit@metaalbedrijf.test"
CONTACT_PHONE = "06-12345678"


def make_feed(db, owner, kind="personal", **values) -> CalendarFeed:
    feed = feeds.create_feed(owner, kind=kind, **values)
    db.session.commit()
    return feed


def feed_path(feed: CalendarFeed) -> str:
    return f"/calendar/{feeds.feed_token(feed)}.ics"


def book(db, world, *, school=None, teacher=None, size=20, slot=None):
    from app.bookings import service as bookings

    teacher = teacher or world.teacher
    outcome = bookings.request_booking(
        teacher, slot or world.slot, school or world.school, bookings.Group(size, "3", "KB", "PIE")
    )
    db.session.commit()
    return outcome.booking
