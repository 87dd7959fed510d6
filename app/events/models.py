from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.timeutil import utcnow


class EventLogEntry(db.Model):
    """One domain event, appended in the transaction of the change it describes.

    Never updated or deleted: it is the audit trail ("history") of bookings,
    placements and organisations."""

    __tablename__ = "event_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    subject_type: Mapped[str] = mapped_column(String(32))
    subject_id: Mapped[int]
    payload: Mapped[dict] = mapped_column(JSON)

    __table_args__ = (Index("ix_event_log_subject", "subject_type", "subject_id"),)
