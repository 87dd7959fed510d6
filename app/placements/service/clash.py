"""The clash rule: one professional is never in two placements that claim
(proposed, countered, agreed) overlapping hours on the same weekday within
overlapping dates, and a moved lesson never overlaps another of their lessons.

Every write that changes a placement's terms first raises the professional's
lock_version with one UPDATE (`lock_professional`). On PostgreSQL that row
lock holds until commit, so a second proposal for the same professional waits
and then sees the first one; on SQLite the UPDATE takes the database's single
write lock the same way (pysqlite opens the transaction at that first write,
so no earlier read holds a stale snapshot, see bookings.capacity). The check
that follows therefore always reads every committed claim.
"""

from __future__ import annotations

from datetime import date, time
from typing import NamedTuple

from babel.dates import get_day_names
from flask_babel import format_date, get_locale
from flask_babel import gettext as _
from sqlalchemy import or_, select, update
from sqlalchemy.orm import joinedload

from app import vocabulary
from app.errors import Conflict
from app.extensions import db
from app.placements import schedule
from app.placements.models import CLAIMING, Placement, Professional
from app.placements.service.terms import Terms, hhmm


class Clash(NamedTuple):
    """The placement whose hours the terms would overlap, and a shared weekday."""

    placement: Placement
    weekday: str


def lock_professional(professional: Professional) -> None:
    """Serialises every change to this professional's claims (module docstring)."""
    db.session.execute(
        update(Professional)
        .where(Professional.id == professional.id)
        .values(lock_version=Professional.lock_version + 1)
        .execution_options(synchronize_session=False)
    )
    db.session.expire(professional, ["lock_version"])


def weekday_name(code: str) -> str:
    """The weekday as it reads inside a sentence, in the current language
    (Dutch writes "op woensdag", lower case)."""
    names = get_day_names("wide", locale=get_locale() or "nl")
    return names[list(vocabulary.WEEKDAYS).index(code)]


def find_clash(
    professional: Professional, terms: Terms, exclude_id: int | None = None
) -> Clash | None:
    """The first placement of this professional whose claimed hours overlap the
    terms, with the weekday they share; None when there is none.

    Times that only touch (one ends at 12:00, the other starts at 12:00) do not
    overlap: a professional can teach at one school in the morning and at
    another in the afternoon."""
    query = (
        select(Placement)
        .options(joinedload(Placement.school))
        .where(
            Placement.professional_id == professional.id,
            Placement.status.in_(CLAIMING),
            Placement.first_date <= terms.last_date,
            or_(Placement.ended_on.is_(None), Placement.ended_on >= terms.first_date),
            Placement.last_date >= terms.first_date,
            Placement.start_time < terms.end_time,
            Placement.end_time > terms.start_time,
        )
        .order_by(Placement.first_date, Placement.id)
    )
    if exclude_id is not None:
        query = query.where(Placement.id != exclude_id)
    for other in db.session.scalars(query):
        for code in vocabulary.WEEKDAYS:
            if code in other.weekdays and code in terms.weekdays:
                return Clash(other, code)
    return None


def check_clash(professional: Professional, terms: Terms, exclude_id: int | None = None) -> None:
    found = find_clash(professional, terms, exclude_id)
    if found is None:
        return
    other = found.placement
    raise Conflict(
        _(
            "%(name)s already teaches at %(school)s on %(day)s from %(start)s to %(end)s "
            "(%(first)s to %(last)s). Choose other days or times.",
            name=professional.name,
            school=other.school.name,
            day=weekday_name(found.weekday),
            start=hhmm(other.start_time),
            end=hhmm(other.end_time),
            first=format_date(other.first_date, "medium"),
            last=format_date(other.effective_last_date, "medium"),
        ),
        field="weekdays",
        code="clash",
    )


def lesson_clash(
    placement: Placement, original_date: date, day: date, start: time, end: time
) -> None:
    """A moved lesson may not overlap another lesson of the same professional:
    of this placement or of another placement that claims their hours."""
    others = db.session.scalars(
        select(Placement)
        .where(
            Placement.professional_id == placement.professional_id,
            Placement.status.in_(CLAIMING),
            Placement.first_date <= day,
            Placement.last_date >= day,
        )
        .order_by(Placement.id)
    ).all()
    for other in others:
        for lesson in schedule.lessons(other, include_cancelled=False):
            if lesson.date != day:
                continue
            if other.id == placement.id and lesson.original_date == original_date:
                continue
            if lesson.start_time < end and lesson.end_time > start:
                raise Conflict(
                    _(
                        "%(name)s already teaches at %(school)s on %(day)s from %(start)s "
                        "to %(end)s.",
                        name=placement.professional.name,
                        school=other.school.name,
                        day=format_date(day, "full"),
                        start=hhmm(lesson.start_time),
                        end=hhmm(lesson.end_time),
                    ),
                    field="new_date",
                    code="clash",
                )
