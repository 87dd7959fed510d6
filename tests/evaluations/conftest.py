"""A booking of the teacher's school at the contact's company that took place
three days ago."""

from __future__ import annotations

import pytest

from tests import factories
from tests.evaluations import builders


@pytest.fixture
def school(teacher):
    return teacher.organisations()[0]


@pytest.fixture
def company(contact):
    return contact.organisations()[0]


@pytest.fixture
def activity(db, company, contact):
    return factories.activity(company, contact_id=contact.id, title="Robots bouwen")


@pytest.fixture
def completed(db, activity, school, teacher):
    slot = builders.past_slot(activity)
    row = builders.booking(slot, school, size=20, teacher=teacher)
    db.session.commit()
    return row
