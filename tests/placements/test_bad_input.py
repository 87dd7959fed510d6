"""Each kind of bad input of the issue gives a field error on the form (and a
422 in the API, see tests/api/test_placements.py), never a 500."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.placements.models import Placement
from tests.apps import login
from tests.placements.helpers import monday_in


def form(world, **values):
    first = monday_in(2)
    data = {
        "professional": world.professional.id,
        "school": world.school.id,
        "hours_per_week": "4",
        "weekdays": ["mo", "we"],
        "start_time": "09:00",
        "end_time": "12:00",
        "first_date": first.isoformat(),
        "last_date": (first + timedelta(weeks=8)).isoformat(),
    }
    data.update(values)
    return data


CASES = [
    ({"hours_per_week": "0"}, "hours_per_week", "at least 1 hour"),
    ({"hours_per_week": "41"}, "hours_per_week", "at most 40 hours"),
    ({"hours_per_week": "veel"}, "hours_per_week", None),
    ({"weekdays": ["sa"]}, "weekdays", "Monday to Friday"),
    ({"weekdays": ["mo", "su"]}, "weekdays", "Monday to Friday"),
    ({"weekdays": []}, "weekdays", "at least one school day"),
    ({"last_date": monday_in(1).isoformat()}, "last_date", "before the first date"),
    ({"end_time": "08:00"}, "end_time", "before the start time"),
    ({"first_date": "9999-01-01"}, "first_date", None),
    ({"first_date": "gisteren"}, "first_date", None),
    ({"first_date": monday_in(-2).isoformat()}, "first_date", "in the past"),
    ({"school": "999999"}, "school", None),
    ({"professional": "abc"}, "professional", None),
]


@pytest.mark.parametrize(("values", "field", "words"), CASES)
def test_a_bad_proposal_is_a_field_error(app, world, db, values, field, words):
    client = login(app.test_client(), world.contact)
    client.post("/language", data={"language": "en"})
    response = client.post("/placements/new", data=form(world, **values))

    assert response.status_code == 422, response.status_code
    page = response.get_data(as_text=True)
    assert f'id="{field}-new-error"' in page or f'id="{field}-error"' in page, page[-3000:]
    if words:
        assert words in page
    assert db.session.query(Placement).count() == 0


def test_the_messages_are_dutch_by_default(app, world, db):
    client = login(app.test_client(), world.contact)
    page = client.post("/placements/new", data=form(world, hours_per_week="0")).get_data(
        as_text=True
    )
    assert "uur per week" in page


def test_an_own_registration_without_email_or_consent_is_refused(app, db):
    client = app.test_client()
    page = client.post(
        "/placements/pool/register",
        data={
            "name": "Iemand",
            "expertise": "Elektrotechniek",
            "kind": "martian",
            "email": "geen-adres",
        },
    )
    assert page.status_code == 422
    body = page.get_data(as_text=True)
    assert 'id="email-error"' in body or 'id="kind-error"' in body or 'id="consent-error"' in body
