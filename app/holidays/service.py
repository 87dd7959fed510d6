"""School holidays per region: which dates are holidays."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from app import vocabulary
from app.errors import DomainError
from app.events import emit
from app.events import types as ev
from app.extensions import db
from app.holidays.models import SchoolHoliday
from app.text import SHORT_LINE, limited


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


def add_holiday(region: str, name: str, start_date: date, end_date: date) -> SchoolHoliday:
    """A coordinator adds a holiday (for example a new school year's dates)."""
    from flask_babel import gettext as _

    if region not in vocabulary.HOLIDAY_REGIONS:
        raise DomainError(_("Choose one of the options."), field="region")
    name = limited(name, "name", SHORT_LINE)
    if not name:
        raise DomainError(_("Give the holiday a name."), field="name")
    if end_date < start_date:
        raise DomainError(_("The last day lies before the first day."), field="end_date")
    holiday = SchoolHoliday(region=region, name=name, start_date=start_date, end_date=end_date)
    db.session.add(holiday)
    db.session.flush()
    _changed(holiday)
    return holiday


def delete_holiday(holiday: SchoolHoliday) -> None:
    """Slots made earlier stay as they are; only new checks see the change.
    Hybrid-teacher schedules follow it (HolidaysChanged)."""
    _changed(holiday)
    db.session.delete(holiday)
    db.session.flush()


def _changed(holiday: SchoolHoliday) -> None:

    emit(
        ev.HolidaysChanged(
            holiday_id=holiday.id,
            region=holiday.region,
            first_day=holiday.start_date.isoformat(),
            last_day=holiday.end_date.isoformat(),
        )
    )
