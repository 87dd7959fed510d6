"""The dispatcher: sends due mails exactly once, also with several dispatchers
running at once (docs/INTEROPERABILITY.md, rule 15).

1. Claim due rows in one statement: a lease and an owner are written on rows
   that are pending, due, not expired and not leased by anyone else (a
   materialized FOR UPDATE SKIP LOCKED subquery on PostgreSQL; on SQLite the
   single writer lock makes the conditional UPDATE atomic).
2. Commit the claim, so other dispatchers skip those rows.
3. Send them over one connection; after each mail, mark it sent (or schedule a
   retry with a growing delay, or mark it failed) and commit.
A dispatcher that dies mid-batch leaves leases that expire; the rows are then
claimed again. The one mail that was accepted by the SMTP server but not yet
marked sent when the process died is sent a second time: that is the whole
duplicate window (docs/decisions/0004).

Time is a parameter (`clock`), so tests move it instead of sleeping.
"""

from __future__ import annotations

import logging
import os
import secrets
import smtplib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import bindparam, func, or_, select, update

from app.extensions import db
from app.notifications.delivery import Envelope, UnsendableMail, build_message, transport_for
from app.notifications.models import OutgoingMail
from app.timeutil import utcnow

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]

LEASE = timedelta(minutes=5)
# A batch stops this long before its lease ends and hands back what it has not
# sent: after the lease another dispatcher may claim those rows, and both
# would send them.
LEASE_MARGIN = timedelta(seconds=30)
MAX_ATTEMPTS = 6
BATCH_SIZE = 100


def retry_delay(attempts: int) -> timedelta:
    """1, 4, 16, 64 ... minutes, at most a day."""
    return min(timedelta(minutes=4 ** (max(attempts, 1) - 1)), timedelta(days=1))


@dataclass
class DispatchResult:
    sent: list[int] = field(default_factory=list)
    retried: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    expired: int = 0
    claimed: int = 0
    released: int = 0
    transport_failed: bool = False

    def add(self, other: DispatchResult) -> None:
        self.sent += other.sent
        self.retried += other.retried
        self.failed += other.failed
        self.expired += other.expired
        self.claimed += other.claimed
        self.released += other.released
        self.transport_failed = self.transport_failed or other.transport_failed


def _not_leased(now: datetime):
    return or_(OutgoingMail.lease_until.is_(None), OutgoingMail.lease_until < now)


def _not_expired(now: datetime):
    return or_(OutgoingMail.expires_at.is_(None), OutgoingMail.expires_at > now)


def expire_late_rows(now: datetime) -> int:
    """Pending rows whose moment has passed (a reminder for an activity that has
    started) are marked expired instead of being sent late (rule 16)."""
    result = db.session.execute(
        update(OutgoingMail)
        .where(
            OutgoingMail.status == "pending",
            OutgoingMail.expires_at.is_not(None),
            OutgoingMail.expires_at <= now,
            _not_leased(now),
        )
        .values(status="expired", lease_until=None, lease_owner=None)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0


def new_owner() -> str:
    return f"{os.getpid()}-{secrets.token_hex(6)}"


def claim_due(
    batch_size: int = BATCH_SIZE,
    *,
    now: datetime | None = None,
    lease: timedelta = LEASE,
    owner: str | None = None,
) -> tuple[str, list[int]]:
    """Claims up to batch_size due rows for this dispatcher and commits the claim."""
    now = now or utcnow()
    owner = owner or new_owner()
    due = (
        select(OutgoingMail.id)
        .where(
            OutgoingMail.status == "pending",
            OutgoingMail.due_at <= now,
            _not_leased(now),
            _not_expired(now),
        )
        .order_by(OutgoingMail.due_at, OutgoingMail.id)
        .limit(batch_size)
        .with_for_update(skip_locked=True)
        # Evaluated once: as a plain IN (subquery), PostgreSQL may run the
        # subquery again for each row it updates, and every run finds the next
        # rows (the ones just leased no longer qualify), so a batch of 10
        # became all 25 due rows.
        .cte("due")
        .prefix_with("MATERIALIZED", dialect="postgresql")
    )
    claimed = db.session.execute(
        update(OutgoingMail)
        .where(
            OutgoingMail.id.in_(select(due.c.id)),
            # Repeated outside the subquery: on SQLite, a row that another
            # dispatcher leased between our read and our write is skipped here.
            OutgoingMail.status == "pending",
            _not_leased(now),
        )
        .values(lease_until=now + lease, lease_owner=owner, attempts=OutgoingMail.attempts + 1)
        .returning(OutgoingMail.id)
        .execution_options(synchronize_session=False)
    )
    ids = sorted(claimed.scalars())
    db.session.commit()
    return owner, ids


def _is_permanent(error: Exception) -> bool:
    """A 5xx answer about this mail's recipient or content: trying again
    changes nothing. A refused sender or login is a setting that an
    administrator can fix, so those are retried."""
    if isinstance(error, UnsendableMail):
        return True
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in error.recipients.values()]
        return bool(codes) and all(500 <= code < 600 for code in codes)
    if isinstance(error, smtplib.SMTPDataError):
        return 500 <= error.smtp_code < 600
    return False


def _is_connection_lost(error: Exception) -> bool:
    # SMTPException is itself an OSError; only socket-level errors and a closed
    # connection make the rest of the batch impossible.
    if isinstance(error, smtplib.SMTPServerDisconnected):
        return True
    return isinstance(error, OSError) and not isinstance(error, smtplib.SMTPException)


