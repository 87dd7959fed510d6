"""Helpers for the request tests: the input of a request, posting one and
proposing a date, each committed as a view would."""

from __future__ import annotations

from datetime import timedelta

from app.school_requests import service
from app.school_requests.service import RequestInput, today_local


def request_input(**changes) -> RequestInput:
    today = today_local()
    values = {
        "kind": "workshop",
        "topic": "Werken met zonnepanelen",
        "group_size": 24,
        "year": "3",
        "path": "KB",
        "profile": "PIE",
        "first_day": today + timedelta(days=7),
        "last_day": today + timedelta(days=42),
        "venues": {"company", "school"},
        "max_km": 30,
        "remarks": "Graag praktisch.",
    }
    values.update(changes)
    return RequestInput(**values)


def post(teacher, school=None, **changes):
    from app.extensions import db

    school = school or teacher.organisations()[0]
    posted = service.post_request(teacher, school, request_input(**changes))
    db.session.commit()
    return posted


def propose(contact, posted, slot, message="Wij hebben plek."):
    from app.extensions import db

    response = service.propose_slot(contact, posted, contact.organisations()[0], slot, message)
    db.session.commit()
    return response
