from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, String
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
    # The school year (2026 for 2026-2027) and the calendar month (1-12) of the
    # start in Europe/Amsterdam, fixed when the fact is written: the figures
    # group and filter on these plain integers, in the order of the indexes
    # below, instead of on time ranges.
    school_year: Mapped[int]
    month: Mapped[int]
    school_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"))
    company_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"))
    activity_id: Mapped[int] = mapped_column(ForeignKey("activity.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    sectors: Mapped[frozenset[str]] = mapped_column(FlagSet(vocabulary.SECTORS), default=frozenset)
    year: Mapped[str] = mapped_column(String(1))
    path: Mapped[str] = mapped_column(String(2))
    profile: Mapped[str | None] = mapped_column(String(8))
    booked: Mapped[int]
    # The school's head count when it evaluated, otherwise `booked`.
    students: Mapped[int]
    school_rating: Mapped[int | None]
    company_rating: Mapped[int | None]

    # The figures read a year's facts in the order of one of these indexes,
    # which hold every column the figures need: SQLite then groups without
    # sorting and never reads the table (docs/PERFORMANCE.md). The first
    # serves the sums per profile, year, path, kind and sectors, the second
    # the distinct schools per month and value, the third the companies.
    __table_args__ = (
        Index(
            "ix_reach_fact_cells",
            "school_year",
            "profile",
            "year",
            "path",
            "kind",
            "sectors",
            "students",
            "booked",
            "school_rating",
            "company_rating",
        ),
        Index(
            "ix_reach_fact_schools",
            "school_year",
            "school_id",
            "month",
            "profile",
            "year",
            "path",
            "kind",
            "sectors",
            "students",
        ),
        Index("ix_reach_fact_companies", "school_year", "company_id"),
        Index("ix_reach_fact_starts_at", "starts_at"),
        Index("ix_reach_fact_activity", "activity_id"),
    )


class FiguresVersion(db.Model):
    """A number per school year that changes with everything the coverage
    figures and the confirmed groups still to come count (bookings, slots,
    activities, approvals, placements): the key under which app/insights/cache.py keeps
    them. Raised by the event handlers when their transaction commits."""

    __tablename__ = "insights_version"

    school_year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    version: Mapped[int] = mapped_column(BigInteger)
