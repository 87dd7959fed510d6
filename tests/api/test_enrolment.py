"""/api/v1/schools/{id}/enrolment and /api/v1/coverage/pupils: a school's
people and coordinators read and replace its pupil numbers, others find
nothing; coverage in pupils as the dashboard computes it; answers match the
OpenAPI document."""

from __future__ import annotations

from jsonschema import Draft202012Validator

from app.school_year import SchoolYear
from tests.api.helpers import error_of, invalid_fields
from tests.evaluations import builders

YEAR = SchoolYear.current().start


def conforms(client, schema_name: str, body) -> None:
    document = client.get("/api/v1/openapi.json").get_json()
    schema = {"$ref": f"#/components/schemas/{schema_name}", "components": document["components"]}
    errors = list(Draft202012Validator(schema).iter_errors(body))
    assert not errors, [e.message for e in errors]


def url(school) -> str:
    return f"/schools/{school.id}/enrolment"


def test_the_school_replaces_and_reads_its_numbers(world, db, client):
    cells = [
        {"year": "1", "path": "BB", "profile": "", "pupils": 30},
        {"year": "3", "path": "KB", "profile": "PIE", "pupils": 22},
    ]
    put = world.as_teacher._call(
        "PUT", url(world.school), json={"school_year": YEAR, "cells": cells}
    )
    assert put.status_code == 200, put.get_json()
    conforms(client, "EnrolmentOut", put.get_json())
    assert put.get_json()["pupils"] == 52
    got = world.as_coordinator.get(url(world.school) + f"?school_year={YEAR}").get_json()
    assert got["cells"] == sorted(cells, key=lambda c: (c["year"], c["path"], c["profile"]))


def test_bad_numbers_and_cells_are_refused_at_their_field(world, db):
    def put(cells):
        return world.as_teacher._call(
            "PUT", url(world.school), json={"school_year": YEAR, "cells": cells}
        )

    assert invalid_fields(put([{"year": "3", "path": "KB", "profile": "PIE", "pupils": -1}]))
    assert invalid_fields(put([{"year": "3", "path": "KB", "profile": "PIE", "pupils": 5000}]))
    assert invalid_fields(put([{"year": "5", "path": "KB", "pupils": 3}]))
    assert invalid_fields(put([{"year": "1", "path": "KB", "profile": "PIE", "pupils": 3}])) == {
        "cells.0.profile"
    }
    twice = [{"year": "1", "path": "KB", "pupils": 3}, {"year": "1", "path": "KB", "pupils": 4}]
    assert invalid_fields(put(twice)) == {"cells.1"}
    assert world.as_teacher.get(url(world.school)).get_json()["cells"] == []


def test_other_organisations_find_no_numbers(world, db):
    error_of(world.as_other_teacher.get(url(world.school)), 404)
    error_of(world.as_contact.get(url(world.school)), 404)
    error_of(world.as_teacher.get(f"/schools/{world.company.id}/enrolment"), 404)
    error_of(world.anonymous.get(url(world.school)), 401)


def test_coverage_in_pupils_as_the_dashboard_has_it(world, db, client):
    world.as_teacher._call(
        "PUT",
        url(world.school),
        json={
            "school_year": YEAR,
            "cells": [{"year": "3", "path": "KB", "profile": "PIE", "pupils": 40}],
        },
    )
    for size in (15, 20):
        october = builders.local(YEAR, 10, 6)  # in this school year, whatever today is
        builders.booking(
            builders.past_slot(world.activity, starts_at=october), world.school, size=size
        )
    db.session.commit()
    body = world.as_coordinator.get(f"/coverage/pupils?school_year={YEAR}").get_json()
    conforms(client, "PupilCoverageOut", body)
    assert body["total"]["enrolled"] == 40
    assert (body["total"]["at_least"], body["total"]["at_most"]) == (20, 35)
    assert body["by_school"][0]["value"] == str(world.school.id)
    # The school sees its own; a company has no pupils.
    assert world.as_teacher.get("/coverage/pupils").get_json()["total"]["enrolled"] == 40
    error_of(world.as_contact.get("/coverage/pupils"), 404)
    assert invalid_fields(world.as_coordinator.get("/coverage/pupils?school_year=1"))
