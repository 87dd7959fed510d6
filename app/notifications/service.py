"""Notifications: a mail and an entry in the app for one person, preferences,
signed unsubscribe links, the in-app list, and the failed-mail queue.

Like every service, nothing here commits; the caller (a request, a job, an
event handler's transaction) does."""

from __future__ import annotations

from datetime import datetime

from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import func, select, update

from app.accounts.models import User
from app.errors import DomainError
from app.extensions import db
from app.notifications.compose import absolute_path, queue_mail
from app.notifications.links import settings_path
from app.notifications.models import Notification, NotificationPreference, OutgoingMail
from app.timeutil import utcnow

UNSUBSCRIBE_SALT = "techniekpoort.unsubscribe.digests"


def notify(
    user: User,
    kind: str,
    *,
    subject,
    link_path: str,
    dedupe_key: str,
    in_app: bool = True,
    **mail_options,
) -> OutgoingMail | None:
    """One mail to one person in their language (rule 19: never a shared
    recipient list), and unless `in_app` is off the same news in their
    notification list. The dedupe key makes a repeated event a no-op, so nobody
    gets the same cancellation twice (rule 20)."""
    if not user.active:
        return None
    mail = queue_mail(
        kind,
        recipient=user.email,
        user_id=user.id,
        locale=user.locale,
        subject=subject,
        dedupe_key=dedupe_key,
        link=absolute_path(link_path),
        settings_link=absolute_path(settings_path()),
        person=user,
        **mail_options,
    )
    if mail is not None and in_app:
        db.session.add(
            Notification(user_id=user.id, kind=kind, text=mail.subject[:300], link=link_path)
        )
    return mail


# --- preferences and unsubscribing ------------------------------------------------------


def preferences(user: User) -> NotificationPreference:
    """The person's choices; a fresh row with the defaults when they made none."""
    return db.session.get(NotificationPreference, user.id) or NotificationPreference(
        user_id=user.id, digests=True
    )


def wants_digests(user: User) -> bool:
    return preferences(user).digests


def set_digests(user: User, wanted: bool) -> NotificationPreference:
    choice = db.session.get(NotificationPreference, user.id)
    if choice is None:
        choice = NotificationPreference(user_id=user.id)
        db.session.add(choice)
    choice.digests = bool(wanted)
    choice.updated_at = utcnow()
    db.session.flush()
    return choice


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=UNSUBSCRIBE_SALT)


def unsubscribe_token(user: User) -> str:
    """Signed, not stored: the link in a digest switches off digests for this
    person only, and only digests (essential mails cannot be unsubscribed)."""
    return _serializer().dumps({"user": user.id, "what": "digests"})


def user_for_unsubscribe_token(token: str) -> User | None:
    """The person a genuine link was made for; None for a wrong signature."""
    try:
        data = _serializer().loads(token)
    except BadSignature:
        return None
    if not isinstance(data, dict) or data.get("what") != "digests":
        return None
    user_id = data.get("user")
    user = db.session.get(User, user_id) if isinstance(user_id, int) else None
    return user if user is not None and user.active else None


# --- the in-app list -------------------------------------------------------------------


def unread_count(user: User) -> int:
    return (
        db.session.scalar(
            select(func.count())
            .select_from(Notification)
            .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        )
        or 0
    )


def recent_notifications(user: User, limit: int = 50) -> list[Notification]:
    return list(
        db.session.scalars(
            select(Notification)
            .where(Notification.user_id == user.id)
            .order_by(Notification.created_at.desc(), Notification.id.desc())
            .limit(limit)
        )
    )


def mark_all_read(user: User, now: datetime | None = None) -> int:
    return (
        db.session.execute(
            update(Notification)
            .where(Notification.user_id == user.id, Notification.read_at.is_(None))
            .values(read_at=now or utcnow())
            .execution_options(synchronize_session=False)
        ).rowcount
        or 0
    )


def mark_read(notification: Notification, now: datetime | None = None) -> Notification:
    if notification.read_at is None:
        notification.read_at = now or utcnow()
        db.session.flush()
    return notification


# --- the mail queue for administrators ---------------------------------------------------


def failed_mails(limit: int = 200) -> list[OutgoingMail]:
    return list(
        db.session.scalars(
            select(OutgoingMail)
            .where(OutgoingMail.status == "failed")
            .order_by(OutgoingMail.created_at.desc(), OutgoingMail.id.desc())
            .limit(limit)
        )
    )


def retry_mail(mail: OutgoingMail, now: datetime | None = None) -> OutgoingMail:
    """Puts a failed mail back in the queue, after someone fixed the cause
    (a mistyped address, the mail server's settings)."""
    if mail.status != "failed":
        raise DomainError(_("Only a failed mail can be sent again."), code="invalid_state")
    if not mail.text_body:
        raise DomainError(
            _("This mail could not be written (see the error): sending it again sends nothing."),
            code="not_composed",
        )
    now = now or utcnow()
    if mail.expires_at is not None and mail.expires_at <= now:
        raise DomainError(_("This mail is out of date: its moment has passed."), code="expired")
    mail.status = "pending"
    mail.attempts = 0
    mail.due_at = now
    mail.lease_until = None
    mail.lease_owner = None
    db.session.flush()
    return mail
