"""Declaring API operations once: the decorator validates input with pydantic,
serialises the output, and records everything the OpenAPI document says.

    @operation(bp, "GET", "/me", response=MeOut, summary="The caller")
    def me() -> MeOut: ...

`body` and `query` name pydantic models; the view receives them as keyword
arguments `body=` and `query=`. `auth=True` requires a bearer token.
"""

from __future__ import annotations

import functools
import json
import re
import types
import typing
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Annotated

from flask import Blueprint, g, jsonify, request
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    StrictInt,
    ValidationError,
    WithJsonSchema,
)

from app.db_types import MAX_ID
from app.errors import DomainError
from app.extensions import csrf, db
from app.text import clean_json, clean_text
from app.timeutil import FIRST_YEAR, LAST_YEAR, is_plausible
from app.web.errors import json_error


class ApiError(Exception):
    """A refusal the API itself makes (no token, not found, not JSON); `fields`
    are (field, message) pairs for the error's details."""

    def __init__(
        self, status: int, code: str, message: str, fields: tuple[tuple[str, str], ...] = ()
    ):
        super().__init__(message)
        self.status, self.code, self.message, self.fields = status, code, message, fields


def invalid(field_name: str, message: str) -> ApiError:
    """A 422 about one field of the input, shaped like pydantic's own errors."""
    return ApiError(422, "invalid", f"{field_name}: {message}", ((field_name, message),))


def not_found(message: str = "Not found.") -> ApiError:
    """Unknown ids and other organisations' objects look the same (ASVS 4.2.1)."""
    return ApiError(404, "not_found", message)


def forbidden(message: str) -> ApiError:
    """Only for objects the caller may see, so the refusal reveals nothing."""
    return ApiError(403, "forbidden", message)


def _without_defaults(schema: dict) -> None:
    for prop in schema.get("properties", {}).values():
        prop.pop("default", None)


