"""The blueprint of the JSON API and its authentication by bearer token. The
operations (app/api/<resource>.py) register on it; app/api/__init__.py
imports them."""

from __future__ import annotations

from flask import Blueprint, g, request

from app.accounts.service import user_for_api_token
from app.api.spec import ApiError, register_error_handlers
from app.extensions import db

bp = Blueprint("api", __name__)


@bp.before_request
def authenticate_bearer():
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
