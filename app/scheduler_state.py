from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db


class SchedulerHeartbeat(db.Model):
    """The scheduler process writes its last sign of life here; /healthz reads it."""

    __tablename__ = "scheduler_heartbeat"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    beat_at: Mapped[datetime]
    pid: Mapped[int]
