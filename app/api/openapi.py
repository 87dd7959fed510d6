"""/api/v1/openapi.json, built from the registered operations and their models."""

from __future__ import annotations

from pydantic import BaseModel

from app.api.blueprint import bp
from app.api.spec import OPERATIONS, ErrorOut, operation

REF = "#/components/schemas/{model}"
ERRORS = {
    400: "The body is not a JSON object",
    401: "No token, or an unknown or revoked one",
    403: "You may see this but not do this",
    404: "Unknown, or not visible to you",
    409: "Conflicts with the current state: a step it does not allow (invalid_state), "
    "full, too late, key reused",
    422: "Invalid input, or refused by a rule; details says which fields",
}


def _schema(model: type[BaseModel], schemas: dict, mode: str = "serialization") -> dict:
    schema = model.model_json_schema(ref_template=REF, mode=mode)
    for name, definition in schema.pop("$defs", {}).items():
        schemas[name] = definition
    schemas[model.__name__] = schema
    return {"$ref": REF.format(model=model.__name__)}


def _query_parameters(model: type[BaseModel], schemas: dict) -> list[dict]:
    query_schema = model.model_json_schema(ref_template=REF)
    schemas.update(query_schema.pop("$defs", {}))
    required = set(query_schema.get("required", []))
    parameters = []
    for name, prop in query_schema.get("properties", {}).items():
        description = prop.get("description")
        prop = {k: v for k, v in prop.items() if k not in ("title", "description")}
        parameter = {"name": name, "in": "query", "required": name in required, "schema": prop}
        if description:
            parameter["description"] = description
        parameters.append(parameter)
    return parameters


def _error_statuses(op) -> set[int]:
    statuses = set(op.errors)
    if op.body is not None:
        statuses |= {400, 422}
    if op.query is not None:
        statuses |= {422}
    if op.auth:
        statuses |= {401}
    return statuses


def build_spec() -> dict:
    schemas: dict = {}
    error_ref = _schema(ErrorOut, schemas)
    paths: dict = {}
    for op in OPERATIONS:
        operation_id = op.openapi_path.strip("/").replace("/", "_").replace(".", "_")
        operation_id = operation_id.replace("{", "").replace("}", "")
        entry: dict = {
            "summary": op.summary,
            "operationId": f"{op.method.lower()}_{operation_id}",
            "tags": [op.tag],
            "responses": {},
        }
        parameters = [
            {"name": name, "in": "path", "required": True, "schema": {"type": kind}}
            for name, kind in op.path_parameters
        ]
        if op.query is not None:
            parameters.extend(_query_parameters(op.query, schemas))
        parameters.extend(
            {
                "name": name,
                "in": "header",
                "required": False,
                "description": description,
                "schema": {"type": "string", "minLength": 1, "maxLength": 64},
            }
            for name, description in op.headers.items()
        )
        if parameters:
            entry["parameters"] = parameters
        if op.body is not None:
            entry["requestBody"] = {
                "required": True,
                "content": {
                    "application/json": {"schema": _schema(op.body, schemas, mode="validation")}
                },
            }
        successes = {op.status: "Success", **op.also}
        for status, description in successes.items():
            if op.response is not None:
                ref = _schema(op.response, schemas)
                content_schema = {"type": "array", "items": ref} if op.list_response else ref
                entry["responses"][str(status)] = {
                    "description": description,
                    "content": {"application/json": {"schema": content_schema}},
                }
            else:
                entry["responses"][str(status)] = {"description": description}
        if op.auth:
            entry["security"] = [{"bearer": []}]
        for code in sorted(_error_statuses(op)):
            entry["responses"][str(code)] = {
                "description": ERRORS.get(code, "Error"),
                "content": {"application/json": {"schema": error_ref}},
            }
        paths.setdefault(op.openapi_path, {})[op.method.lower()] = entry
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Techniekpoort API",
            "version": "1",
            "description": "Activities, slots and bookings between vmbo schools and technical "
            "companies. Authenticate with 'Authorization: Bearer <token>'. Every error is "
            "an ErrorOut with a 4xx or 5xx status: "
            '{"error": {"code": ..., "message": ..., "details": [{"field": ..., '
            '"message": ...}], "field": ...}}; details has one entry per field of the input '
            "that is wrong (empty when none is) and field names the first. A step the "
            "state does not allow is 409 invalid_state; input a rule refuses is 422. Times "
            "are ISO 8601; answers give them in UTC, input without an offset is read as "
            "Europe/Amsterdam local time.",
        },
        "servers": [{"url": "/api/v1"}],
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    }


@operation(
    bp, "GET", "/openapi.json", summary="This document (OpenAPI 3.1)", tag="meta", auth=False
)
def openapi_document():
    return build_spec()
