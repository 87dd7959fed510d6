"""A small region for the calendar tests: two schools with a teacher each, a
company with a contact (who has an e-mail address and a phone number that must
never reach a feed), a second company, a coordinator, and a published
activity with a slot three weeks ahead. Changes go through the services, so
the event handlers raise the feed versions as they do in production."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from app.calendar import service as feeds
from app.calendar.models import CalendarFeed
from tests import factories

CONTACT_EMAIL = "jan.smit@metaalbedrijf.test"
CONTACT_PHONE = "06-12345678"


@dataclass
class World:
    school: object
    other_school: object
    company: object
    other_company: object
    network: object
    teacher: object
    other_teacher: object
    contact: object
    other_contact: object
    coordinator: object
    activity: object
    slot: object


@pytest.fixture
def world(db):
    school = factories.school(name="Het Stedelijk Lyceum", holiday_region="noord")
    other_school = factories.school(name="Bataafs College", holiday_region="noord")
    company = factories.company(name="Metaalbedrijf Twente", sectors=frozenset({"metal"}))
    other_company = factories.company(
        name="Elektro Oost", sectors=frozenset({"electrical"}), holiday_region="zuid"
    )
    network = factories.network(name="Sterk Techniekonderwijs Twente")
    teacher = factories.user(school, "teacher", email="docent@school.test", locale="en")
    other_teacher = factories.user(other_school, "teacher", email="docent@bataafs.test")
    contact = factories.user(
        company, "contact", email=CONTACT_EMAIL, phone=CONTACT_PHONE, name="Jan Smit", locale="en"
    )
    other_contact = factories.user(other_company, "contact", email="contact@elektro.test")
    coordinator = factories.user(network, "coordinator", email="coordinator@sto.test", locale="en")
    activity = factories.activity(
        company, title="CNC milling", contact_id=contact.id, kind="company_visit"
    )
    slot = factories.slot(activity, capacity=30)
    db.session.commit()
    return World(
        school,
        other_school,
        company,
        other_company,
        network,
        teacher,
        other_teacher,
        contact,
        other_contact,
        coordinator,
        activity,
        slot,
    )


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


@pytest.fixture
def fetch(app, db):
    """GET a feed as a calendar client would: no cookies, its own headers."""
    client = app.test_client()

    def get(feed, method="GET", **headers):
        # The request shares the test's session: let it read what is committed.
        db.session.expire_all()
        return client.open(feed_path(feed), method=method, headers=headers)

    return get