def _describe(error: Exception) -> str:
    return f"{type(error).__name__}: {error}"[:2000]


# The statements of the send loop, built once: they run once per mail, each
# on an autocommit connection (one round trip: the mark is durable when it
# returns), and a statement object that is reused skips SQLAlchemy's per-call
# construction and cache-key work.
_still_ours = (
    OutgoingMail.id == bindparam("mail_id"),
    OutgoingMail.lease_owner == bindparam("owner"),
    OutgoingMail.status == "pending",
)
_MARK_SENT = (
    update(OutgoingMail)
    .where(OutgoingMail.id == bindparam("mail_id"), OutgoingMail.status == "pending")
    .values(status="sent", sent_at=bindparam("now"), lease_until=None, lease_owner=None)
)
_MARK_EXPIRED = (
    update(OutgoingMail)
    .where(*_still_ours)
    .values(status="expired", lease_until=None, lease_owner=None)
)
# Failures are recorded only while we still hold the lease: after it expired
# another dispatcher owns the row, and its outcome counts.
_MARK_FAILED = (
    update(OutgoingMail)
    .where(*_still_ours)
    .values(status="failed", last_error=bindparam("error"), lease_until=None, lease_owner=None)
)
_RELEASE = (
    update(OutgoingMail)
    .where(*_still_ours)
    .values(lease_until=None, lease_owner=None, attempts=OutgoingMail.attempts - 1)
)
_MARK_RETRY = (
    update(OutgoingMail)
    .where(*_still_ours)
    .values(
        due_at=bindparam("due_at"),
        last_error=bindparam("error"),
        lease_until=None,
        lease_owner=None,
    )
)


def _record_failure(
    marks,
    mail,
    owner: str,
    error: Exception,
    now: datetime,
    result: DispatchResult,
    *,
    permanent: bool = False,
) -> None:
    params = {"mail_id": mail.id, "owner": owner, "error": _describe(error)}
    if permanent or mail.attempts >= MAX_ATTEMPTS:
        marks.execute(_MARK_FAILED, params)
        result.failed.append(mail.id)
    else:
        marks.execute(_MARK_RETRY, {**params, "due_at": now + retry_delay(mail.attempts)})
        result.retried.append(mail.id)


def dispatch_due(
    batch_size: int = BATCH_SIZE, *, clock: Clock = utcnow, lease: timedelta = LEASE
) -> DispatchResult:
    """One batch: expire late rows, claim, send, mark. Safe to run in several
    processes at once."""
    result = DispatchResult()
    result.expired = expire_late_rows(clock())
    db.session.commit()
    claimed_at = clock()
    owner, ids = claim_due(batch_size, now=claimed_at, lease=lease)
    deadline = claimed_at + lease - min(LEASE_MARGIN, lease / 2)
    result.claimed = len(ids)
    if not ids:
        return result
    # Plain rows rather than ORM objects: nothing to refresh after each mark,
    # and the caller's session objects are left alone.
    mails = db.session.execute(
        select(*OutgoingMail.__table__.columns)
        .where(OutgoingMail.id.in_(ids), OutgoingMail.lease_owner == owner)
        .order_by(OutgoingMail.id)
    ).all()
    db.session.commit()
    envelope = Envelope.of(current_app.config["MAIL_FROM"])
    pending = list(mails)
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as marks:
        try:
            with transport_for(current_app.config) as transport:
                while pending:
                    mail = pending[0]
                    now = clock()
                    if now >= deadline:
                        # A slow server: give the rest back, unattempted.
                        for unsent in pending:
                            marks.execute(_RELEASE, {"mail_id": unsent.id, "owner": owner})
                        result.released = len(pending)
                        pending.clear()
                        break
                    if mail.expires_at is not None and mail.expires_at <= now:
                        marks.execute(_MARK_EXPIRED, {"mail_id": mail.id, "owner": owner})
                        result.expired += 1
                    else:
                        try:
                            transport.send(build_message(mail, envelope))
                        except Exception as error:  # one bad address must not stop the batch
                            if _is_connection_lost(error):
                                raise
                            _record_failure(
                                marks,
                                mail,
                                owner,
                                error,
                                now,
                                result,
                                permanent=_is_permanent(error),
                            )
                        else:
                            # Marked (and committed) at once: a crash later in
                            # the batch must not make us send this one again.
                            marks.execute(_MARK_SENT, {"mail_id": mail.id, "now": now})
                            result.sent.append(mail.id)
                    pending.pop(0)
        except Exception as error:  # connection refused or lost, authentication, TLS
            log.warning("mail transport failed: %s", error)
            result.transport_failed = True
            now = clock()
            for mail in pending:
                _record_failure(marks, mail, owner, error, now, result)
    return result


def dispatch_all(
    *,
    clock: Clock = utcnow,
    lease: timedelta = LEASE,
    batch_size: int = BATCH_SIZE,
    time_budget: float | None = None,
) -> DispatchResult:
    """Batches until nothing is due (or the time budget is spent, so that a
    scheduler job ends before its next run)."""
    total = DispatchResult()
    started = time.monotonic()
    while True:
        result = dispatch_due(batch_size, clock=clock, lease=lease)
        total.add(result)
        # Without a mail server, the next batch would only use up its attempts too.
        if not result.claimed or result.transport_failed:
            return total
        if time_budget is not None and time.monotonic() - started > time_budget:
            return total


def queue_health(now: datetime | None = None) -> dict:
    now = now or utcnow()
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


__all__ = ["dispatch_due", "dispatch_all", "claim_due", "queue_health", "expire_late_rows"]
