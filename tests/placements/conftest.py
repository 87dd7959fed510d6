"""The people of placements (the suite's world, tests/world.py), and a
professional of the first company."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from tests.placements import helpers
from tests.world import World


@dataclass
class PlacementWorld(World):
    professional: object = None


@pytest.fixture
def cast() -> dict:
    return {
        "school": {"name": "Vakcollege De Kolk", "holiday_region": "noord"},
        "other_school": {"name": "Het Assink Lyceum", "holiday_region": "noord"},
        "company": {"name": "Hengelo Aandrijftechniek"},
        "other_company": {"name": "Installatiebedrijf Almelo"},
        "teacher": {"name": "Docent Kolk"},
        "other_teacher": {"name": "Docent Assink"},
        "contact": {"name": "Contact Hengelo"},
        "other_contact": {"name": "Contact Almelo"},
        "coordinator": {"name": "Coördinator"},
    }


@pytest.fixture
def world(db, world) -> PlacementWorld:
    professional = helpers.professional(world.company)
    db.session.commit()
    return PlacementWorld(**world.members(), professional=professional)
