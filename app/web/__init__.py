"""Pages that belong to no single domain: home, language switch, health."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, redirect, request, session, url_for
from flask_login import current_user
from sqlalchemy import select, text

from app.extensions import db
from app.web.rendering import render, safe_next_url

bp = Blueprint("web", __name__)


@bp.get("/")
def home():
    if not current_user.is_authenticated:
        return render("web/welcome.html")
    from app.web.home import parts_for

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


@bp.get("/healthz")
def healthz():
    from app.notifications.dispatcher import queue_health
    from app.scheduler_state import SchedulerHeartbeat
    from app.timeutil import utcnow

    body: dict = {"status": "ok"}
    try:
        db.session.execute(text("SELECT 1"))
        body["database"] = {"ok": True, "dialect": db.engine.dialect.name}
    except Exception as error:  # the point of this endpoint is to report it
        db.session.rollback()
        body["status"] = "error"
        body["database"] = {"ok": False, "error": type(error).__name__}
        return jsonify(body), 503
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
