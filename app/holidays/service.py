"""School holidays per region: which dates are holidays."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from app.extensions import db
from app.holidays.models import SchoolHoliday


def holidays_overlapping(region: str, first: date, last: date) -> list[SchoolHoliday]:
    return list(
        db.session.scalars(
            select(SchoolHoliday)
            .where(
                SchoolHoliday.region == region,
                SchoolHoliday.start_date <= last,
                SchoolHoliday.end_date >= first,
            )
            .order_by(SchoolHoliday.start_date)
        )
    )


def holiday_on(region: str, day: date) -> SchoolHoliday | None:
    found = holidays_overlapping(region, day, day)
    return found[0] if found else None


def holiday_dates(region: str, first: date, last: date) -> set[date]:
    """Every date between first and last (inclusive) that is a holiday in region."""
    days: set[date] = set()
    for holiday in holidays_overlapping(region, first, last):
        day = max(holiday.start_date, first)
        while day <= min(holiday.end_date, last):
            days.add(day)
            day += timedelta(days=1)
    return days


def load_reference_holidays(entries: list[dict]) -> int:
    """Adds the holidays that are not there yet (same region, name and start)."""
    added = 0
    for entry in entries:
        start = date.fromisoformat(entry["start"])
        exists = db.session.scalar(
            select(SchoolHoliday.id).where(
                SchoolHoliday.region == entry["region"],
                SchoolHoliday.name == entry["name"],
                SchoolHoliday.start_date == start,
            )
        )
        if exists is None:
            db.session.add(
                SchoolHoliday(
                    region=entry["region"],
                    name=entry["name"],
                    start_date=start,
                    end_date=date.fromisoformat(entry["end"]),
                )
            )
            added += 1
    db.session.flush()
    return added
