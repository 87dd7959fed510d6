"""Pages that belong to no single domain: home and the language switch.
(/healthz and the other monitoring endpoints: app/monitoring.)"""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, request, session, url_for
from flask_login import current_user

from app.extensions import db
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
