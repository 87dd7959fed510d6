"""Server-side sign-ins: one UserSession row per signed-in browser.

Flask-Login keeps `User.get_id()` in the session cookie and the remember-me
cookie; here that is a random key whose hash is a row, not the person's id
(Flask-Login's "alternative tokens"). So signing out deletes the row and a
copied cookie stops working, and a new password deletes every other row of
the person: every other browser and remember-me cookie is signed out.
"""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from flask_login import login_user, logout_user
from sqlalchemy import delete, select

from app.accounts.models import User, UserSession, hash_token, new_token
from app.extensions import db
from app.timeutil import utcnow


def _lifetime(remember: bool) -> timedelta:
    if remember:
        return current_app.config["REMEMBER_COOKIE_DURATION"]
    return timedelta(hours=current_app.config["SESSION_HOURS"])


def sign_in(user: User, *, remember: bool = False) -> None:
    """A new session row for this browser, and Flask-Login's cookies naming it.
    The caller commits."""
    now = utcnow()
    db.session.execute(delete(UserSession).where(UserSession.expires_at <= now))
    key = new_token()
    db.session.add(
        UserSession(
            user_id=user.id,
            key_hash=hash_token(key),
            remember=remember,
            expires_at=now + _lifetime(remember),
        )
    )
    db.session.flush()
    user.session_key = key
    login_user(user, remember=remember)


def sign_out(user: User | None) -> None:
    """Ends this browser's session row; Flask-Login clears its cookies.
    The caller commits."""
    if user is not None and user.session_key:
        db.session.execute(
            delete(UserSession).where(UserSession.key_hash == hash_token(user.session_key))
        )
        user.session_key = None
    logout_user()


def end_other_sessions(user: User, *, keep: str | None = None) -> int:
    """Every sign-in of this person except `keep` (a session key) ends."""
    query = delete(UserSession).where(UserSession.user_id == user.id)
    if keep:
        query = query.where(UserSession.key_hash != hash_token(keep))
    return db.session.execute(query).rowcount or 0


def user_for_session(key: str) -> User | None:
    """Flask-Login's user_loader: the person of a live session key."""
    if not key:
        return None
    user = db.session.scalar(
        select(User)
        .join(UserSession, UserSession.user_id == User.id)
        .where(UserSession.key_hash == hash_token(key), UserSession.expires_at > utcnow())
    )
    if user is None or not user.active:
        return None
    user.session_key = key
    return user
