"""The privacy tests' world (the suite's, tests/world.py): Jan Jansen teaches
at the school and books the activity of the company whose contact is Carla;
Jan has a colleague; Carla confirmed the booking; Jan keeps an API token and a
calendar feed. Mails, reminders, history and notifications follow through the
services as they would in use."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from app.accounts.service import create_api_token
from app.bookings import service as bookings
from app.calendar import service as calendar
from tests import factories
from tests.world import World


@dataclass
class PrivacyWorld(World):
    colleague: object = None
    booking: object = None


@pytest.fixture
def cast() -> dict:
    return {
        "school": {"name": "Vakcollege De Kolk"},
        "company": {"name": "Hengelo Aandrijftechniek"},
        "teacher": {"name": "Jan Jansen", "email": "jan@kolk.test", "phone": "06 12345678"},
        "contact": {"name": "Carla Contact", "email": "carla@hat.test"},
        "activity": {"title": "Draaien en frezen"},
    }


@pytest.fixture
def world(app, db, world) -> PrivacyWorld:
    jan, carla = world.teacher, world.contact
    colleague = factories.user(world.school, "teacher", name="Els Collega", email="els@kolk.test")
    booking = bookings.request_booking(
        jan,
        world.slot,
        world.school,
        bookings.Group(size=24, year="3", path="KB", profile="PIE"),
        teacher=jan,
        remarks="Wij komen met de bus.",
    ).booking
    bookings.confirm_booking(carla, booking)
    create_api_token(jan, "Rooster")
    calendar.create_feed(jan, kind="personal", name="Mijn agenda")
    db.session.commit()
    return PrivacyWorld(**world.members(), colleague=colleague, booking=booking)
