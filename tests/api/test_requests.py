"""/api/v1/requests: posting, reading, proposing, accepting and withdrawing a
school request, and its ranked suggestions; each answer checked against the
OpenAPI document."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from openapi_schema_validator import OAS31Validator
from sqlalchemy import func, select

from app.bookings.models import Booking
from app.school_requests.service import today_local
from tests import factories
from tests.api.helpers import error_of, invalid_fields


def period(start: int = 7, end: int = 40) -> dict:
    today = today_local()
    return {
        "first_day": (today + timedelta(days=start)).isoformat(),
        "last_day": (today + timedelta(days=end)).isoformat(),
    }


REQUEST = {
    "kind": "company_visit",
    "topic": "Draaien en frezen zien",
    "group_size": 20,
    "year": "3",
    "path": "KB",
    "profile": "PIE",
    "venues": ["company"],
    "max_km": 40,
    "remarks": "Twee begeleiders.",
}


@pytest.fixture
def spec(client):
    return client.get("/api/v1/openapi.json").get_json()


def conforms(spec, schema_name: str, body) -> None:
    """The answer matches the schema the OpenAPI document promises."""
    schema = {"$ref": f"#/components/schemas/{schema_name}", "components": spec["components"]}
    OAS31Validator(schema).validate(body)


def post_request(api, **changes):
    return api.post("/requests", json={**REQUEST, **period(), **changes})


def posted(world, **changes) -> dict:
    response = post_request(world.as_teacher, **changes)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def proposal(world, request_id, api=None, **values):
    body = {"option": "slot", "slot_id": world.slot.id, "message": "Welkom", **values}
    return (api or world.as_contact).post(f"/requests/{request_id}/responses", json=body)


def test_a_teacher_posts_a_request(world, spec):
    response = post_request(world.as_teacher)
    assert response.status_code == 201
    body = response.get_json()
    conforms(spec, "RequestOut", body)
    assert body["status"] == "open" and body["school"]["id"] == world.school.id
    assert body["teacher"]["email"] == world.teacher.email
    assert body["venues"] == ["company"] and body["responses"] == []


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"first_day": "2020-01-01", "last_day": "2020-01-31"}, "last_day"),
        ({"first_day": (date.today() - timedelta(days=2)).isoformat()}, "first_day"),
        ({"profile": None}, "profile"),
        ({"venues": []}, "venues"),
        ({"group_size": 0}, "group_size"),
        ({"kind": "party"}, "kind"),
        ({"first_day": 20300101}, "first_day"),
        ({"max_km": 0}, "max_km"),
        ({"color": "red"}, "color"),
    ],
)
def test_bad_input_is_a_422_naming_the_field(world, changes, field):
    response = post_request(world.as_teacher, **changes)
    assert field in invalid_fields(response)


def test_only_schools_post_requests(world):
    error_of(post_request(world.as_contact), 403)
    error_of(post_request(world.anonymous), 401)


def test_who_sees_a_request(world, spec):
    body = posted(world)
    path = f"/requests/{body['id']}"
    error_of(world.as_other_teacher.get(path), 404, "not_found")
    company_view = world.as_other_contact.get(path).get_json()
    conforms(spec, "RequestOut", company_view)
    assert company_view["teacher"] is None
    assert world.as_coordinator.get(path).get_json()["teacher"]["name"] == "Docent Een"
    error_of(world.as_teacher.get("/requests/99999"), 404)
    error_of(world.as_teacher.get(f"/requests/{2**40}"), 404)


def test_lists_per_role(world, spec):
    pie = posted(world)
    mvi = posted(world, topic="Game design", profile="MVI")
    mine = world.as_teacher.get("/requests").get_json()
    conforms(spec, "RequestPageOut", mine)
    assert [r["id"] for r in mine["items"]] == [mvi["id"], pie["id"]]
    assert world.as_other_teacher.get("/requests").get_json()["items"] == []
    everything = world.as_contact.get("/requests").get_json()["items"]
    assert {r["id"] for r in everything} == {pie["id"], mvi["id"]}
    matching = world.as_contact.get("/requests?matching=true").get_json()["items"]
    assert [r["id"] for r in matching] == [pie["id"]]
    assert world.as_teacher.get("/requests?status=fulfilled").get_json()["items"] == []
    assert invalid_fields(world.as_teacher.get("/requests?status=nonsense")) == {"status.0"}


def test_propose_accept_and_the_booking(world, db, spec):
    body = posted(world)
    answer = proposal(world, body["id"])
    assert answer.status_code == 201, answer.get_json()
    conforms(spec, "ResponseOut", answer.get_json())
    response_id = answer.get_json()["id"]
    # The school sees it; the other company does not.
    assert [
        r["id"] for r in world.as_teacher.get(f"/requests/{body['id']}").get_json()["responses"]
    ] == [response_id]
    assert world.as_other_contact.get(f"/requests/{body['id']}").get_json()["responses"] == []
    accept = f"/requests/{body['id']}/responses/{response_id}/accept"
    error_of(world.as_contact.post(accept), 403)
    error_of(world.as_other_teacher.post(accept), 404)
    accepted = world.as_teacher.post(accept)
    assert accepted.status_code == 200, accepted.get_json()
    result = accepted.get_json()
    conforms(spec, "AcceptedOut", result)
    assert result["status"] == "fulfilled" and result["booking_status"] == "requested"
    booking = db.session.get(Booking, result["booking_id"])
    assert booking.slot_id == world.slot.id and booking.group_size == 20
    assert db.session.scalar(select(func.count()).select_from(Booking)) == 1
    error_of(world.as_teacher.post(accept), 409, "proposal_closed")
    # Closed now: the company that answered gets a conflict, any other no request at all.
    error_of(
        proposal(world, body["id"], slot_id=factories.slot(world.activity).id),
        409,
        "request_closed",
    )
    error_of(
        proposal(
            world,
            body["id"],
            api=world.as_other_contact,
            slot_id=factories.slot(factories.activity(world.other_company)).id,
        ),
        404,
    )


def test_proposals_that_do_not_fit(world, db):
    body = posted(world)
    other_slot = factories.slot(factories.activity(world.other_company))
    db.session.commit()
    assert "slot_id" in invalid_fields(proposal(world, body["id"], slot_id=other_slot.id))
    assert "activity_id" in invalid_fields(
        proposal(world, body["id"], option="new_slot", slot_id=None)
    )
    starts = (today_local() + timedelta(days=20)).isoformat() + "T10:00"
    new_date = proposal(
        world,
        body["id"],
        option="new_slot",
        slot_id=None,
        activity_id=world.activity.id,
        starts_at=starts,
        ends_at=starts.replace("T10", "T08"),
        capacity=20,
    )
    assert "ends_at" in invalid_fields(new_date)
    error_of(proposal(world, body["id"], api=world.as_teacher), 403)
    error_of(proposal(world, body["id"], api=world.as_other_teacher), 404)
    assert invalid_fields(proposal(world, body["id"], option="placement", slot_id=None)) == {
        "professional_id"
    }


def test_a_new_date_through_the_api(world, db, spec):
    body = posted(world)
    day = today_local() + timedelta(days=20)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    answer = proposal(
        world,
        body["id"],
        option="new_slot",
        slot_id=None,
        activity_id=world.activity.id,
        starts_at=f"{day.isoformat()}T10:00",
        ends_at=f"{day.isoformat()}T12:00",
        capacity=25,
    )
    assert answer.status_code == 201, answer.get_json()
    created = answer.get_json()
    assert created["slot_id"] is None and created["capacity"] == 25
    assert created["starts_at"].startswith(day.isoformat())
    result = world.as_teacher.post(
        f"/requests/{body['id']}/responses/{created['id']}/accept"
    ).get_json()
    assert result["booking_id"]
    [response] = result["responses"]
    assert response["slot_id"] is not None


def test_withdraw(world, spec):
    body = posted(world)
    path = f"/requests/{body['id']}/withdraw"
    error_of(world.as_contact.post(path, json={}), 403)
    error_of(world.as_other_teacher.post(path, json={}), 404)
    withdrawn = world.as_teacher.post(path, json={"reason": "Rooster"})
    assert withdrawn.status_code == 200
    conforms(spec, "RequestOut", withdrawn.get_json())
    assert withdrawn.get_json()["status"] == "withdrawn"
    error_of(world.as_teacher.post(path, json={}), 409, "request_closed")
    assert "reason" in invalid_fields(world.as_teacher.post(path, json={"reason": "x" * 3000}))


def test_suggestions_rank_the_slot_with_reasons(world, spec):
    body = posted(world)
    path = f"/requests/{body['id']}/suggestions"
    answer = world.as_teacher.get(path)
    assert answer.status_code == 200
    result = answer.get_json()
    conforms(spec, "SuggestionsOut", result)
    [first] = result["slots"]
    assert first["slot_id"] == world.slot.id
    assert [r["code"] for r in first["reasons"]][:2] == ["kind_matches", "profile_matches"]
    assert first["score"] == sum(r["points"] for r in first["reasons"])
    assert all(r["text"] for r in first["reasons"])
    assert [c["company"]["id"] for c in result["companies"]][0] in (
        world.company.id,
        world.other_company.id,
    )
    error_of(world.as_contact.get(path), 403)
    error_of(world.as_other_teacher.get(path), 404)


JUNK = [None, -1, 0, 2**40, 1.5, True, "", "x" * 5000, "2031-13-45", [], {}, ["x"]]


def test_no_junk_gives_a_500(world):
    body = posted(world)
    for field in [*REQUEST, "first_day", "last_day", "school_id"]:
        for junk in JUNK:
            answer = world.as_teacher.post("/requests", json={**REQUEST, **period(), field: junk})
            assert answer.status_code < 500, (field, junk)
    valid = {
        "option": "new_slot",
        "activity_id": world.activity.id,
        "starts_at": "2031-03-04T10:00",
        "ends_at": "2031-03-04T12:00",
        "capacity": 20,
        "slot_id": None,
        "professional_id": None,
        "hours_per_week": None,
        "weekdays": [],
        "start_time": None,
        "end_time": None,
        "first_date": None,
        "last_date": None,
        "message": "",
        "company_id": None,
    }
    for field in valid:
        for junk in JUNK:
            answer = world.as_contact.post(
                f"/requests/{body['id']}/responses", json={**valid, field: junk}
            )
            assert answer.status_code < 500, (field, junk, answer.get_json())
            assert set(answer.get_json()) == {"error"} or answer.status_code == 201
