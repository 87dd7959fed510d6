"""/api/v1/placements and /api/v1/candidates: the placement flow through the
API, its error statuses, and the documents' description of it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from openapi_spec_validator import validate

from tests.api.helpers import api_as, error_of, invalid_fields
from tests.placements.helpers import holiday, monday_in, professional


@pytest.fixture
def person(world, db):
    found = professional(world.company, name="Ellen Draaier")
    db.session.commit()
    return found


def body(person, school, **values):
    first = values.pop("first", monday_in(2))
    data = {
        "professional_id": person.id,
        "school_id": school.id,
        "hours_per_week": 4,
        "weekdays": ["mo", "we"],
        "start_time": "09:00",
        "end_time": "12:00",
        "first_date": first.isoformat(),
        "last_date": (first + timedelta(weeks=8)).isoformat(),
        "subjects": "Metaal",
        "profiles": ["PIE"],
    }
    data.update(values)
    return data


@pytest.fixture
def proposed(world, person):
    response = world.as_contact.post("/placements", json=body(person, world.school))
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def test_a_contact_proposes_and_the_teacher_accepts(world, person, proposed):
    assert proposed["status"] == "proposed"
    assert proposed["awaiting"] == "school" and proposed["proposed_by"] == "company"
    assert proposed["weekdays"] == ["mo", "we"]
    assert proposed["start_time"] == "09:00:00"
    assert proposed["professional"]["name"] == "Ellen Draaier"

    accepted = world.as_teacher.post(f"/placements/{proposed['id']}/accept")
    assert accepted.status_code == 200
    assert accepted.get_json()["status"] == "agreed"

    listing = world.as_teacher.get("/placements?status=agreed").get_json()
    assert [p["id"] for p in listing["items"]] == [proposed["id"]]


def test_counter_then_the_company_accepts(world, proposed):
    pid = proposed["id"]
    terms = {k: v for k, v in body_terms(weekdays=["tu", "th"]).items()}
    countered = world.as_teacher.post(
        f"/placements/{pid}/counter", json={**terms, "message": "Dinsdag past beter"}
    )
    assert countered.status_code == 200, countered.get_json()
    assert countered.get_json()["awaiting"] == "company"
    # The school cannot accept its own counter; the company can.
    error_of(world.as_teacher.post(f"/placements/{pid}/accept"), 403, "forbidden")
    assert world.as_contact.post(f"/placements/{pid}/accept").get_json()["status"] == "agreed"


def body_terms(**values):
    first = monday_in(2)
    data = {
        "hours_per_week": 4,
        "weekdays": ["mo", "we"],
        "start_time": "09:00",
        "end_time": "12:00",
        "first_date": first.isoformat(),
        "last_date": (first + timedelta(weeks=8)).isoformat(),
    }
    data.update(values)
    return data


def test_decline_withdraw_and_state_conflicts(world, person, proposed):
    pid = proposed["id"]
    assert invalid_fields(
        world.as_teacher.post(f"/placements/{pid}/decline", json={"reason": ""})
    ) == {"reason"}
    declined = world.as_teacher.post(f"/placements/{pid}/decline", json={"reason": "Vol"})
    assert declined.get_json()["status"] == "declined"
    error_of(world.as_teacher.post(f"/placements/{pid}/accept"), 409, "invalid_state")
    error_of(world.as_contact.post(f"/placements/{pid}/withdraw", json={}), 409, "invalid_state")

    again = world.as_contact.post("/placements", json=body(person, world.school)).get_json()
    withdrawn = world.as_contact.post(
        f"/placements/{again['id']}/withdraw", json={"reason": "Toch niet"}
    )
    assert withdrawn.get_json()["status"] == "withdrawn"


def test_a_clash_is_409_naming_the_other_school(world, person, proposed):
    response = world.as_contact.post(
        "/placements",
        json=body(
            person, world.other_school, weekdays=["we"], start_time="11:00", end_time="13:00"
        ),
    )
    error = error_of(response, 409, "clash")
    assert "Vakcollege Enschede" in error["message"]
    assert error["field"] == "weekdays"
    adjacent = world.as_contact.post(
        "/placements",
        json=body(
            person, world.other_school, weekdays=["we"], start_time="12:00", end_time="13:00"
        ),
    )
    assert adjacent.status_code == 201


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"hours_per_week": 0}, "hours_per_week"),
        ({"hours_per_week": 41}, "hours_per_week"),
        ({"weekdays": ["sa"]}, "weekdays.0"),
        ({"weekdays": []}, "weekdays"),
        ({"end_time": "08:00"}, "end_time"),
    ],
)
def test_bad_terms_are_422(world, person, values, field):
    response = world.as_contact.post("/placements", json=body(person, world.school, **values))
    assert field in invalid_fields(response)


def test_a_last_date_before_the_first_is_422(world, person):
    first = monday_in(3)
    response = world.as_contact.post(
        "/placements",
        json=body(
            person, world.school, first=first, last_date=(first - timedelta(days=1)).isoformat()
        ),
    )
    assert invalid_fields(response) == {"last_date"}


def test_other_organisations_placements_are_404(world, person, proposed):
    pid = proposed["id"]
    for api in (world.as_other_teacher, world.as_other_contact):
        error_of(api.get(f"/placements/{pid}"), 404, "not_found")
        error_of(api.post(f"/placements/{pid}/accept"), 404, "not_found")
        error_of(api.get(f"/placements/{pid}/lessons"), 404, "not_found")
        assert api.get("/placements").get_json()["items"] == []
    assert world.as_coordinator.get(f"/placements/{pid}").status_code == 200
    error_of(world.as_teacher.get("/placements/999999"), 404)
    error_of(world.anonymous.get(f"/placements/{pid}"), 401)


def test_a_company_cannot_propose_another_companys_professional(world, person):
    response = world.as_other_contact.post("/placements", json=body(person, world.school))
    error_of(response, 403, "forbidden")


def test_lessons_can_be_listed_cancelled_and_moved(world, db, proposed):
    pid = proposed["id"]
    first = monday_in(2)
    holiday("Herfstvakantie", first + timedelta(days=7), first + timedelta(days=13))
    db.session.commit()
    open_schedule = world.as_teacher.get(f"/placements/{pid}/lessons").get_json()
    assert open_schedule["lessons"] == []
    error_of(
        world.as_teacher.post(
            f"/placements/{pid}/lessons/{first.isoformat()}/cancel", json={"reason": "x"}
        ),
        409,
        "invalid_state",
    )
    world.as_teacher.post(f"/placements/{pid}/accept")

    plan = world.as_contact.get(f"/placements/{pid}/lessons").get_json()
    dates = [x["date"] for x in plan["lessons"]]
    assert plan["holidays"] == [
        (first + timedelta(days=7)).isoformat(),
        (first + timedelta(days=9)).isoformat(),
    ]
    assert dates[0] == first.isoformat() and plan["holidays"][0] not in dates

    cancelled = world.as_contact.post(
        f"/placements/{pid}/lessons/{dates[1]}/cancel", json={"reason": "Toetsweek"}
    )
    assert cancelled.status_code == 200
    assert [x["status"] for x in cancelled.get_json()["lessons"]][:3] == [
        "scheduled",
        "cancelled",
        "scheduled",
    ]
    moved = world.as_teacher.post(
        f"/placements/{pid}/lessons/{dates[2]}/move",
        json={
            "new_date": (first + timedelta(days=18)).isoformat(),
            "start_time": "13:00",
            "end_time": "15:00",
        },
    )
    assert moved.status_code == 200, moved.get_json()
    lesson = next(x for x in moved.get_json()["lessons"] if x["original_date"] == dates[2])
    assert lesson["status"] == "moved" and lesson["start_time"] == "13:00:00"

    assert invalid_fields(
        world.as_teacher.post(f"/placements/{pid}/lessons/gisteren/cancel", json={"reason": "x"})
    ) == {"original_date"}
    error_of(
        world.as_teacher.post(f"/placements/{pid}/lessons/{dates[1]}/cancel", json={"reason": "x"}),
        409,
        "lesson_cancelled",
    )
    error_of(
        world.as_other_teacher.post(
            f"/placements/{pid}/lessons/{dates[3]}/cancel", json={"reason": "x"}
        ),
        404,
    )


def test_ending_early(world, proposed):
    pid = proposed["id"]
    world.as_teacher.post(f"/placements/{pid}/accept")
    assert invalid_fields(world.as_contact.post(f"/placements/{pid}/end", json={"reason": ""})) == {
        "reason"
    }
    ended = world.as_contact.post(
        f"/placements/{pid}/end",
        json={"reason": "Nieuwe baan", "ended_on": monday_in(3).isoformat()},
    )
    assert ended.status_code == 200
    assert ended.get_json()["status"] == "ended" and ended.get_json()["ended_early"] is True


def test_the_pool_is_searched_and_filled(world, person):
    found = world.as_teacher.get("/candidates?profile=PIE&weekday=we&q=cnc").get_json()
    assert [c["name"] for c in found] == ["Ellen Draaier"]
    assert world.as_teacher.get("/candidates?profile=MVI").get_json() == []
    assert "profile" in invalid_fields(world.as_teacher.get("/candidates?profile=XYZ"))

    created = world.as_contact.post(
        "/candidates",
        json={
            "name": "Sanne Lasser",
            "expertise": "Lassen",
            "kind": "technician",
            "profiles": ["MaT"],
            "weekdays": ["tu"],
            "hours_per_week": 6,
            "consent": True,
        },
    )
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["company"]["id"] == world.company.id
    assert created.get_json()["status"] == "approved"
    assert invalid_fields(
        world.as_contact.post("/candidates", json={"name": "X", "expertise": "Y", "consent": False})
    ) == {"consent"}
    assert "hours_per_week" in invalid_fields(
        world.as_contact.post(
            "/candidates",
            json={"name": "X", "expertise": "Y", "consent": True, "hours_per_week": 0},
        )
    )
    error_of(
        world.as_contact.post(
            "/candidates",
            json={
                "company_id": world.other_company.id,
                "name": "X",
                "expertise": "Y",
                "consent": True,
            },
        ),
        404,
    )


def test_a_teacher_asks_a_company_for_a_pool_professional(world, person):
    response = world.as_teacher.post("/placements", json=body(person, world.school))
    assert response.status_code == 201, response.get_json()
    placement = response.get_json()
    assert placement["proposed_by"] == "school" and placement["awaiting"] == "company"
    error_of(world.as_teacher.post("/placements", json=body(person, world.other_school)), 403)


def test_the_document_describes_placements(client, db):
    spec = client.get("/api/v1/openapi.json").get_json()
    validate(spec)
    paths = spec["paths"]
    for path in (
        "/placements",
        "/placements/{placement_id}",
        "/placements/{placement_id}/accept",
        "/placements/{placement_id}/counter",
        "/placements/{placement_id}/decline",
        "/placements/{placement_id}/withdraw",
        "/placements/{placement_id}/end",
        "/placements/{placement_id}/lessons",
        "/placements/{placement_id}/lessons/{original_date}/cancel",
        "/placements/{placement_id}/lessons/{original_date}/move",
        "/candidates",
    ):
        assert path in paths, path
    create = paths["/placements"]["post"]
    assert {"201", "401", "403", "404", "409", "422"} <= set(create["responses"])
    schema = spec["components"]["schemas"]["PlacementIn"]
    assert {
        "professional_id",
        "school_id",
        "hours_per_week",
        "weekdays",
        "start_time",
        "end_time",
        "first_date",
        "last_date",
    } <= set(schema["required"])
    assert schema["properties"]["hours_per_week"]["maximum"] == 40


def test_the_same_flow_works_for_a_coordinator_on_behalf_of_the_company(app, db, world, person):
    coordinator = api_as(app, db, world.coordinator)
    response = coordinator.post("/placements", json=body(person, world.school))
    assert response.status_code == 201
    assert response.get_json()["proposed_by"] == "company"


@pytest.mark.parametrize("given", ["09:00+02:00", "09:00Z", "9:00", "09:00:00.5", "25:00", 900])
def test_a_time_is_a_local_time_without_an_offset(world, person, given):
    """A school day's hours have no offset; one given could not be compared
    with the schedule's times (and the document describes them by a pattern:
    JSON Schema's "time" format would demand an offset)."""
    response = world.as_contact.post(
        "/placements", json=body(person, world.school, start_time=given)
    )
    assert invalid_fields(response) == {"start_time"}
    schema = world.anonymous.get("/openapi.json").get_json()["components"]["schemas"]
    for model in ("PlacementOut", "PlacementIn", "PlacementLessonOut"):
        times = schema[model]["properties"]["start_time"]
        assert times.get("format") is None and times["pattern"].startswith("^"), model
