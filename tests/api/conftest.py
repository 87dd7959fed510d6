"""The API tests' world (the suite's, tests/world.py), each person with a
bearer token, and an anonymous caller."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from tests.api.helpers import Api, api_as
from tests.world import World


@dataclass
class ApiWorld(World):
    anonymous: Api = None
    as_teacher: Api = None
    as_other_teacher: Api = None
    as_contact: Api = None
    as_other_contact: Api = None
    as_coordinator: Api = None


@pytest.fixture
def cast() -> dict:
    return {
        "school": {"name": "Vakcollege Enschede"},
        "other_school": {"name": "Het Assink"},
        "company": {"name": "Draaierij Delden"},
        "other_company": {"name": "Installatiebedrijf Hengelo"},
        "teacher": {"name": "Docent Een"},
        "other_teacher": {"name": "Docent Twee"},
        "contact": {"name": "Contact Een", "phone": "053-1234567"},
        "other_contact": {"name": "Contact Twee"},
        "activity": {"title": "Draaien en frezen"},
    }


@pytest.fixture
def world(app, db, world) -> ApiWorld:
    return ApiWorld(
        **world.members(),
        anonymous=api_as(app, db),
        as_teacher=api_as(app, db, world.teacher),
        as_other_teacher=api_as(app, db, world.other_teacher),
        as_contact=api_as(app, db, world.contact),
        as_other_contact=api_as(app, db, world.other_contact),
        as_coordinator=api_as(app, db, world.coordinator),
    )
