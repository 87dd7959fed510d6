"""A small world for the request tests: the teacher's school in Enschede, the
contact's metal company next door with a published PIE activity and a date in
three weeks, and helpers to post a request and to propose."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.school_requests import service
from app.school_requests.service import RequestInput, today_local
from tests import factories


@pytest.fixture
def school(teacher):
    return teacher.organisations()[0]


@pytest.fixture
def company(contact):
    return contact.organisations()[0]


@pytest.fixture
def activity(db, company, contact):
    return factories.activity(
        company,
        contact_id=contact.id,
        kind="workshop",
        title="Zonnepanelen leggen",
        profiles=frozenset({"PIE"}),
    )


@pytest.fixture
def slot(db, activity):
    row = factories.slot(activity, capacity=30)
    db.session.commit()
    return row


@pytest.fixture
def events(db):
    from sqlalchemy import select

    from app.events.models import EventLogEntry

    def read(name: str | None = None):
        query = select(EventLogEntry).order_by(EventLogEntry.id)
        if name:
            query = query.where(EventLogEntry.name == name)
        return list(db.session.scalars(query))

    return read


def request_input(**changes) -> RequestInput:
    today = today_local()
    values = {
        "kind": "workshop",
        "topic": "Werken met zonnepanelen",
        "group_size": 24,
        "year": "3",
        "path": "KB",
        "profile": "PIE",
        "first_day": today + timedelta(days=7),
        "last_day": today + timedelta(days=42),
        "venues": {"company", "school"},
        "max_km": 30,
        "remarks": "Graag praktisch.",
    }
    values.update(changes)
    return RequestInput(**values)


def post(teacher, school=None, **changes):
    from app.extensions import db

    school = school or teacher.organisations()[0]
    posted = service.post_request(teacher, school, request_input(**changes))
    db.session.commit()
    return posted


def propose(contact, posted, slot, message="Wij hebben plek."):
    from app.extensions import db

    response = service.propose_slot(contact, posted, contact.organisations()[0], slot, message)
    db.session.commit()
    return response


# A real SMTP server and the dispatcher, as the notification tests use them.
from tests.notifications.conftest import dispatch, mail_app, smtp  # noqa: E402,F401
