from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from app import vocabulary
from app.db_types import FlagSet
from app.extensions import db


class ReachFact(db.Model):
    """One row per booking that took place, with everything the figures count,
    pre-joined: the dashboard at national scale reads one narrow table instead
    of joining a million bookings to their slots, activities and evaluations
    for every figure (docs/PERFORMANCE.md, "Documents and dashboard").

    Derived data, never edited by hand: app/insights/facts.py writes it from
    the raw rows when a booking completes, an evaluation arrives or an activity
    changes, and `flask insights rebuild` rewrites it whole (after loading
    data that bypasses the services, as the demo and bench loaders do). The
    figure tests recompute every number from the raw rows, not from here."""

    __tablename__ = "reach_fact"

    # Its own key, so that rows lie in the order they were written (by start
    # time, in a rebuild): a year's range scan then reads neighbouring pages.
    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(
        ForeignKey("booking.id", ondelete="CASCADE"), unique=True
    )
    starts_at: Mapped[datetime]
    school_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"))
    company_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"))
    activity_id: Mapped[int] = mapped_column(ForeignKey("activity.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    sectors: Mapped[frozenset[str]] = mapped_column(FlagSet(vocabulary.SECTORS), default=frozenset)
    year: Mapped[str] = mapped_column(String(1))
    path: Mapped[str] = mapped_column(String(2))
    profile: Mapped[str | None] = mapped_column(String(3))
    booked: Mapped[int]
    # The school's head count when it evaluated, otherwise `booked`.
    students: Mapped[int]
    school_rating: Mapped[int | None]
    company_rating: Mapped[int | None]

    __table_args__ = (
        Index("ix_reach_fact_starts_at", "starts_at"),
        Index("ix_reach_fact_activity", "activity_id"),
    )
