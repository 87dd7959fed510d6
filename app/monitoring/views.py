"""/healthz (up or down), /readyz (may the proxy send requests here) and
/metrics (Prometheus). Details are for operators only: a monitor sending the
bearer token of TECHNIEKPOORT_HEALTH_TOKEN, or someone signed in who may read
the mail queue."""

from __future__ import annotations

import hmac
from datetime import datetime, timedelta

from flask import Blueprint, Flask, Response, current_app, jsonify, request
from flask_login import current_user
from sqlalchemy import select, text

from app.extensions import db
from app.monitoring import logs, metrics, schema
from app.notifications.dispatcher import queue_health
from app.notifications.permissions import can_see_mail_queue
from app.scheduler_state import SchedulerHeartbeat
from app.timeutil import utcnow
from app.web.errors import json_error

bp = Blueprint("monitoring", __name__)


def init_app(app: Flask) -> None:
    logs.init_app(app)
    app.register_blueprint(bp)
    metrics.init_app(app)


# A scheduler that has not beaten for this long is taken for stopped: it
# beats every 30 s, so this allows for a few slow or missed beats.
HEARTBEAT_STALE_SECONDS = 180


def is_operator() -> bool:
    expected = current_app.config["HEALTH_TOKEN"]
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    if expected and scheme.lower() == "bearer":
        return hmac.compare_digest(given.strip().encode(), expected.encode())
    return current_user.is_authenticated and can_see_mail_queue(current_user)


def _database_error() -> Exception | None:
    try:
        db.session.execute(text("SELECT 1"))
    except Exception as error:  # the point of these endpoints is to report it
        db.session.rollback()
        current_app.logger.warning("the database does not answer: %r", error)
        return error
    return None


def heartbeat_ages(now: datetime | None = None) -> dict[str, float]:
    now = now or utcnow()
    return {
        beat.name: (now - beat.beat_at).total_seconds()
        for beat in db.session.scalars(select(SchedulerHeartbeat))
    }


@bp.get("/healthz")
def healthz():
    error = _database_error()
    if error is not None:
        body = {"status": "error"}
        if is_operator():
            body["database"] = {"ok": False, "error": type(error).__name__}
        return jsonify(body), 503
    if not is_operator():
        return jsonify({"status": "ok"})
    body: dict = {"status": "ok", "database": {"ok": True, "dialect": db.engine.dialect.name}}
    now = utcnow()
    ages = heartbeat_ages(now)
    if not ages:
        body["scheduler"] = {"ok": False, "last_heartbeat": None}
    else:
        newest = min(ages.values())
        body["scheduler"] = {
            # Up while at least one scheduler beats: two run for availability.
            "ok": newest < HEARTBEAT_STALE_SECONDS,
            "seconds_ago": int(newest),
            "last_heartbeat": (now - timedelta(seconds=newest)).isoformat() + "Z",
            "processes": {name: int(age) for name, age in sorted(ages.items())},
        }
    body["mail_queue"] = queue_health()
    return jsonify(body)


@bp.get("/readyz")
def readyz():
    """200 while this server can serve: the database answers and its schema
    is one this code runs against. During a rolling upgrade the new code is
    not ready until the migrations have run; the old code stays ready on the
    newer schema, since every migration keeps the previous release working
    (docs/OPERATIONS.md, "Upgrades")."""
    error = _database_error()
    if error is not None:
        return jsonify({"status": "not ready", "reason": "database"}), 503
    state = schema.state(db.session)
    if state == schema.BEHIND:
        return jsonify({"status": "not ready", "reason": "migrations"}), 503
    return jsonify({"status": "ready", "schema": state})


@bp.get("/metrics")
def prometheus_metrics():
    if not is_operator():
        response, status = json_error(
            401, "unauthorized", "Send the health token as a bearer token to read the metrics."
        )
        response.headers["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response, status
    facts = metrics.database_facts(queue_health(), heartbeat_ages())
    return Response(metrics.exposition(facts), mimetype="text/plain; version=0.0.4")
