"""Error pages in the person's language, and JSON errors under /api."""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit

from flask import flash, jsonify, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_url
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from app.extensions import db, login_manager
from app.web import kept_forms
from app.web.rendering import is_htmx, render

# Titles of the error pages people may meet, translated; other codes show the number.
ERROR_TITLES = {
    400: _l("Bad request"),
    401: _l("Please sign in"),
    405: _l("This action is not possible here"),
    409: _l("Conflict"),
    410: _l("No longer available"),
    413: _l("Too much data"),
    422: _l("The input could not be processed"),
    429: _l("Too many requests"),
}


def wants_json() -> bool:
    return request.path.startswith("/api/")


def json_error(
    status: int,
    code: str,
    message: str,
    *,
    fields: Iterable[tuple[str, str]] = (),
    retry_after: int | None = None,
):
    """The one error shape of everything under /api (documented as ErrorOut in
    the OpenAPI document, app/api/spec.py):

        {"error": {"code": "invalid", "message": "...", "field": "group_size",
                   "details": [{"field": "group_size", "message": "..."}]}}

    `details` holds one entry per field of the input that is wrong, empty when
    the error is about no field; `field` names the first of them, so a client
    that shows one message can put it next to the right input."""
    details = [{"field": name, "message": str(text)} for name, text in fields]
    error: dict = {"code": code, "message": str(message), "details": details}
    if details:
        error["field"] = details[0]["field"]
    if retry_after is not None:
        error["retry_after"] = retry_after
    return jsonify({"error": error}), status


def _expired(*, csrf: bool):
    """The answer to a form that came after the session or its token ran out.

    Its fields are kept in the session for the page the form was on, which
    shows them again (kept_forms). htmx gets the error with a mark that
    app.js reads: it keeps the typed fields too and offers to sign in again.
    A plain form post gets a page (400, as any refused token) that leads back
    to the form, through the sign-in when nobody is signed in any more; a
    page that needed a signed-in person leads to the sign-in directly."""
    signed_in = current_user.is_authenticated
    page = (
        kept_forms.keep_posted_form()
        if request.method == "POST"
        else (request.full_path.rstrip("?"))
    )
    if urlsplit(page).path == url_for("accounts.login"):
        back = page
    else:
        back = page if signed_in else login_url("accounts.login", next_url=page)
    if is_htmx() or csrf:
        response = render(
            "errors/csrf.html", status=400 if csrf else 401, back=back, signed_in=signed_in
        )
        response.headers["X-Techniekpoort-Expired"] = "1"
        return response
    flash(
        _(
            "Your session has expired. Sign in again: what you typed is kept and comes back "
            "in the form."
        ),
        "warning",
    )
    return redirect(back)


def _only_waiting_organisations() -> bool:
    """Whether every organisation of the person signed in still waits for a
    coordinator's approval: then that is why a page is closed to them."""
    if not current_user.is_authenticated:
        return False
    organisations = current_user.organisations()
    return bool(organisations) and not any(o.is_approved for o in organisations)


def register_error_handlers(app) -> None:
    kept_forms.install()

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        if wants_json():
            return json_error(400, "csrf", _("The form was sent without a valid security token."))
        return _expired(csrf=True)

    @login_manager.unauthorized_handler
    def sign_in_first():
        if wants_json():
            return json_error(401, "unauthorized", _("Please sign in."))
        if request.method == "GET" and not is_htmx():
            flash(str(login_manager.login_message), login_manager.login_message_category)
            return redirect(login_url("accounts.login", next_url=request.full_path.rstrip("?")))
        return _expired(csrf=False)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        status = error.code or 500
        if wants_json():
            code = (error.name or "error").lower().replace(" ", "_")
            return json_error(status, code, error.description or error.name)
        template = {403: "errors/403.html", 404: "errors/404.html"}.get(
            status, "errors/generic.html"
        )
        response = render(
            template,
            status=status,
            error=error,
            title=ERROR_TITLES.get(status, ""),
            waiting_for_approval=status == 403 and _only_waiting_organisations(),
        )
        if status == 405 and getattr(error, "valid_methods", None):
            response.headers["Allow"] = ", ".join(error.valid_methods)
        return response

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):
        if isinstance(error, HTTPException):
            return http_error(error)
        app.logger.exception("unhandled error on %s %s", request.method, request.path)
        db.session.rollback()
        if app.config.get("PROPAGATE_EXCEPTIONS") and app.testing:
            raise error
        if wants_json():
            return json_error(500, "internal", _("Something went wrong on our side."))
        return render("errors/500.html", status=500)
