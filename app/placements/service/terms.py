"""What a proposal or counter says about time (Terms), and the checks every
placement's words and choices pass before they are stored."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, time

from flask_babel import gettext as _

from app import vocabulary
from app.errors import DomainError
from app.placements import schedule
from app.placements.models import MAX_HOURS, MIN_HOURS, Placement

# A placement's schedule is computed, not stored: two school years bound it.
MAX_SPAN_DAYS = 2 * 366
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass
class Terms:
    """What a proposal or counter says about time: hours a week, the school days
    with one time range for all of them, and the period."""

    hours_per_week: int
    weekdays: Iterable[str]
    start_time: time
    end_time: time
    first_date: date
    last_date: date

    @classmethod
    def of(cls, placement: Placement) -> Terms:
        return cls(
            placement.hours_per_week,
            frozenset(placement.weekdays),
            placement.start_time,
            placement.end_time,
            placement.first_date,
            placement.last_date,
        )


def hhmm(value: time) -> str:
    return value.strftime("%H:%M")


def clean_terms(terms: Terms) -> Terms:
    """Refuses terms no school could agree to, each with the field to correct."""
    hours = terms.hours_per_week
    if not isinstance(hours, int) or isinstance(hours, bool):
        raise DomainError(_("Give the hours per week as a whole number."), field="hours_per_week")
    if hours < MIN_HOURS:
        raise DomainError(
            _("A placement is at least %(n)d hour a week.", n=MIN_HOURS), field="hours_per_week"
        )
    if hours > MAX_HOURS:
        raise DomainError(
            _("A placement is at most %(n)d hours a week.", n=MAX_HOURS), field="hours_per_week"
        )
    weekdays = [str(code).lower() for code in (terms.weekdays or ())]
    if not weekdays:
        raise DomainError(_("Choose at least one school day."), field="weekdays")
    outside = [code for code in weekdays if code not in vocabulary.WEEKDAYS]
    if outside:
        raise DomainError(_("Lessons are on school days only: Monday to Friday."), field="weekdays")
    if not isinstance(terms.start_time, time) or not isinstance(terms.end_time, time):
        raise DomainError(_("Give a start and an end time."), field="start_time")
    if terms.end_time <= terms.start_time:
        raise DomainError(_("The end time lies before the start time."), field="end_time")
    if not isinstance(terms.first_date, date) or not isinstance(terms.last_date, date):
        raise DomainError(_("Give a first and a last date."), field="first_date")
    if terms.last_date < terms.first_date:
        raise DomainError(_("The last date lies before the first date."), field="last_date")
    if (terms.last_date - terms.first_date).days > MAX_SPAN_DAYS:
        raise DomainError(_("A placement runs for at most two school years."), field="last_date")
    if not schedule.dates_of(weekdays, terms.first_date, terms.last_date):
        raise DomainError(
            _("None of the chosen days falls between the first and last date."), field="weekdays"
        )
    return Terms(
        hours,
        frozenset(weekdays),
        terms.start_time.replace(second=0, microsecond=0),
        terms.end_time.replace(second=0, microsecond=0),
        terms.first_date,
        terms.last_date,
    )


def clean_profiles(profiles: Iterable[str] | None, name: str = "profiles") -> frozenset[str]:
    chosen = frozenset(profiles or ())
    if not chosen <= set(vocabulary.PROFILES):
        raise DomainError(_("Choose one of the options."), field=name)
    return chosen
