"""A small world for the API tests: two schools, two companies, a coordinator,
each person with a bearer token, and a published activity with a slot."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from app.accounts.service import create_api_token
from tests import factories

PREFIX = "/api/v1"


class Api:
    """A test client that speaks JSON to /api/v1 as one person (or nobody)."""

    def __init__(self, client, raw_token: str | None = None):
        self.client = client
        self.headers = {"Authorization": f"Bearer {raw_token}"} if raw_token else {}

    def _call(self, method: str, path: str, json=None, headers=None, **kwargs):
        all_headers = {**self.headers, **(headers or {})}
        if json is not None:
            kwargs["json"] = json
        return self.client.open(PREFIX + path, method=method, headers=all_headers, **kwargs)

    def get(self, path, **kwargs):
        return self._call("GET", path, **kwargs)

    def post(self, path, json=None, **kwargs):
        return self._call("POST", path, json=json, **kwargs)

    def patch(self, path, json=None, **kwargs):
        return self._call("PATCH", path, json=json, **kwargs)


def api_as(app, db, user=None) -> Api:
    raw = None
    if user is not None:
        _token, raw = create_api_token(user, "tests")
        db.session.commit()
    return Api(app.test_client(), raw)


def error_of(response, status: int, code: str | None = None) -> dict:
    """Asserts the API's one error format (app/web/errors.py, json_error) and
    returns the error object."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.is_json
    body = response.get_json()
    assert set(body) == {"error"}
    error = body["error"]
    assert isinstance(error["message"], str) and error["message"]
    if code is not None:
        assert error["code"] == code, error
    return error


def invalid_fields(response) -> set[str]:
    """The fields a 422 complains about (pydantic's details or a service's field)."""
    error = error_of(response, 422)
    if "details" in error:
        return {d["field"] for d in error["details"]}
    return {error["field"]} if error.get("field") else set()


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
    activity: object
    slot: object
    anonymous: Api
    as_teacher: Api
    as_other_teacher: Api
    as_contact: Api
    as_other_contact: Api
    as_coordinator: Api


@pytest.fixture
def world(app, db) -> World:
    school = factories.school(name="Vakcollege Enschede")
    other_school = factories.school(name="Het Assink")
    company = factories.company(name="Draaierij Delden")
    other_company = factories.company(name="Installatiebedrijf Hengelo")
    teacher = factories.user(school, "teacher", name="Docent Een")
    other_teacher = factories.user(other_school, "teacher", name="Docent Twee")
    contact = factories.user(company, "contact", name="Contact Een", phone="053-1234567")
    other_contact = factories.user(other_company, "contact", name="Contact Twee")
    coordinator = factories.user(factories.network(), "coordinator")
    activity = factories.activity(company, title="Draaien en frezen", contact=contact)
    slot = factories.slot(activity)
    db.session.commit()
    return World(
        school=school,
        other_school=other_school,
        company=company,
        other_company=other_company,
        teacher=teacher,
        other_teacher=other_teacher,
        contact=contact,
        other_contact=other_contact,
        coordinator=coordinator,
        activity=activity,
        slot=slot,
        anonymous=api_as(app, db),
        as_teacher=api_as(app, db, teacher),
        as_other_teacher=api_as(app, db, other_teacher),
        as_contact=api_as(app, db, contact),
        as_other_contact=api_as(app, db, other_contact),
        as_coordinator=api_as(app, db, coordinator),
    )


GROUP = {"group_size": 20, "year": "3", "path": "KB", "profile": "PIE"}
