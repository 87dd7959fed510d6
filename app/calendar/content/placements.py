"""A hybrid teacher's placement as one recurring VEVENT (uid
placement-<id>@<host>) with an override per moved or cancelled lesson
(docs/INTEROP-RULES.md, rule 11), in the calendars of the school, the company
and the coordinators."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from app import vocabulary
from app.calendar.content.common import (
    CANCELLED_DAYS,
    COMPANY,
    PAST_DAYS,
    PLACEMENT_STATES,
    SCHOOL,
    Links,
    Words,
    address_line,
    latest,
    records,
    redact,
)
from app.calendar.ics import CalendarEvent, Recurrence
from app.holidays.service import holiday_dates
from app.placements.models import Placement, PlacementLessonChange, Professional
from app.timeutil import local_to_utc

PLACEMENT_COLUMNS = (
    Placement.id,
    Placement.status,
    Placement.revision,
    Placement.created_at,
    Placement.updated_at,
    Placement.agreed_at,
    Placement.subjects,
    Placement.hours_per_week,
    Placement.weekdays,
    Placement.start_time,
    Placement.end_time,
    Placement.first_date,
    Placement.last_date,
    Placement.ended_on,
    Placement.ended_early,
    Placement.end_reason,
    Placement.school_id,
    Placement.company_id,
    Professional.name.label("professional_name"),
    SCHOOL.name.label("school_name"),
    SCHOOL.address.label("school_address"),
    SCHOOL.postcode.label("school_postcode"),
    SCHOOL.city.label("school_city"),
    SCHOOL.holiday_region.label("school_region"),
    COMPANY.name.label("company_name"),
)


CHANGE_COLUMNS = (
    PlacementLessonChange.placement_id,
    PlacementLessonChange.original_date,
    PlacementLessonChange.kind,
    PlacementLessonChange.new_date,
    PlacementLessonChange.new_start_time,
    PlacementLessonChange.new_end_time,
    PlacementLessonChange.reason,
    PlacementLessonChange.created_at,
    PlacementLessonChange.updated_at,
)


def placement_query(*conditions, as_of: datetime | None):
    query = (
        select(*PLACEMENT_COLUMNS)
        .join(Professional, Placement.professional_id == Professional.id)
        .join(SCHOOL, Placement.school_id == SCHOOL.id)
        .join(COMPANY, Placement.company_id == COMPANY.id)
        .where(Placement.status.in_(PLACEMENT_STATES), *conditions)
    )
    if as_of is not None:
        # Coarse: the last lesson (ended_on is never later than last_date)
        # not older than PAST_DAYS; placement_events looks closer.
        query = query.where(Placement.last_date >= (as_of - timedelta(days=PAST_DAYS)).date())
    return query


def placement_rows(*conditions, as_of: datetime | None):
    """Placements with their lesson changes and the holidays of their
    school's region: [(placement, (changes...), frozenset(holiday dates))]."""
    rows = records(
        placement_query(*conditions, as_of=as_of).order_by(Placement.first_date, Placement.id)
    )
    if not rows:
        return []
    changes = defaultdict(list)
    for change in records(
        select(*CHANGE_COLUMNS)
        .where(PlacementLessonChange.placement_id.in_([row.id for row in rows]))
        .order_by(PlacementLessonChange.placement_id, PlacementLessonChange.original_date)
    ):
        changes[change.placement_id].append(change)
    spans: dict[str, tuple[date, date]] = {}
    for row in rows:
        first, last = spans.get(row.school_region, (row.first_date, row.last_date))
        spans[row.school_region] = (min(first, row.first_date), max(last, row.last_date))
    holidays = {
        region: frozenset(holiday_dates(region, first, last))
        for region, (first, last) in spans.items()
    }
    return [(row, tuple(changes.get(row.id, ())), holidays[row.school_region]) for row in rows]


def _at(day: date, clock: time) -> datetime:
    """A wall-clock time at the school as naive UTC (so each date gets its
    own offset: a lesson at 10:30 stays at 10:30 across the clock change)."""
    return local_to_utc(datetime.combine(day, clock))


def _lesson_dates(weekdays, first: date, last: date) -> list[date]:
    wanted = {list(vocabulary.WEEKDAYS).index(code) for code in weekdays}
    days = []
    day = first
    while day <= last:
        if day.weekday() in wanted:
            days.append(day)
        day += timedelta(days=1)
    return days


