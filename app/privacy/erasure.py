"""Deleting an account (AVG article 17).

At once, in the caller's transaction: the person can no longer sign in (their
sessions, remember-me cookie, API tokens and calendar feeds stop working);
their memberships, notifications and one-time links go; every row that named
them (a booking's teacher and booker, a request's teacher, who proposed or
evaluated something, the actor of each history entry) forgets them, while
the row itself stays with its organisation; queued mails to them are dropped
and mails and notifications to others that name them are rewritten without
their name and address. What remains is an empty, closed account row and the
copies of mails already sent to them, which the retention job removes when
the retention period ends (app/privacy/retention.py)."""

from __future__ import annotations

import base64
import re

from flask_babel import force_locale
from flask_babel import gettext as _
from markupsafe import escape
from sqlalchemy import Text, cast, delete, or_, select, update

from app.accounts.models import Invitation, User
from app.events import emit
from app.events.models import EventLogEntry
from app.events.types import AccountDeleted, MemberLeft
from app.extensions import db
from app.notifications.models import Notification, OutgoingMail
from app.timeutil import utcnow

# Domain for the addresses of closed accounts: .invalid never resolves (RFC 2606).
CLOSED_DOMAIN = "deleted.invalid"


def closed_address(user_id: int) -> str:
    return f"deleted-{user_id}@{CLOSED_DOMAIN}"


def _references_to_users():
    """(table, column, ondelete) for every foreign key to user.id."""
    user_id = User.__table__.c.id
    for table in db.metadata.sorted_tables:
        for key in table.foreign_keys:
            if key.column is user_id:
                yield table, key.parent, (key.ondelete or "").upper()


# Kept, linked to the closed account, until the retention period ends.
KEPT_UNTIL_PURGED = {("outgoing_mail", "user_id")}


def _forget_references(user_id: int) -> None:
    """What the database would do when the row goes, done now for everything
    but the mail copies: rows that belong to the person go, rows that only
    name them keep everything but the name."""
    for table, column, ondelete in _references_to_users():
        if (table.name, column.name) in KEPT_UNTIL_PURGED:
            continue
        if ondelete == "CASCADE":
            db.session.execute(delete(table).where(column == user_id))
        else:
            db.session.execute(update(table).where(column == user_id).values({column.name: None}))


def _patterns(name: str, email: str) -> list[re.Pattern]:
    """The person's address and full name, as whole words, plain and as HTML
    escapes them."""
    words = {email, str(escape(email))}
    if name.strip():
        words |= {name.strip(), str(escape(name.strip()))}
    return [
        re.compile(rf"(?<!\w){re.escape(word)}(?!\w)", re.IGNORECASE)
        for word in sorted(words, key=len, reverse=True)
    ]


def _former_user(locale: str | None) -> str:
    with force_locale(locale if locale in ("nl", "en") else "nl"):
        return _("a former user")


def _scrub(text: str, patterns, replacement: str) -> str:
    for pattern in patterns:
        text = pattern.sub(replacement, text)
    return text


def _fold(line: str) -> str:
    """An iCalendar content line folded at 75 octets (RFC 5545 3.1), never
    inside a UTF-8 sequence."""
    parts, current = [], b""
    for char in line:
        encoded = char.encode()
        if len(current) + len(encoded) > (75 if not parts else 74):
            parts.append(current.decode())
            current = b""
        current += encoded
    parts.append(current.decode())
    return "\r\n ".join(parts)


def _scrub_attachments(attachments: list, patterns, replacement: str) -> list:
    """Text attachments (the .ics of a booking names the other party's contact)."""
    changed = []
    for attachment in attachments:
        kind = attachment.get("content_type", "")
        if not kind.startswith("text/"):
            changed.append(attachment)
            continue
        text = base64.b64decode(attachment["data"]).decode("utf-8", "replace")
        if kind.startswith("text/calendar"):
            unfolded = re.sub(r"\r?\n[ \t]", "", text)
            lines = _scrub(unfolded, patterns, replacement).split("\r\n")
            text = "\r\n".join(_fold(line) for line in lines)
        else:
            text = _scrub(text, patterns, replacement)
        changed.append({**attachment, "data": base64.b64encode(text.encode()).decode()})
    return changed


