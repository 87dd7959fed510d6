"""Each rule shared by the pages, the API and the services has one source:
which school a person acts for (app.accounts.acting through the services),
the text limits (app.text) and the years a date may have (app.timeutil)."""

from __future__ import annotations

import pytest

from app import text, vocabulary
from app.accounts.models import Membership
from app.accounts.service import create_api_token
from app.bookings import service as bookings
from app.errors import DomainError, Forbidden
from app.placements.models import MAX_HOURS, MIN_HOURS
from app.school_requests import service as requests
from app.timeutil import FIRST_YEAR, LAST_YEAR
from tests import factories


def refusal(call, *args) -> DomainError:
    with pytest.raises(DomainError) as caught:
        call(*args)
    return caught.value


@pytest.mark.parametrize("school_for", [bookings.school_for, requests.school_for])
def test_the_school_a_person_acts_for(db, school_for):
    school, other = factories.school(), factories.school()
    teacher = factories.user(school, "teacher")
    db.session.commit()
    # At one school: that one, without choosing.
    assert school_for(teacher, None) == school
    assert refusal(school_for, teacher, other.id).field == "school_id"
    # At two: one has to be chosen, among their own.
    db.session.add(Membership(user=teacher, organisation=other, role="teacher"))
    db.session.commit()
    assert refusal(school_for, teacher, None).field == "school_id"
    assert school_for(teacher, other.id) == other
    assert refusal(school_for, teacher, factories.school().id).field == "school_id"
    # At none: not allowed at all.
    contact = factories.user(factories.company(), "contact")
    assert isinstance(refusal(school_for, contact, None), Forbidden)


def test_the_api_documents_the_services_limits(client, db):
    schemas = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]
    assert schemas["BookingIn"]["properties"]["remarks"]["maxLength"] == text.TEXT
    terms = schemas["PlacementIn"]["properties"]
    assert (terms["hours_per_week"]["minimum"], terms["hours_per_week"]["maximum"]) == (
        MIN_HOURS,
        MAX_HOURS,
    )
    assert terms["weekdays"]["maxItems"] == len(vocabulary.WEEKDAYS)


def test_a_date_outside_the_years_is_refused_in_the_api(app, db, teacher):
    _token, raw = create_api_token(teacher, "tests")
    db.session.commit()
    api = app.test_client()
    headers = {"Authorization": f"Bearer {raw}"}
    for year in (FIRST_YEAR - 1, LAST_YEAR + 1):
        listing = api.get(f"/api/v1/activities?date_from={year}-01-01", headers=headers)
        assert listing.status_code == 422
        assert listing.get_json()["error"]["field"] == "date_from"
