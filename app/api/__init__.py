"""The JSON API, version 1. Bearer tokens, the error format of DESIGN.md, and an
OpenAPI document generated from the operations as they are registered."""

from __future__ import annotations

from flask import Blueprint, g, request

from app.api.spec import ApiError, register_error_handlers
from app.extensions import db

bp = Blueprint("api", __name__)


@bp.before_request
def authenticate_bearer():
    from app.accounts.service import user_for_api_token

    g.api_user = None
    header = request.headers.get("Authorization", "")
    scheme, _, raw = header.partition(" ")
    if header and scheme.lower() == "bearer" and raw.strip():
        g.api_user, touched = user_for_api_token(raw.strip())
        if g.api_user is None:
            raise ApiError(401, "invalid_token", "The bearer token is unknown or revoked.")
        if touched:
            db.session.commit()
    elif header:
        raise ApiError(401, "invalid_token", "Use 'Authorization: Bearer <token>'.")


register_error_handlers(bp)

# Operations register on import.
from app.api import (  # noqa: E402,F401
    activities,
    bookings,
    evaluations,
    me,
    openapi,
    placements,
    requests,
    slots,
)
