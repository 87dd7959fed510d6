"""The OpenAPI document describes every operation, and the error format holds
for everything under /api/v1."""

from __future__ import annotations

import re

from openapi_spec_validator import validate

from tests.api.helpers import error_of


def spec_of(client) -> dict:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200 and response.is_json
    return response.get_json()


def test_the_document_is_valid_openapi(client, db):
    validate(spec_of(client))


def test_every_rule_under_api_v1_is_in_the_document(app, client, db):
    paths = spec_of(client)["paths"]
    rules = [rule for rule in app.url_map.iter_rules() if rule.rule.startswith("/api/v1/")]
    assert len(rules) >= 16
    for rule in rules:
        path = re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", rule.rule.removeprefix("/api/v1"))
        assert path in paths, f"{rule.rule} is missing from the document"
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            assert method.lower() in paths[path], f"{method} {rule.rule} is not documented"


def test_the_document_says_which_operations_need_a_token(client, db):
    paths = spec_of(client)["paths"]
    public = {
        ("get", "/activities"),
        ("get", "/activities/{activity_id}"),
        ("get", "/slots/{slot_id}"),
        ("get", "/curriculum"),
        ("get", "/openapi.json"),
    }
    for path, operations in paths.items():
        for method, operation in operations.items():
            if (method, path) in public:
                assert "security" not in operation and "401" not in operation["responses"]
            else:
                assert operation["security"] == [{"bearer": []}], (method, path)
                assert "401" in operation["responses"]


def test_the_document_describes_inputs_and_answers(client, db):
    spec = spec_of(client)
    book = spec["paths"]["/slots/{slot_id}/bookings"]["post"]
    assert {"201", "200", "400", "401", "403", "404", "409", "422"} <= set(book["responses"])
    header = [p for p in book["parameters"] if p["in"] == "header"]
    assert [p["name"] for p in header] == ["Idempotency-Key"]
    body = spec["components"]["schemas"]["BookingIn"]
    assert set(body["required"]) == {"group_size", "year", "path"}
    assert body["additionalProperties"] is False
    booking = spec["components"]["schemas"]["BookingOut"]
    assert {"status", "slot_taken", "slot_capacity"} <= set(booking["properties"])
    listing = spec["paths"]["/activities"]["get"]
    query = {p["name"]: p for p in listing["parameters"]}
    assert {
        "kind",
        "sector",
        "profile",
        "year",
        "path",
        "module",
        "keuzevak",
        "skill",
        "competence",
        "date_from",
        "date_to",
        "free",
        "q",
        "lat",
        "lon",
        "max_km",
        "sort",
        "page",
        "per_page",
    } == set(query)
    assert query["path"]["schema"]["type"] == "array"
    patch = spec["components"]["schemas"]["ActivityPatch"]
    assert "required" not in patch


def test_a_missing_or_unknown_token_is_a_json_401(client, db):
    response = client.get("/api/v1/bookings")
    error_of(response, 401, "unauthorized")
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    error_of(
        client.get("/api/v1/bookings", headers={"Authorization": "Bearer nope"}),
        401,
        "invalid_token",
    )
    error_of(
        client.get("/api/v1/bookings", headers={"Authorization": "Basic eDp5"}),
        401,
        "invalid_token",
    )


def test_unknown_paths_and_methods_answer_json(client, db):
    error_of(client.get("/api/v1/nothing-here"), 404)
    response = client.delete("/api/v1/activities")
    error_of(response, 405)
