"""/api/v1/bookings/{id}/evaluations and /evaluation: each party evaluates a
booking that took place once; both parties and coordinators read both sides;
other organisations get 404. Answers match the OpenAPI document."""

from __future__ import annotations

import pytest
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate
from sqlalchemy import func, select

from app.evaluations.models import Evaluation
from tests import factories
from tests.api.helpers import api_as, error_of, invalid_fields
from tests.evaluations import builders

SCHOOL = {
    "rating": 4,
    "students_attended": 18,
    "went_well": "Veel zelf gedaan.",
    "meaningful": {"clear_purpose": True, "pupils_reflected": False},
}
COMPANY = {"rating": 5, "could_be_better": "Meer tijd voor vragen."}


@pytest.fixture
def completed(world, db):
    slot = builders.past_slot(world.activity)
    booking = builders.booking(slot, world.school, size=20, teacher=world.teacher)
    db.session.commit()
    return booking


def url(booking, single: bool = False) -> str:
    return f"/bookings/{booking.id}/" + ("evaluation" if single else "evaluations")


def spec(client) -> dict:
    return client.get("/api/v1/openapi.json").get_json()


def conforms(document: dict, schema_name: str, body) -> None:
    """The answer validates against its schema in the OpenAPI document."""
    schema = {"$ref": f"#/components/schemas/{schema_name}", "components": document["components"]}
    errors = list(Draft202012Validator(schema).iter_errors(body))
    assert not errors, [e.message for e in errors]


def stored(db) -> int:
    return db.session.scalar(select(func.count()).select_from(Evaluation))


def test_both_sides_evaluate_and_read_each_other(world, db, completed, client):
    document = spec(client)
    empty = world.as_teacher.get(url(completed))
    assert empty.status_code == 200
    assert empty.get_json() == {
        "booking_id": completed.id,
        "booking_status": "completed",
        "items": [],
        "you_may_evaluate": ["school"],
    }
    conforms(document, "EvaluationsOut", empty.get_json())

    school = world.as_teacher.post(url(completed, single=True), json=SCHOOL)
    assert school.status_code == 201, school.get_json()
    conforms(document, "EvaluationOut", school.get_json())
    assert school.get_json()["side"] == "school"
    assert school.get_json()["students_attended"] == 18
    assert school.get_json()["submitted_by"] == "Docent Een"
    # What was not answered stays null.
    assert school.get_json()["meaningful"] == {
        "clear_purpose": True,
        "professionals_interaction": None,
        "pupils_reflected": False,
        "follow_up_planned": None,
    }

    company = world.as_contact.post(url(completed, single=True), json=COMPANY)
    assert company.status_code == 201, company.get_json()
    assert company.get_json()["side"] == "company"
    assert company.get_json()["students_attended"] is None
    assert set(company.get_json()["meaningful"].values()) == {None}

    for reader in (world.as_teacher, world.as_contact, world.as_coordinator):
        body = reader.get(url(completed)).get_json()
        conforms(document, "EvaluationsOut", body)
        assert [(e["side"], e["rating"]) for e in body["items"]] == [("school", 4), ("company", 5)]
        assert body["you_may_evaluate"] == []
    assert stored(db) == 2


def test_the_same_as_the_evaluation_page(world, db, completed, app):
    """The API and the page share one service: what one stored, the other refuses."""
    from tests.apps import login

    page = login(app.test_client(), world.teacher, "secret-password")
    page.post(
        f"/bookings/{completed.id}/evaluation",
        data={
            "rating": "3",
            "students_attended": "20",
            "side": "school",
            "clear_purpose": "yes",
            "professionals_interaction": "yes",
            "pupils_reflected": "yes",
            "follow_up_planned": "no",
        },
    )
    assert stored(db) == 1
    error_of(
        world.as_teacher.post(url(completed, single=True), json=SCHOOL), 409, "already_evaluated"
    )


def test_other_organisations_find_no_booking(world, db, completed):
    for stranger in (world.as_other_teacher, world.as_other_contact):
        error_of(stranger.get(url(completed)), 404, "not_found")
        error_of(stranger.post(url(completed, single=True), json=SCHOOL), 404, "not_found")
    error_of(world.as_teacher.get("/bookings/999999/evaluations"), 404)
    error_of(world.as_teacher.get("/bookings/99999999999/evaluations"), 404)
    error_of(world.anonymous.get(url(completed)), 401)
    assert stored(db) == 0


