"""Every error under /api/v1 has the one shape the OpenAPI document gives as
ErrorOut, field errors inside it; an exception that is no refusal is a 500,
not a 422."""

from __future__ import annotations

from jsonschema import Draft202012Validator

GROUP = {"group_size": 20, "year": "3", "path": "KB"}


def shape_validator(client) -> Draft202012Validator:
    spec = client.get("/api/v1/openapi.json").get_json()
    schema = {"$ref": "#/components/schemas/ErrorOut", "components": spec["components"]}
    return Draft202012Validator(schema)


def test_every_kind_of_error_has_the_documented_shape(app, db, world):
    validator = shape_validator(world.anonymous.client)
    slot = f"/slots/{world.slot.id}/bookings"
    answers = {
        "no token": (world.anonymous.get("/bookings"), 401),
        "unknown path": (world.anonymous.get("/nothing-here"), 404),
        "not JSON": (world.as_teacher.post(slot, data=b"{", content_type="text/plain"), 400),
        "pydantic": (world.as_teacher.post(slot, json={**GROUP, "group_size": "many"}), 422),
        "a service's rule": (world.as_teacher.post(slot, json={**GROUP, "group_size": 500}), 422),
        "wrong method": (world.anonymous.client.delete("/api/v1/activities"), 405),
    }
    for name, (response, status) in answers.items():
        assert response.status_code == status, name
        body = response.get_json()
        assert not list(validator.iter_errors(body)), (name, body)
        error = body["error"]
        # `field` is the first of the details, and only there when details are.
        assert error.get("field") == (error["details"][0]["field"] if error["details"] else None)


def test_field_errors_are_inside_the_error(world):
    invalid = world.as_teacher.post(
        f"/slots/{world.slot.id}/bookings", json={"group_size": "many", "year": "9"}
    )
    assert invalid.status_code == 422
    error = invalid.get_json()["error"]
    assert error["code"] == "invalid"
    assert {d["field"] for d in error["details"]} == {"group_size", "year", "path"}
    assert error["field"] == error["details"][0]["field"]
    # A service's rule about one field gives it in the same place.
    too_big = world.as_teacher.post(
        f"/slots/{world.slot.id}/bookings", json={**GROUP, "group_size": 500}
    )
    [detail] = too_big.get_json()["error"]["details"]
    assert detail["field"] == "group_size" and detail["message"]


def test_a_value_error_in_the_code_is_a_500_not_a_422(app, world, monkeypatch):
    """A ValueError raised by the code is a bug to see in the log, not the
    caller's fault; only refusals (pydantic, DomainError, ApiError) are 4xx."""

    def broken():
        raise ValueError("invalid literal for int() with base 10: 'x'")

    monkeypatch.setitem(app.view_functions, "api.me", broken)
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)
    response = world.as_teacher.get("/me")
    assert response.status_code == 500
    assert response.get_json()["error"]["code"] == "internal"
    assert "int()" not in response.get_data(as_text=True)
