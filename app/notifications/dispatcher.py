"""The dispatcher: sends due mails exactly once, also with several dispatchers
running at once (INTEROP.md rule 15).

1. Claim due rows in one statement: a lease and an owner are written on rows
   that are pending, due, and not leased by anyone else (FOR UPDATE SKIP LOCKED
   on PostgreSQL; on SQLite the single writer lock makes the UPDATE atomic).
2. Commit the claim, so other dispatchers skip those rows.
3. Send them over one connection; mark each sent, or schedule a retry with a
   growing delay, or mark it failed after MAX_ATTEMPTS.
A dispatcher that dies mid-batch leaves leases that expire; the rows are then
claimed again.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass, field
from datetime import timedelta

from flask import current_app
from sqlalchemy import or_, select, update

from app.extensions import db
from app.notifications.delivery import build_message, transport_for
from app.notifications.models import OutgoingMail
from app.timeutil import utcnow

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=5)
MAX_ATTEMPTS = 6


def retry_delay(attempts: int) -> timedelta:
    """1, 4, 16, 64 ... minutes, at most a day."""
    return min(timedelta(minutes=4 ** (attempts - 1)), timedelta(days=1))


@dataclass
class DispatchResult:
    sent: list[int] = field(default_factory=list)
    retried: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    expired: int = 0


def _expire_late_rows(now) -> int:
    result = db.session.execute(
        update(OutgoingMail)
        .where(
            OutgoingMail.status == "pending",
            OutgoingMail.expires_at.is_not(None),
            OutgoingMail.expires_at <= now,
            or_(OutgoingMail.lease_until.is_(None), OutgoingMail.lease_until < now),
        )
        .values(status="expired", lease_until=None, lease_owner=None)
    )
    return result.rowcount or 0


def claim_due(batch_size: int = 100) -> tuple[str, list[int]]:
    """Claims up to batch_size due rows for this dispatcher and commits the claim."""
    now = utcnow()
    owner = secrets.token_hex(8)
    due = (
        select(OutgoingMail.id)
        .where(
            OutgoingMail.status == "pending",
            OutgoingMail.due_at <= now,
            or_(OutgoingMail.lease_until.is_(None), OutgoingMail.lease_until < now),
        )
        .order_by(OutgoingMail.due_at, OutgoingMail.id)
        .limit(batch_size)
        .with_for_update(skip_locked=True)
    )
    claimed = db.session.execute(
        update(OutgoingMail)
        .where(
            OutgoingMail.id.in_(due.scalar_subquery()),
            # Repeated outside the subquery: on SQLite, a row that another
            # dispatcher leased between our read and our write is skipped here.
            OutgoingMail.status == "pending",
            or_(OutgoingMail.lease_until.is_(None), OutgoingMail.lease_until < now),
        )
        .values(
            lease_until=now + LEASE,
            lease_owner=owner,
            attempts=OutgoingMail.attempts + 1,
        )
        .returning(OutgoingMail.id)
        .execution_options(synchronize_session=False)
    )
    ids = sorted(claimed.scalars())
    db.session.commit()
    return owner, ids


def dispatch_due(batch_size: int = 100) -> DispatchResult:
    result = DispatchResult()
    result.expired = _expire_late_rows(utcnow())
    db.session.commit()
    owner, ids = claim_due(batch_size)
    if not ids:
        return result
    mails = list(
        db.session.scalars(
            select(OutgoingMail)
            .where(OutgoingMail.id.in_(ids), OutgoingMail.lease_owner == owner)
            .order_by(OutgoingMail.id)
        )
    )
    sender = current_app.config["MAIL_FROM"]
    try:
        with transport_for(current_app.config) as transport:
            for mail in mails:
                try:
                    transport.send(build_message(mail, sender))
                except Exception as error:  # one bad address must not stop the batch
                    _record_failure(mail, error, result)
                else:
                    mail.status = "sent"
                    mail.sent_at = utcnow()
                    mail.lease_until = None
                    result.sent.append(mail.id)
                # Commit per mail: a crash later in the batch must not make us
                # send this one again.
                db.session.commit()
    except Exception as error:  # connection refused, authentication, TLS
        log.warning("mail transport failed: %s", error)
        for mail in mails:
            if mail.status == "pending" and mail.id not in result.retried + result.failed:
                _record_failure(mail, error, result)
        db.session.commit()
    return result


def _record_failure(mail: OutgoingMail, error: Exception, result: DispatchResult) -> None:
    mail.last_error = f"{type(error).__name__}: {error}"[:2000]
    mail.lease_until = None
    if mail.attempts >= MAX_ATTEMPTS:
        mail.status = "failed"
        result.failed.append(mail.id)
    else:
        mail.due_at = utcnow() + retry_delay(mail.attempts)
        result.retried.append(mail.id)


def queue_health() -> dict:
    from sqlalchemy import func

    now = utcnow()
    due = db.session.scalar(
        select(func.count()).where(OutgoingMail.status == "pending", OutgoingMail.due_at <= now)
    )
    failed = db.session.scalar(select(func.count()).where(OutgoingMail.status == "failed"))
    oldest = db.session.scalar(
        select(func.min(OutgoingMail.due_at)).where(
            OutgoingMail.status == "pending", OutgoingMail.due_at <= now
        )
    )
    return {
        "due": due,
        "failed": failed,
        "oldest_pending_seconds": int((now - oldest).total_seconds()) if oldest else 0,
    }


__all__ = ["dispatch_due", "claim_due", "queue_health"]