def placement_events(
    row,
    changes: tuple,
    holidays: frozenset,
    wording: Words,
    links: Links,
    *,
    as_of: datetime | None = None,
) -> list[CalendarEvent]:
    """The series (RRULE weekly on the placement's days, UNTIL its last
    lesson, an EXDATE for every lesson day in the school's holidays) and an
    override per changed lesson, with the lesson's original start as
    RECURRENCE-ID: a moved lesson at its new time, a cancelled one as
    STATUS:CANCELLED (rule 11). SEQUENCE is the placement's revision, which
    rises with every change of the placement or one of its lessons, for the
    series and the overrides alike, so no override is older than its series."""
    weekdays = [code for code in vocabulary.WEEKDAYS if code in row.weekdays]
    last = (
        row.ended_on if row.ended_on is not None and row.ended_on < row.last_date else row.last_date
    )
    cutoff = as_of - timedelta(days=PAST_DAYS) if as_of is not None else None
    days = _lesson_dates(weekdays, row.first_date, last)
    status = "CONFIRMED"
    if not days:
        # Ended before its first lesson: it was in calendars while agreed, so
        # it stays, cancelled, for a while (rule 3).
        days = _lesson_dates(weekdays, row.first_date, row.last_date)
        recent = cutoff is None or row.updated_at >= as_of - timedelta(days=CANCELLED_DAYS)
        if not days or row.status != "ended" or not recent:
            return []
        status = "CANCELLED"
    if cutoff is not None and _at(days[-1], row.end_time) < cutoff:
        return []
    school, company = redact(row.school_name), redact(row.company_name)
    summary = wording.placement_summary % {
        "name": redact(row.professional_name),
        "company": company,
        "school": school,
    }
    url = links.placement(row.id)
    lines = [
        wording.placement_kind,
        wording.company % {"name": company},
        wording.school % {"name": school},
    ]
    if row.subjects:
        lines.append(wording.subjects % {"subjects": redact(row.subjects)})
    lines.append(wording.hours % {"hours": row.hours_per_week})
    if row.ended_early and row.end_reason:
        lines.append(wording.placement_ended % {"reason": redact(row.end_reason)})
    common = {
        "uid": f"placement-{row.id}@{links.uid_host}",
        "sequence": row.revision,
        "location": redact(address_line(row.school_address, row.school_postcode, row.school_city)),
        "url": url,
        "categories": (wording.placement_kind,),
    }
    stamp = latest(row.created_at, row.updated_at, row.agreed_at)
    tail = ["", wording.more_info % {"url": url}]
    events = [
        CalendarEvent(
            **common,
            stamp=stamp,
            starts_at=_at(days[0], row.start_time),
            ends_at=_at(days[0], row.end_time),
            summary=wording.cancelled_prefix % {"summary": summary}
            if status == "CANCELLED"
            else summary,
            status=status,
            description="\n".join(lines + tail),
            recurrence=Recurrence(
                weekdays=tuple(code.upper() for code in weekdays),
                until=_at(days[-1], row.end_time),
                exdates=tuple(_at(day, row.start_time) for day in days if day in holidays),
            ),
        )
    ]
    if status == "CANCELLED":
        return events
    lesson_days = {day for day in days if day not in holidays}
    for change in changes:
        if change.original_date not in lesson_days:
            continue  # after an early end, or a date the rule no longer has
        original = _at(change.original_date, row.start_time)
        reason = redact(change.reason or "")
        change_stamp = latest(stamp, change.created_at, change.updated_at)
        if change.kind == "cancelled":
            events.append(
                CalendarEvent(
                    **common,
                    stamp=change_stamp,
                    starts_at=original,
                    ends_at=_at(change.original_date, row.end_time),
                    summary=wording.cancelled_prefix % {"summary": summary},
                    status="CANCELLED",
                    description="\n".join(
                        lines + [wording.lesson_cancelled % {"reason": reason}] + tail
                    ),
                    recurrence_id=original,
                )
            )
        else:
            moved = [wording.lesson_moved % {"reason": reason}] if reason else []
            events.append(
                CalendarEvent(
                    **common,
                    stamp=change_stamp,
                    starts_at=_at(change.new_date, change.new_start_time),
                    ends_at=_at(change.new_date, change.new_end_time),
                    summary=summary,
                    status="CONFIRMED",
                    description="\n".join(lines + moved + tail),
                    recurrence_id=original,
                )
            )
    return events
