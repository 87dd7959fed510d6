"""The Dutch school year: the one rule for which year a day belongs to, used by
the figures, the documents and the placements' overview."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from app.timeutil import local_to_utc, today_local

# The Dutch school year runs from the summer holiday to the next; figures count
# from 1 August, so that every summer activity lands in exactly one year.
YEAR_STARTS = (8, 1)


@dataclass(frozen=True)
class SchoolYear:
    start: int  # 2026 is 2026-2027

    @classmethod
    def containing(cls, day: date) -> SchoolYear:
        return cls(day.year if (day.month, day.day) >= YEAR_STARTS else day.year - 1)

    @classmethod
    def current(cls) -> SchoolYear:
        return cls.containing(today_local())

    @property
    def label(self) -> str:
        return f"{self.start}–{self.start + 1}"

    @property
    def previous(self) -> SchoolYear:
        return SchoolYear(self.start - 1)

    @property
    def first_day(self) -> date:
        return date(self.start, *YEAR_STARTS)

    @property
    def last_day(self) -> date:
        return date(self.start + 1, *YEAR_STARTS) - timedelta(days=1)

    @property
    def bounds(self) -> tuple[datetime, datetime]:
        """Start and end (exclusive) as naive UTC instants, as slots store them."""
        return (
            local_to_utc(datetime(self.start, *YEAR_STARTS)),
            local_to_utc(datetime(self.start + 1, *YEAR_STARTS)),
        )

    def months(self) -> list[date]:
        """The first day of each of the year's twelve months."""
        month, year = YEAR_STARTS[0], self.start
        found = []
        for _ in range(12):
            found.append(date(year, month, 1))
            month, year = (1, year + 1) if month == 12 else (month + 1, year)
        return found

    def month_bounds(self) -> list[datetime]:
        """The thirteen UTC instants at which the year's local months begin and end."""
        days = [*self.months(), date(self.start + 1, *YEAR_STARTS)]
        return [local_to_utc(datetime(d.year, d.month, d.day)) for d in days]

    def month_range(self, month: int) -> tuple[datetime, datetime]:
        """Start and end (UTC) of a calendar month (1-12) within this school year."""
        index = [d.month for d in self.months()].index(month)
        bounds = self.month_bounds()
        return bounds[index], bounds[index + 1]
