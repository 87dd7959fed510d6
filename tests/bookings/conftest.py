"""Fixtures for the booking tests: a teacher's school, a contact's company, a
published activity of that company and an open slot three weeks ahead."""

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
    return factories.activity(company, contact_id=contact.id, requires_approval=True)


@pytest.fixture
def slot(db, activity):
    row = factories.slot(activity, capacity=30)
    db.session.commit()
    return row
