"""The notification tests' world (the suite's, tests/world.py): an
English-speaking teacher and a Dutch contact with a phone number, so that each
mail shows in whose language it is written. The SMTP server and the
dispatcher are the suite's (tests/mail.py)."""

from __future__ import annotations

import pytest


@pytest.fixture
def cast() -> dict:
    return {
        "school": {"name": "Vakcollege Noord"},
        "teacher": {"email": "teacher@school.test", "name": "Tess Teacher", "locale": "en"},
        "company": {"name": "Metaal Twente"},
        "contact": {
            "email": "contact@company.test",
            "name": "Kees Contact",
            "locale": "nl",
            "phone": "053 123 4567",
        },
        "activity": {"title": "Lassen voor beginners"},
    }
