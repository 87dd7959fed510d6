"""Two schools, two companies, one professional: the people of placements."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from tests import factories
from tests.placements import helpers


@dataclass
class World:
    school: object
    other_school: object
    company: object
    other_company: object
    teacher: object
    other_teacher: object
    contact: object
    other_contact: object
    coordinator: object
    professional: object


@pytest.fixture
def world(db) -> World:
    school = factories.school(name="Vakcollege De Kolk", holiday_region="noord")
    other_school = factories.school(name="Het Assink Lyceum", holiday_region="noord")
    company = factories.company(name="Hengelo Aandrijftechniek")
    other_company = factories.company(name="Installatiebedrijf Almelo")
    teacher = factories.user(school, "teacher", name="Docent Kolk")
    other_teacher = factories.user(other_school, "teacher", name="Docent Assink")
    contact = factories.user(company, "contact", name="Contact Hengelo")
    other_contact = factories.user(other_company, "contact", name="Contact Almelo")
    coordinator = factories.user(factories.network(), "coordinator", name="Coördinator")
    professional = helpers.professional(company)
    db.session.commit()
    return World(
        school,
        other_school,
        company,
        other_company,
        teacher,
        other_teacher,
        contact,
        other_contact,
        coordinator,
        professional,
    )
