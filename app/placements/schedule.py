"""A placement's weekly schedule: a rule, the holidays it skips, and the lessons
that were cancelled or moved.

Pure reads, shaped the way a calendar stores a recurring event: the rule is
the RRULE, the holiday dates are EXDATEs, each change is an override keyed by
the lesson's original date (RECURRENCE-ID). `lessons()` applies all three and
gives the dated list people read. Times are wall-clock times at the school
(Europe/Amsterdam); `Lesson.starts_at` converts to the stored UTC convention.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from app import vocabulary
from app.holidays.service import holiday_dates
from app.placements.models import Placement, PlacementLessonChange
from app.timeutil import local_to_utc

# Python's weekday() numbers for the codes of vocabulary.WEEKDAYS (mo=0..fr=4).
WEEKDAY_NUMBERS = {code: number for number, code in enumerate(vocabulary.WEEKDAYS)}


def weekday_code(day: date) -> str | None:
    """The WEEKDAYS code of a date; None on Saturday and Sunday."""
    codes = list(vocabulary.WEEKDAYS)
    return codes[day.weekday()] if day.weekday() < len(codes) else None


@dataclass(frozen=True)
class Rule:
    """Every `weekdays` between first_date and last_date, start_time to end_time."""

    weekdays: list[str]
    first_date: date
    last_date: date
    start_time: time
    end_time: time

    @property
    def byday(self) -> list[str]:
        """iCalendar BYDAY values (MO..FR)."""
        return [code.upper() for code in self.weekdays]


@dataclass(frozen=True)
class Lesson:
    original_date: date
    date: date
    start_time: time
    end_time: time
    status: str  # scheduled | moved | cancelled
    reason: str = ""
    change: PlacementLessonChange | None = None

    @property
    def starts_at(self) -> datetime:
        """Naive UTC, like every stored instant."""
        return local_to_utc(datetime.combine(self.date, self.start_time))

    @property
    def ends_at(self) -> datetime:
        return local_to_utc(datetime.combine(self.date, self.end_time))

    @property
    def is_cancelled(self) -> bool:
        return self.status == "cancelled"

    @property
    def is_moved(self) -> bool:
        return self.status == "moved"

    @property
    def minutes(self) -> int:
        start = datetime.combine(self.date, self.start_time)
        return int((datetime.combine(self.date, self.end_time) - start).total_seconds() // 60)


def rule(placement: Placement) -> Rule:
    return Rule(
        weekdays=placement.weekday_codes,
        first_date=placement.first_date,
        last_date=placement.effective_last_date,
        start_time=placement.start_time,
        end_time=placement.end_time,
    )


def dates_of(weekdays, first: date, last: date) -> list[date]:
    """Every date from first to last (inclusive) that falls on one of the weekdays."""
    wanted = {WEEKDAY_NUMBERS[code] for code in weekdays if code in WEEKDAY_NUMBERS}
    found = []
    if not wanted:
        return found
    day = first
    while day <= last:
        if day.weekday() in wanted:
            found.append(day)
        day += timedelta(days=1)
    return found


def rule_dates(placement: Placement) -> list[date]:
    """The dates the rule yields, holidays not yet removed."""
    return dates_of(placement.weekdays, placement.first_date, placement.effective_last_date)


def holiday_exdates(placement: Placement) -> list[date]:
    """The rule's dates that fall in a holiday of the school's holiday region."""
    dates = rule_dates(placement)
    if not dates:
        return []
    holidays = holiday_dates(placement.school.holiday_region, dates[0], dates[-1])
    return [day for day in dates if day in holidays]


def changes(placement: Placement) -> list[PlacementLessonChange]:
    return list(placement.changes)


def lesson_dates(placement: Placement) -> list[date]:
    """The rule's dates without the holidays: the original date of every lesson."""
    skipped = set(holiday_exdates(placement))
    return [day for day in rule_dates(placement) if day not in skipped]


def lessons(placement: Placement, include_cancelled: bool = True) -> list[Lesson]:
    """Every lesson with its changes applied, in the order they take place."""
    by_date = {change.original_date: change for change in placement.changes}
    found = []
    for day in lesson_dates(placement):
        change = by_date.get(day)
        if change is None:
            found.append(Lesson(day, day, placement.start_time, placement.end_time, "scheduled"))
        elif change.is_cancelled:
            if include_cancelled:
                found.append(
                    Lesson(
                        day,
                        day,
                        placement.start_time,
                        placement.end_time,
                        "cancelled",
                        change.reason,
                        change,
                    )
                )
        else:
            found.append(
                Lesson(
                    day,
                    change.new_date,
                    change.new_start_time,
                    change.new_end_time,
                    "moved",
                    change.reason,
                    change,
                )
            )
    found.sort(key=lambda lesson: (lesson.date, lesson.start_time, lesson.original_date))
    return found


def lesson_on(placement: Placement, original_date: date) -> Lesson | None:
    """The lesson that originally fell on this date, if there is one."""
    for lesson in lessons(placement):
        if lesson.original_date == original_date:
            return lesson
    return None


def weekly_minutes(placement: Placement) -> int:
    """Teaching time a week by the rule (the lesson block on every chosen day)."""
    start = datetime.combine(date.min, placement.start_time)
    block = datetime.combine(date.min, placement.end_time) - start
    return int(block.total_seconds() // 60) * len(placement.weekdays)
