"""The retention job: personal data is kept no longer than its purpose needs.

Run nightly by the scheduler (and by `flask --app wsgi privacy retention`) in
one transaction; running it twice does nothing more. The periods are
settings (app/config.py, README "Settings"):

- RETENTION_INACTIVE_DAYS: an account nobody signed in to, or used through
  the API, for this long is deleted (app/privacy/erasure.py). Its owner is
  told by mail RETENTION_WARNING_DAYS before; signing in keeps the account.
  0 switches this off.
- RETENTION_DELETED_DAYS: what is left of a deleted account (the empty,
  closed row and the copies of mails sent to the person) goes after this.
- RETENTION_LOG_DAYS: sent, failed and expired mails, used and expired
  invitations and password-reset links, and the addresses invitations wrote
  into the history are removed after this.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import Text, and_, cast, delete, func, or_, select

from app.accounts.models import ApiToken, Invitation, PasswordReset, User
from app.events import emit
from app.events.models import EventLogEntry
from app.events.types import InactiveAccountWarned
from app.extensions import db
from app.notifications.models import OutgoingMail
from app.privacy.erasure import delete_account
from app.timeutil import to_local, utcnow

FINAL_MAIL_STATES = ("sent", "failed", "expired")


@dataclass
class Retention:
    warned: list[int] = field(default_factory=list)
    deleted: list[int] = field(default_factory=list)
    purged: list[int] = field(default_factory=list)
    mails_removed: int = 0
    links_removed: int = 0


def _days(name: str) -> timedelta:
    return timedelta(days=current_app.config[name])


def _open_accounts_with_last_activity(*conditions) -> list[tuple[User, datetime]]:
    """Open accounts and the last moment each was used: signed in to, used
    through the API, or else created."""
    last_token_use = (
        select(ApiToken.user_id, func.max(ApiToken.last_used_at).label("used"))
        .group_by(ApiToken.user_id)
        .subquery()
    )
    rows = db.session.execute(
        select(User, func.coalesce(User.last_seen_at, User.created_at), last_token_use.c.used)
        .outerjoin(last_token_use, last_token_use.c.user_id == User.id)
        .where(User.deleted_at.is_(None), *conditions)
        .order_by(User.id)
    ).all()
    return [(user, max(seen, used or seen)) for user, seen, used in rows]


def warn_inactive_accounts(now: datetime) -> list[int]:
    """Tells the owners of accounts that reach the inactivity limit within the
    warning period, once: signing in again clears the warning."""
    inactive_days = current_app.config["RETENTION_INACTIVE_DAYS"]
    if not inactive_days:
        return []
    warning = min(_days("RETENTION_WARNING_DAYS"), timedelta(days=inactive_days))
    threshold = now - timedelta(days=inactive_days) + warning
    warned = []
    for user, active_at in _open_accounts_with_last_activity(User.inactivity_warned_at.is_(None)):
        if active_at >= threshold:
            continue
        user.inactivity_warned_at = now
        deletion_on = to_local(max(now + warning, active_at + timedelta(days=inactive_days)))
        db.session.flush()
        emit(InactiveAccountWarned(user_id=user.id, deletion_on=deletion_on.date().isoformat()))
        warned.append(user.id)
    return warned


def delete_inactive_accounts(now: datetime) -> list[int]:
    """Deletes the accounts still inactive at the limit, once the warning
    period has passed since the warning."""
    inactive_days = current_app.config["RETENTION_INACTIVE_DAYS"]
    if not inactive_days:
        return []
    warning = min(_days("RETENTION_WARNING_DAYS"), timedelta(days=inactive_days))
    deleted = []
    for user, active_at in _open_accounts_with_last_activity(
        User.inactivity_warned_at.is_not(None), User.inactivity_warned_at <= now - warning
    ):
        # Used the API after the warning, or not yet at the limit: stays.
        if active_at > user.inactivity_warned_at or active_at >= now - timedelta(
            days=inactive_days
        ):
            continue
        delete_account(user, None, inactive=True)
        deleted.append(user.id)
    return deleted


def purge_deleted_accounts(now: datetime) -> list[int]:
    """Removes the closed rows of accounts deleted longer ago than the
    retention period, with the copies of the mails they were sent."""
    ids = list(
        db.session.scalars(
            select(User.id).where(
                User.deleted_at.is_not(None),
                User.deleted_at <= now - _days("RETENTION_DELETED_DAYS"),
            )
        )
    )
    if ids:
        db.session.execute(delete(OutgoingMail).where(OutgoingMail.user_id.in_(ids)))
        db.session.execute(delete(User).where(User.id.in_(ids)))
        db.session.expire_all()
    return ids


def purge_old_logs(now: datetime) -> tuple[int, int]:
    """The mail log and the one-time links, after RETENTION_LOG_DAYS."""
    before = now - _days("RETENTION_LOG_DAYS")
    mails = db.session.execute(
        delete(OutgoingMail).where(
            OutgoingMail.status.in_(FINAL_MAIL_STATES), OutgoingMail.created_at < before
        )
    ).rowcount
    links = 0
    for model in (Invitation, PasswordReset):
        links += db.session.execute(
            delete(model).where(
                or_(
                    model.expires_at < before,
                    and_(model.used_at.is_not(None), model.used_at < before),
                )
            )
        ).rowcount
    for entry in db.session.scalars(
        select(EventLogEntry).where(
            EventLogEntry.name == "MemberInvited",
            EventLogEntry.occurred_at < before,
            cast(EventLogEntry.payload, Text).contains("@"),
        )
    ):
        entry.payload = {**entry.payload, "email": ""}
    db.session.expire_all()
    return mails, links


def run_retention(now: datetime | None = None) -> Retention:
    """Every step, in the caller's transaction (the scheduler job commits)."""
    now = now or utcnow()
    result = Retention()
    result.warned = warn_inactive_accounts(now)
    result.deleted = delete_inactive_accounts(now)
    result.purged = purge_deleted_accounts(now)
    result.mails_removed, result.links_removed = purge_old_logs(now)
    return result
