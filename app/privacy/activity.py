"""When a person was last seen: the retention job deletes accounts nobody
signed in to for long (app/privacy/retention.py). A sign-in, or a visit that
a remember-me cookie signs in, counts; API calls count through their token's
"last used". Nothing is written on other requests."""

from __future__ import annotations

from flask import after_this_request, has_request_context
from flask_login import user_loaded_from_cookie, user_logged_in

from app.extensions import db
from app.timeutil import utcnow


def _seen(sender, user, **_extra) -> None:
    user.last_seen_at = utcnow()
    user.inactivity_warned_at = None
    if not has_request_context():
        return

    @after_this_request
    def keep(response):
        # The sign-in views commit after signing in, and then this is saved
        # with them. Where nothing else waits in the session (a visit that a
        # remember-me cookie signed in, a view that committed before), save
        # it here; never anything a view left unsaved on purpose.
        session = db.session
        dirty = list(session.dirty)
        if dirty == [user] and not session.new and not session.deleted:
            session.commit()
        return response


def track_sign_ins(app) -> None:
    user_logged_in.connect(_seen, app)
    user_loaded_from_cookie.connect(_seen, app)
