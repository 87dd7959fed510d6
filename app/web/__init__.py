"""Pages that belong to no single domain: home, language switch, health."""

from __future__ import annotations

import hmac

from flask import Blueprint, current_app, jsonify, redirect, request, session, url_for
from flask_login import current_user
from sqlalchemy import select, text

from app.extensions import db
from app.notifications.dispatcher import queue_health
from app.notifications.permissions import can_see_mail_queue
from app.scheduler_state import SchedulerHeartbeat
from app.timeutil import utcnow
from app.web.home import parts_for
from app.web.rendering import render, safe_next_url

bp = Blueprint("web", __name__)


@bp.get("/")
def home():
    if not current_user.is_authenticated:
        return render("web/welcome.html")
    return render(
        "web/home.html",
        memberships=current_user.memberships,
        **parts_for(current_user._get_current_object()),
    )


@bp.post("/language")
def set_language():
    language = request.form.get("language", "nl")
    if language in current_app.config["LANGUAGES"]:
        session["language"] = language
        if current_user.is_authenticated:
            current_user.locale = language
            db.session.commit()
    return redirect(safe_next_url(request.form.get("next")) or url_for("web.home"))


def is_operator() -> bool:
    """Who sees /healthz in detail: a monitor sending the bearer token of
    TECHNIEKPOORT_HEALTH_TOKEN, or someone signed in who may read the mail
    queue. Everyone else learns only whether the service is up."""

    expected = current_app.config["HEALTH_TOKEN"]
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    if expected and scheme.lower() == "bearer":
        return hmac.compare_digest(given.strip().encode(), expected.encode())
    return current_user.is_authenticated and can_see_mail_queue(current_user)


@bp.get("/healthz")
def healthz():

    try:
        db.session.execute(text("SELECT 1"))
    except Exception as error:  # the point of this endpoint is to report it
        db.session.rollback()
        current_app.logger.warning("healthz: the database does not answer: %r", error)
        body = {"status": "error"}
        if is_operator():
            body["database"] = {"ok": False, "error": type(error).__name__}
        return jsonify(body), 503
    if not is_operator():
        return jsonify({"status": "ok"})
    body: dict = {"status": "ok", "database": {"ok": True, "dialect": db.engine.dialect.name}}
    beat = db.session.scalar(select(SchedulerHeartbeat).where(SchedulerHeartbeat.name == "main"))
    if beat is None:
        body["scheduler"] = {"ok": False, "last_heartbeat": None}
    else:
        age = (utcnow() - beat.beat_at).total_seconds()
        body["scheduler"] = {
            "ok": age < 180,
            "last_heartbeat": beat.beat_at.isoformat() + "Z",
            "seconds_ago": int(age),
        }
    body["mail_queue"] = queue_health()
    return jsonify(body)
