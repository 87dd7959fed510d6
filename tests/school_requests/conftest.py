"""A small world for the request tests: the teacher's school in Enschede, the
contact's metal company next door with a published PIE activity and a date in
three weeks (posting and proposing: tests/school_requests/helpers.py)."""

from __future__ import annotations

import pytest

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
