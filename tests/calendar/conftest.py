"""The calendar tests' region (the suite's world, tests/world.py): two schools
in the north, a metal company whose contact has an e-mail address and a phone
number that must never reach a feed, an electrical company in the south, and
English-speaking people where the feeds' language shows. Changes go through
the services, so the event handlers raise the feed versions as they do in
production."""

from __future__ import annotations

import pytest

from tests.calendar.helpers import CONTACT_EMAIL, CONTACT_PHONE, feed_path


@pytest.fixture
def cast() -> dict:
    return {
        "school": {"name": "Het Stedelijk Lyceum", "holiday_region": "noord"},
        "other_school": {"name": "Bataafs College", "holiday_region": "noord"},
        "company": {"name": "Metaalbedrijf Twente", "sectors": frozenset({"metal"})},
        "other_company": {
            "name": "Elektro Oost",
            "sectors": frozenset({"electrical"}),
            "holiday_region": "zuid",
        },
        "network": {"name": "Sterk Techniekonderwijs Twente"},
        "teacher": {"email": "docent@school.test", "locale": "en"},
        "other_teacher": {"email": "docent@bataafs.test"},
        "contact": {
            "email": CONTACT_EMAIL,
            "phone": CONTACT_PHONE,
            "name": "Jan Smit",
            "locale": "en",
        },
        "other_contact": {"email": "contact@elektro.test"},
        "coordinator": {"email": "coordinator@sto.test", "locale": "en"},
        "activity": {"title": "CNC milling", "kind": "company_visit"},
        "slot": {"capacity": 30},
    }


@pytest.fixture
def fetch(app, db):
    """GET a feed as a calendar client would: no cookies, its own headers."""
    client = app.test_client()

    def get(feed, method="GET", **headers):
        # The request shares the test's session: let it read what is committed.
        db.session.expire_all()
        return client.open(feed_path(feed), method=method, headers=headers)

    return get