def _contains_any(column, words):
    return or_(*(column.contains(word, autoescape=True) for word in words))


def _rewrite_mails_and_notifications(user: User, patterns) -> None:
    words = [user.email] + ([user.name.strip()] if user.name.strip() else [])
    mails = db.session.scalars(
        select(OutgoingMail).where(
            or_(OutgoingMail.user_id.is_(None), OutgoingMail.user_id != user.id),
            OutgoingMail.recipient != user.email,
            or_(
                _contains_any(OutgoingMail.subject, words),
                _contains_any(OutgoingMail.text_body, words),
                _contains_any(OutgoingMail.html_body, words),
            ),
        )
    ).all()
    # Attachments cannot be searched in the database: every mail still to be
    # sent that has one is read.
    known = {m.id for m in mails}
    mails += [
        m
        for m in db.session.scalars(
            select(OutgoingMail).where(
                OutgoingMail.status == "pending", OutgoingMail.recipient != user.email
            )
        )
        if m.attachments and m.id not in known
    ]
    notes = db.session.scalars(
        select(Notification).where(
            Notification.user_id != user.id, _contains_any(Notification.text, words)
        )
    ).all()
    readers = {m.user_id for m in mails} | {n.user_id for n in notes}
    locales = dict(
        db.session.execute(select(User.id, User.locale).where(User.id.in_(readers - {None})))
        .tuples()
        .all()
    )
    for mail in mails:
        former = _former_user(locales.get(mail.user_id))
        mail.subject = _scrub(mail.subject, patterns, former)[:300]
        mail.text_body = _scrub(mail.text_body, patterns, former)
        mail.html_body = _scrub(mail.html_body, patterns, str(escape(former)))
        if mail.attachments:
            mail.attachments = _scrub_attachments(mail.attachments, patterns, former)
    for note in notes:
        note.text = _scrub(note.text, patterns, _former_user(locales.get(note.user_id)))[:300]


def _mails_to(user: User):
    return or_(OutgoingMail.user_id == user.id, OutgoingMail.recipient == user.email)


def _scrub_address_from_history(email: str) -> None:
    """Invitations carry the invitee's address in the event log."""
    for entry in db.session.scalars(
        select(EventLogEntry).where(
            EventLogEntry.name == "MemberInvited",
            cast(EventLogEntry.payload, Text).contains(email, autoescape=True),
        )
    ):
        if (entry.payload or {}).get("email", "").lower() == email.lower():
            entry.payload = {**entry.payload, "email": ""}


def delete_account(user: User, actor=None, *, inactive: bool = False) -> None:
    """Closes the account and takes the person out of what others see. The
    organisations keep their bookings, requests, placements and history."""
    if user.deleted_at is not None:
        return
    email, name = user.email, user.name
    patterns = _patterns(name, email)
    for membership in list(user.memberships):
        emit(
            MemberLeft(
                organisation_id=membership.organisation_id,
                user_id=user.id,
                role=membership.role,
            ),
            actor,
        )
    db.session.flush()

    # Mails: queued ones to the person are not sent; sent ones are kept with
    # the closed account until it is purged; others no longer name them.
    db.session.execute(
        delete(OutgoingMail).where(_mails_to(user), OutgoingMail.status == "pending")
    )
    db.session.execute(update(OutgoingMail).where(_mails_to(user)).values(user_id=user.id))
    _rewrite_mails_and_notifications(user, patterns)
    _scrub_address_from_history(email)
    db.session.execute(delete(Invitation).where(Invitation.email == email))
    db.session.flush()
    _forget_references(user.id)
    # The ORM's copies of rows changed above are out of date.
    db.session.expire_all()

    user.email = closed_address(user.id)
    user.name = ""
    user.phone = ""
    user.password_hash = ""
    user.locale = "nl"
    user.active = False
    user.last_seen_at = None
    user.inactivity_warned_at = None
    user.deleted_at = utcnow()
    db.session.flush()
    emit(AccountDeleted(user_id=user.id, inactive=inactive), actor)
