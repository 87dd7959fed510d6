"""A small world for the privacy tests: Jan teaches at a school and books an
activity of a company whose contact is Carla; both have colleagues; mails,
reminders, history and notifications follow through the services as they
would in use."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from app.accounts.service import create_api_token
from app.bookings import service as bookings
from app.calendar import service as calendar
from tests import factories


@dataclass
class World:
    school: object
    company: object
    jan: object
    colleague: object
    carla: object
    coordinator: object
    booking: object
    slot: object


@pytest.fixture
def world(app, db) -> World:
    school = factories.school(name="Vakcollege De Kolk")
    company = factories.company(name="Hengelo Aandrijftechniek")
    jan = factories.user(
        school, "teacher", name="Jan Jansen", email="jan@kolk.test", phone="06 12345678"
    )
    colleague = factories.user(school, "teacher", name="Els Collega", email="els@kolk.test")
    carla = factories.user(company, "contact", name="Carla Contact", email="carla@hat.test")
    coordinator = factories.user(factories.network(), "coordinator")
    activity = factories.activity(company, title="Draaien en frezen", contact=carla)
    slot = factories.slot(activity)
    booking = bookings.request_booking(
        jan,
        slot,
        school,
        bookings.Group(size=24, year="3", path="KB", profile="PIE"),
        teacher=jan,
        remarks="Wij komen met de bus.",
    ).booking
    bookings.confirm_booking(carla, booking)
    create_api_token(jan, "Rooster")
    calendar.create_feed(jan, kind="personal", name="Mijn agenda")
    db.session.commit()
    return World(school, company, jan, colleague, carla, coordinator, booking, slot)
