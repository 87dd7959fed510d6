from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.timeutil import utcnow

# pending: waits for its due time (or is being sent: lease_until in the future).
# sent, failed (with last_error), expired (its moment passed while the system was
# down or while it was retried; never sent late).
MAIL_STATES = ("pending", "sent", "failed", "expired")


class OutgoingMail(db.Model):
    """One mail to one recipient, composed when its event happened and sent by
    the dispatcher in the scheduler process after commit (docs/ARCHITECTURE.md,
    "How an event flows").

    Reminders are rows of this table too: a future due_at, expires_at at the
    start of the activity, and booking_id/purpose so that a reschedule or a
    cancellation finds the unsent ones (docs/decisions/0004)."""

    __tablename__ = "outgoing_mail"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(64))
    recipient: Mapped[str] = mapped_column(String(254))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    subject: Mapped[str] = mapped_column(String(300))
    text_body: Mapped[str] = mapped_column(Text)
    html_body: Mapped[str] = mapped_column(Text)
    attachments: Mapped[list] = mapped_column(JSON, default=list)
    # Extra message headers, e.g. List-Unsubscribe on digests.
    headers: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    due_at: Mapped[datetime] = mapped_column(default=utcnow)
    # After this moment the mail makes no sense any more (a reminder for an
    # activity that has started) and is not sent late (docs/INTEROPERABILITY.md, rule 16).
    expires_at: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    lease_until: Mapped[datetime | None]
    lease_owner: Mapped[str | None] = mapped_column(String(32))
    last_error: Mapped[str] = mapped_column(Text, default="")
    sent_at: Mapped[datetime | None]
    # Makes queueing the same mail twice (a retried handler) a no-op.
    dedupe_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    # The booking a mail is about, and for planned mails why it exists
    # ("reminder", "evaluation"): re-planning replaces exactly these rows.
    booking_id: Mapped[int | None] = mapped_column(ForeignKey("booking.id", ondelete="CASCADE"))
    purpose: Mapped[str | None] = mapped_column(String(16))

    __table_args__ = (
        Index("ix_outgoing_mail_status_due", "status", "due_at"),
        Index("ix_outgoing_mail_booking_purpose", "booking_id", "purpose"),
    )

    def __repr__(self) -> str:
        return f"<OutgoingMail {self.id} {self.kind} {self.status} to={self.recipient}>"


class Notification(db.Model):
    """An entry in a person's in-app notification list. The text is written in
    the person's language when the event happens, like the mail beside it."""

    __tablename__ = "notification"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(String(300))
    # A path inside the application (never a full URL), so it works on any host.
    link: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None]

    __table_args__ = (Index("ix_notification_user_read", "user_id", "read_at"),)


class NotificationPreference(db.Model):
    """What a person chose to receive. Essential mails (bookings, reminders)
    cannot be switched off; digests can. No row means the defaults."""

    __tablename__ = "notification_preference"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("user.id", ondelete="CASCADE"), primary_key=True
    )
    digests: Mapped[bool] = mapped_column(default=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class ReminderPolicy(db.Model):
    """When reminders go out for one kind of activity, set by a coordinator.
    No row means the defaults: 7 and 1 days before, evaluation 1 day after."""

    __tablename__ = "reminder_policy"

    activity_kind: Mapped[str] = mapped_column(String(20), primary_key=True)
    # Whole days before the start, largest first, e.g. [7, 1].
    days_before: Mapped[list] = mapped_column(JSON, default=list)
    evaluation_days_after: Mapped[int] = mapped_column(default=1)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