class Patch(BaseModel):
    """Input for PATCH: only the fields sent change; a field left out keeps its
    value, so the schema shows no defaults (None would not even be a valid one)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra=_without_defaults)


class ErrorDetail(BaseModel):
    field: str = Field(description="The input's field, dotted when nested: weekdays.0.")
    message: str


class ErrorBody(BaseModel):
    code: str = Field(
        description="Stable and machine-readable: invalid, invalid_json, unauthorized, "
        "forbidden, not_found, invalid_state, conflict, rate_limited, ..."
    )
    message: str = Field(description="For people, in the caller's language.")
    details: list[ErrorDetail] = Field(
        description="One entry per field of the input that is wrong; empty when the error "
        "is about no field."
    )
    field: str | None = Field(
        None, description="The first field in details; absent when details is empty."
    )
    retry_after: int | None = Field(
        None, description="With 429: the seconds to wait, as in the Retry-After header."
    )


class ErrorOut(BaseModel):
    """Every 4xx and 5xx answer of the API (app.web.errors.json_error builds it)."""

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
    # Other success statuses with the same body (a replayed request answers 200, not 201).
    also: dict[int, str] = field(default_factory=dict)
    # Request headers the operation reads: name -> description.
    headers: dict[str, str] = field(default_factory=dict)

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

# No operation takes anything nested more than a few levels deep; a body of
# thousands of nested brackets is refused before anything walks it.
MAX_JSON_DEPTH = 32


def _depth_exceeds(value, limit: int) -> bool:
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            if depth > limit:
                return True
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children)
    return False


def json_body():
    """The request's JSON, whatever its Content-Type (clients that forget it
    still get it read; the API authenticates by bearer token only, so this
    opens no CSRF hole). Bodies past MAX_CONTENT_LENGTH are refused with 413
    by Werkzeug before this; nesting past MAX_JSON_DEPTH with 400."""
    try:
        payload = json.loads(request.get_data(cache=True) or b"null")
    except (ValueError, RecursionError):
        raise ApiError(400, "invalid_json", "The request body is not valid JSON.") from None
    if _depth_exceeds(payload, MAX_JSON_DEPTH):
        raise ApiError(
            400, "too_deep", f"The request body nests deeper than {MAX_JSON_DEPTH} levels."
        )
    return payload


# An id in a body or a query string: a number an id column can hold, or a 422.
# (In a path, app.web.input's converter answers 404 before the operation runs.)
Id = Annotated[StrictInt, Field(ge=1, le=MAX_ID)]
# Every string of a body arrives cleaned by app.text's rule as text with lines;
# a name, a title, a town or search words is one line, as in a form's input.
Line = Annotated[str, BeforeValidator(lambda v: clean_text(v) if isinstance(v, str) else v)]


def _text_only(value):
    # Pydantic would read a bare number as a Unix timestamp; nobody means that here.
    if not isinstance(value, str):
        raise ValueError("give a date as ISO 8601 text, e.g. 2030-03-04T13:30:00+01:00")
    return value


def _plausible(value: date) -> date:
    if not is_plausible(value):
        raise ValueError(f"a date between the years {FIRST_YEAR} and {LAST_YEAR}")
    return value


# A date or an instant as ISO 8601 text, in the years app.timeutil allows.
ApiDate = Annotated[date, BeforeValidator(_text_only), AfterValidator(_plausible)]
ApiDateTime = Annotated[
    datetime,
    BeforeValidator(_text_only),
    AfterValidator(_plausible),
    Field(description="ISO 8601; without an offset it is Europe/Amsterdam local time."),
]

_WALL_CLOCK = re.compile(r"([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?")


def _wall_clock(value):
    if isinstance(value, time) or (isinstance(value, str) and _WALL_CLOCK.fullmatch(value)):
        return value
    raise ValueError("a local time as HH:MM, e.g. 09:00")


# A time on the school's clock (Europe/Amsterdam) on whichever day it falls:
# without an offset, which JSON Schema's "time" format would demand.
LocalTime = Annotated[
    time,
    BeforeValidator(_wall_clock),
    PlainSerializer(lambda value: value.strftime("%H:%M:%S"), return_type=str, when_used="json"),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": f"^{_WALL_CLOCK.pattern}$",
            "description": "Local time (Europe/Amsterdam), HH:MM or HH:MM:SS, without an offset.",
            "examples": ["09:00"],
        }
    ),
]


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
    also: dict[int, str] | None = None,
    headers: dict[str, str] | None = None,
):
    op = Operation(
        method,
        path,
        summary,
        tag,
        response,
        body,
        query,
        auth,
        status,
        list_response,
        errors,
        dict(also or {}),
        dict(headers or {}),
    )
    OPERATIONS.append(op)

    def decorator(view):
        @functools.wraps(view)
        def wrapper(**path_values):
            if auth:
                require_user()
            kwargs = dict(path_values)
            if body is not None:
                payload = json_body()
                if not isinstance(payload, dict):
                    raise ApiError(400, "invalid_json", "The request body must be a JSON object.")
                kwargs["body"] = body.model_validate(clean_json(payload))
            if query is not None:
                kwargs["query"] = query.model_validate(_query_values(query))
            result = view(**kwargs)
            if hasattr(result, "status_code"):
                return result
            if isinstance(result, tuple):
                result, answer_status = result
                return jsonify(_dump(result)), answer_status
            return jsonify(_dump(result)), status

        endpoint = f"{view.__name__}"
        bp.add_url_rule(path, endpoint, csrf.exempt(wrapper), methods=[method])
        return wrapper

    return decorator


def _is_list(annotation) -> bool:
    if typing.get_origin(annotation) in (list, tuple, set, frozenset):
        return True
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        return any(_is_list(arg) for arg in typing.get_args(annotation))
    return False


def _query_values(model: type[BaseModel]) -> dict:
    """Repeatable parameters (?path=BB&path=KB) become lists; empty values count
    as absent, the way an HTML form sends an untouched field."""
    values = {}
    for name in request.args:
        given = [v for v in request.args.getlist(name) if v != ""]
        if not given:
            continue
        model_field = model.model_fields.get(name)
        values[name] = given if model_field and _is_list(model_field.annotation) else given[-1]
    return values


def _dump(result):
    if isinstance(result, BaseModel):
        return result.model_dump(mode="json")
    if isinstance(result, list):
        return [_dump(item) for item in result]
    if isinstance(result, dict):
        return {key: _dump(value) for key, value in result.items()}
    return result


def register_error_handlers(bp: Blueprint) -> None:
    """Three kinds of refusal, one shape (json_error): the API's own, invalid
    input (pydantic), a service's rule (DomainError). Any other exception,
    a ValueError included, is a bug and answers 500."""

    @bp.errorhandler(ApiError)
    def api_error(error: ApiError):
        db.session.rollback()
        response = json_error(error.status, error.code, error.message, fields=error.fields)
        if error.status == 401:
            response[0].headers["WWW-Authenticate"] = 'Bearer realm="techniekpoort"'
        return response

    @bp.errorhandler(ValidationError)
    def invalid_input(error: ValidationError):
        db.session.rollback()
        fields = [
            (".".join(str(p) for p in e["loc"]), e["msg"])
            for e in error.errors(include_url=False, include_input=False)
        ]
        name, text = fields[0]
        return json_error(422, "invalid", f"{name}: {text}" if name else text, fields=fields)

    @bp.errorhandler(DomainError)
    def refused(error: DomainError):
        db.session.rollback()
        fields = ((error.field, error.message),) if error.field else ()
        return json_error(error.status, error.code, error.message, fields=fields)