def test_a_coordinator_reads_but_does_not_evaluate(world, db, completed):
    assert world.as_coordinator.get(url(completed)).get_json()["you_may_evaluate"] == []
    error_of(world.as_coordinator.post(url(completed, single=True), json=SCHOOL), 403, "forbidden")
    # Nor does a party speak for the other side.
    error_of(
        world.as_teacher.post(url(completed, single=True), json={**COMPANY, "side": "company"}),
        403,
        "forbidden",
    )
    assert stored(db) == 0


def test_only_once_and_only_after_it_took_place(world, db, completed):
    assert world.as_teacher.post(url(completed, single=True), json=SCHOOL).status_code == 201
    error_of(
        world.as_teacher.post(url(completed, single=True), json=SCHOOL), 409, "already_evaluated"
    )
    upcoming = builders.booking(world.slot, world.school, status="confirmed")
    db.session.commit()
    assert world.as_teacher.get(url(upcoming)).get_json()["you_may_evaluate"] == []
    error_of(world.as_teacher.post(url(upcoming, single=True), json=SCHOOL), 409, "not_completed")
    assert stored(db) == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"rating": 0, "students_attended": 5}, "rating"),
        ({"rating": 6, "students_attended": 5}, "rating"),
        ({"rating": "4", "students_attended": 5}, "rating"),
        ({"rating": 4.5, "students_attended": 5}, "rating"),
        ({"students_attended": 5}, "rating"),
        ({"rating": 4}, "students_attended"),
        ({"rating": 4, "students_attended": -1}, "students_attended"),
        ({"rating": 4, "students_attended": 21}, "students_attended"),  # 20 were booked
        ({"rating": 4, "students_attended": 5, "went_well": "x" * 2001}, "went_well"),
        ({"rating": 4, "students_attended": 5, "side": "parents"}, "side"),
        ({"rating": 4, "students_attended": 5, "mood": "good"}, "mood"),
    ],
)
def test_bad_values_are_422_at_their_field(world, db, completed, body, field):
    response = world.as_teacher.post(url(completed, single=True), json=body)
    assert field in invalid_fields(response)
    assert stored(db) == 0


def test_the_company_does_not_count_heads(world, db, completed):
    response = world.as_contact.post(
        url(completed, single=True), json={**COMPANY, "students_attended": 3}
    )
    assert invalid_fields(response) == {"students_attended"}
    error_of(world.as_teacher.post(url(completed, single=True), data="[1, 2]"), 400)


def test_someone_on_both_sides_chooses(world, db, app):
    # A teacher who is also a contact of the company of the booking.
    both = factories.user(world.school, "teacher", name="Twee Petten")
    _join(db, both, world.company)
    slot = builders.past_slot(world.activity)
    booking = builders.booking(slot, world.school, teacher=both)
    db.session.commit()
    api = api_as(app, db, both)
    assert api.get(url(booking)).get_json()["you_may_evaluate"] == ["school", "company"]
    assert invalid_fields(api.post(url(booking, single=True), json=COMPANY)) == {"side"}
    answer = api.post(url(booking, single=True), json={**COMPANY, "side": "company"})
    assert answer.status_code == 201 and answer.get_json()["side"] == "company"
    assert api.get(url(booking)).get_json()["you_may_evaluate"] == ["school"]


def _join(db, user, organisation):
    from app.accounts.models import Membership

    db.session.add(Membership(user=user, organisation=organisation, role="contact"))
    db.session.flush()


def test_the_document_describes_the_evaluation_operations(client, db):
    document = spec(client)
    validate(document)
    read = document["paths"]["/bookings/{booking_id}/evaluations"]["get"]
    assert {"200", "401", "404"} <= set(read["responses"])
    write = document["paths"]["/bookings/{booking_id}/evaluation"]["post"]
    assert {"201", "400", "401", "403", "404", "409", "422"} <= set(write["responses"])
    body = document["components"]["schemas"]["EvaluationIn"]
    assert body["required"] == ["rating"]
    assert body["additionalProperties"] is False
    assert body["properties"]["rating"]["minimum"] == 1
    assert body["properties"]["rating"]["maximum"] == 5


def test_only_the_school_answers_how_meaningful_and_only_with_booleans(world, db, completed):
    company = world.as_contact.post(
        url(completed, single=True), json={**COMPANY, "meaningful": {"clear_purpose": True}}
    )
    assert invalid_fields(company) == {"meaningful"}
    for junk in ({"clear_purpose": "ja"}, {"purpose": True}, ["clear_purpose"]):
        answer = world.as_teacher.post(
            url(completed, single=True), json={**SCHOOL, "meaningful": junk}
        )
        assert answer.status_code == 422, answer.get_json()
    assert stored(db) == 0
