from __future__ import annotations

from datetime import date

from sqlalchemy import CheckConstraint, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db


class SchoolHoliday(db.Model):
    """A school holiday of one region (noord, midden, zuid); dates inclusive.

    Reference data: loaded from fixtures/holidays.json, editable by coordinators."""

    __tablename__ = "school_holiday"

    id: Mapped[int] = mapped_column(primary_key=True)
    region: Mapped[str] = mapped_column(String(8))
    name: Mapped[str] = mapped_column(String(100))
    start_date: Mapped[date]
    end_date: Mapped[date]

    __table_args__ = (
        CheckConstraint("end_date >= start_date", name="dates_in_order"),
        Index("ix_school_holiday_region_dates", "region", "start_date", "end_date"),
    )
