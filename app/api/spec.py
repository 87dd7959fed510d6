"""Declaring API operations once: the decorator validates input with pydantic,
serialises the output, and records everything the OpenAPI document says.

    @operation(bp, "GET", "/me", response=MeOut, summary="The caller")
    def me() -> MeOut: ...

`body` and `query` name pydantic models; the view receives them as keyword
arguments `body=` and `query=`. `auth=True` requires a bearer token.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

from flask import Blueprint, g, jsonify, request
from pydantic import BaseModel, ValidationError

from app.errors import DomainError
from app.extensions import csrf, db


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, details=None):
        super().__init__(message)
        self.status, self.code, self.message, self.details = status, code, message, details


class ErrorBody(BaseModel):
    code: str
    message: str


class ErrorOut(BaseModel):
    error: ErrorBody


@dataclass
class Operation:
    method: str
    path: str  # Flask rule, e.g. /activities/<int:activity_id>
    summary: str
    tag: str
    response: type[BaseModel] | None
    body: type[BaseModel] | None
    query: type[BaseModel] | None
    auth: bool
    status: int
    list_response: bool
    errors: tuple[int, ...] = field(default_factory=tuple)

    @property
    def openapi_path(self) -> str:
        return re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", self.path)

    @property
    def path_parameters(self) -> list[tuple[str, str]]:
        return [
            (name, "integer" if conv == "int" else "string")
            for conv, name in re.findall(r"<(?:([a-z]+):)?([a-z_]+)>", self.path)
        ]


OPERATIONS: list[Operation] = []


def current_api_user():
    return g.get("api_user")


def require_user():
    user = current_api_user()
    if user is None:
        raise ApiError(401, "unauthorized", "This operation needs 'Authorization: Bearer <token>'.")
    return user


def operation(
    bp: Blueprint,
    method: str,
    path: str,
    *,
    summary: str,
    tag: str,
    response: type[BaseModel] | None = None,
    body: type[BaseModel] | None = None,
    query: type[BaseModel] | None = None,
    auth: bool = True,
    status: int = 200,
    list_response: bool = False,
    errors: tuple[int, ...] = (),
):
    op = Operation(method, path, summary, tag, response, body, query, auth, status, list_response, errors)
    OPERATIONS.append(op)

    def decorator(view):
        @functools.wraps(view)
        def wrapper(**path_values):
            if auth:
                require_user()
            kwargs = dict(path_values)
            if body is not None:
                payload = request.get_json(silent=True)
                if payload is None:
                    raise ApiError(400, "invalid_json", "The request body must be a JSON object.")
                kwargs["body"] = body.model_validate(payload)
            if query is not None:
                kwargs["query"] = query.model_validate(request.args.to_dict())
            result = view(**kwargs)
            if isinstance(result, tuple) or hasattr(result, "status_code"):
                return result
            return jsonify(_dump(result)), status

        endpoint = f"{view.__name__}"
        bp.add_url_rule(path, endpoint, csrf.exempt(wrapper), methods=[method])
        return wrapper

    return decorator


def _dump(result):
    if isinstance(result, BaseModel):
        return result.model_dump(mode="json")
    if isinstance(result, list):
        return [_dump(item) for item in result]
    if isinstance(result, dict):
        return {key: _dump(value) for key, value in result.items()}
    return result


def _error(status: int, code: str, message: str, **extra):
    body = {"error": {"code": code, "message": message, **extra}}
    return jsonify(body), status


def register_error_handlers(bp: Blueprint) -> None:
    @bp.errorhandler(ApiError)
    def api_error(error: ApiError):
        db.session.rollback()
        extra = {"details": error.details} if error.details else {}
        response = _error(error.status, error.code, error.message, **extra)
        if error.status == 401:
            response[0].headers["WWW-Authenticate"] = 'Bearer realm="techniekpoort"'
        return response

    @bp.errorhandler(ValidationError)
    def invalid_input(error: ValidationError):
        db.session.rollback()
        details = [
            {"field": ".".join(str(p) for p in e["loc"]), "message": e["msg"]}
            for e in error.errors(include_url=False, include_input=False)
        ]
        first = details[0]
        return _error(422, "invalid", f"{first['field']}: {first['message']}", details=details)

    @bp.errorhandler(DomainError)
    def refused(error: DomainError):
        db.session.rollback()
        extra = {"field": error.field} if error.field else {}
        return _error(error.status, error.code, error.message, **extra)

    @bp.errorhandler(ValueError)
    def invalid_value(error: ValueError):
        db.session.rollback()
        return _error(422, "invalid", str(error))
