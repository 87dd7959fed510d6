from __future__ import annotations

from sqlalchemy import Float, String
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db


class RateLimitCounter(db.Model):
    """One fixed window of one rate limit key (app/throttle/storage.py): how
    many hits it has had, and when the window ends (seconds since the epoch,
    as the `limits` library counts)."""

    __tablename__ = "rate_limit_counter"

    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    hits: Mapped[int]
    expires_at: Mapped[float] = mapped_column(Float, index=True)
