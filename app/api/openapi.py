"""/api/v1/openapi.json, built from the registered operations and their models."""

from __future__ import annotations

from flask import jsonify
from pydantic import BaseModel

from app.api import bp
from app.api.spec import OPERATIONS, ErrorOut

REF = "#/components/schemas/{model}"


def _schema(model: type[BaseModel], schemas: dict) -> dict:
    schema = model.model_json_schema(ref_template=REF, mode="serialization")
    for name, definition in schema.pop("$defs", {}).items():
        schemas[name] = definition
    schemas[model.__name__] = schema
    return {"$ref": REF.format(model=model.__name__)}


def build_spec() -> dict:
    schemas: dict = {}
    error_ref = _schema(ErrorOut, schemas)
    paths: dict = {}
    for op in OPERATIONS:
        entry: dict = {
            "summary": op.summary,
            "operationId": f"{op.method.lower()}_{op.openapi_path.strip('/').replace('/', '_').replace('{', '').replace('}', '')}",
            "tags": [op.tag],
            "responses": {},
        }
        parameters = [
            {"name": name, "in": "path", "required": True, "schema": {"type": kind}}
            for name, kind in op.path_parameters
        ]
        if op.query is not None:
            query_schema = op.query.model_json_schema(ref_template=REF)
            required = set(query_schema.get("required", []))
            for name, prop in query_schema.get("properties", {}).items():
                prop = {k: v for k, v in prop.items() if k != "title"}
                parameters.append(
                    {"name": name, "in": "query", "required": name in required, "schema": prop}
                )
        if parameters:
            entry["parameters"] = parameters
        if op.body is not None:
            entry["requestBody"] = {
                "required": True,
                "content": {"application/json": {"schema": _schema(op.body, schemas)}},
            }
        if op.response is not None:
            ref = _schema(op.response, schemas)
            content_schema = {"type": "array", "items": ref} if op.list_response else ref
            entry["responses"][str(op.status)] = {
                "description": "Success",
                "content": {"application/json": {"schema": content_schema}},
            }
        else:
            entry["responses"][str(op.status)] = {"description": "Success"}
        error_codes = set(op.errors) | {422} if (op.body or op.query) else set(op.errors)
        if op.auth:
            error_codes |= {401}
            entry["security"] = [{"bearer": []}]
        for code in sorted(error_codes):
            entry["responses"][str(code)] = {
                "description": "Error",
                "content": {"application/json": {"schema": error_ref}},
            }
        paths.setdefault(op.openapi_path, {})[op.method.lower()] = entry
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Techniekpoort API",
            "version": "1",
            "description": "Activities, slots and bookings between vmbo schools and technical companies. "
            "Errors are {\"error\": {\"code\": ..., \"message\": ...}} with a 4xx status.",
        },
        "servers": [{"url": "/api/v1"}],
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    }


@bp.get("/openapi.json")
def openapi_document():
    return jsonify(build_spec())
