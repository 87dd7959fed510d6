"""Hybrid-teacher placements: proposing, negotiating, the weekly schedule's
exceptions, ending; and the candidate pool.

    proposed --accept--> agreed --end_early / finish_ended--> ended
       |  \\--counter--> countered --accept--> agreed
       +--decline / withdraw--+--> declined | withdrawn

Whose move it is: the side that did not propose accepts, declines or counters
a proposal; the proposing side accepts or declines a counter, and may withdraw
while it is open (Placement.awaiting). Who the actor is, is checked by the
views and the API with placements.permissions before they call in here.

The clash rule: one professional is never in two placements that claim
(proposed, countered, agreed) overlapping hours on the same weekday within
overlapping dates. Every write that changes a placement's terms first raises
the professional's lock_version with one UPDATE. On PostgreSQL that row lock
holds until commit, so a second proposal for the same professional waits and
then sees the first one; on SQLite the UPDATE takes the database's single
write lock the same way (pysqlite opens the transaction at that first write,
so no earlier read holds a stale snapshot, see bookings.capacity). The check
that follows therefore always reads every committed claim.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, time, timedelta

from flask_babel import format_date
from flask_babel import gettext as _
from sqlalchemy import Integer, func, literal, or_, select, update
from sqlalchemy.orm import joinedload

from app import vocabulary
from app.accounts.models import Organisation, User
from app.errors import Conflict, DomainError
from app.events import emit
from app.events import history as event_history
from app.events import types as ev
from app.extensions import db
from app.holidays.service import holiday_on
from app.placements import schedule
from app.placements.models import (
    CLAIMING,
    MAX_HOURS,
    MIN_HOURS,
    OPEN,
    Placement,
    PlacementLessonChange,
    Professional,
)
from app.placements.permissions import side_of
from app.timeutil import today_local, utcnow

MAX_TEXT = 2000
MAX_SUBJECTS = 200
MAX_NAME = 200
MAX_TOWN = 100
# A placement's schedule is computed, not stored: two school years bound it.
MAX_SPAN_DAYS = 2 * 366
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")



# --- terms ------------------------------------------------------------------------------


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
        return cls(placement.hours_per_week, frozenset(placement.weekdays), placement.start_time,
                   placement.end_time, placement.first_date, placement.last_date)


def _hhmm(value: time) -> str:
    return value.strftime("%H:%M")


def clean_terms(terms: Terms) -> Terms:
    """Refuses terms no school could agree to, each with the field to correct."""
    hours = terms.hours_per_week
    if not isinstance(hours, int) or isinstance(hours, bool):
        raise DomainError(_("Give the hours per week as a whole number."), field="hours_per_week")
    if hours < MIN_HOURS:
        raise DomainError(_("A placement is at least %(n)d hour a week.", n=MIN_HOURS),
                          field="hours_per_week")
    if hours > MAX_HOURS:
        raise DomainError(_("A placement is at most %(n)d hours a week.", n=MAX_HOURS),
                          field="hours_per_week")
    weekdays = [str(code).lower() for code in (terms.weekdays or ())]
    if not weekdays:
        raise DomainError(_("Choose at least one school day."), field="weekdays")
    outside = [code for code in weekdays if code not in vocabulary.WEEKDAYS]
    if outside:
        raise DomainError(_("Lessons are on school days only: Monday to Friday."),
                          field="weekdays")
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
        raise DomainError(_("None of the chosen days falls between the first and last date."),
                          field="weekdays")
    return Terms(hours, frozenset(weekdays), terms.start_time.replace(second=0, microsecond=0),
                 terms.end_time.replace(second=0, microsecond=0), terms.first_date,
                 terms.last_date)


def _clean_text(value: str | None, name: str, limit: int = MAX_TEXT) -> str:
    text = (value or "").strip()
    if len(text) > limit:
        raise DomainError(_("At most %(n)d characters.", n=limit), field=name)
    return text


def _clean_profiles(profiles: Iterable[str] | None, name: str = "profiles") -> frozenset[str]:
    chosen = frozenset(profiles or ())
    if not chosen <= set(vocabulary.PROFILES):
        raise DomainError(_("Choose one of the options."), field=name)
    return chosen


# --- the clash rule ----------------------------------------------------------------------


def _lock_professional(professional: Professional) -> None:
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
    from babel.dates import get_day_names
    from flask_babel import get_locale

    names = get_day_names("wide", locale=get_locale() or "nl")
    return names[list(vocabulary.WEEKDAYS).index(code)]


def find_clash(professional: Professional, terms: Terms,
               exclude_id: int | None = None) -> tuple[Placement, str] | None:
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
                return other, code
    return None


def check_clash(professional: Professional, terms: Terms, exclude_id: int | None = None) -> None:
    found = find_clash(professional, terms, exclude_id)
    if found is None:
        return
    other, code = found
    raise Conflict(
        _("%(name)s already teaches at %(school)s on %(day)s from %(start)s to %(end)s "
          "(%(first)s to %(last)s). Choose other days or times.",
          name=professional.name, school=other.school.name, day=weekday_name(code),
          start=_hhmm(other.start_time), end=_hhmm(other.end_time),
          first=format_date(other.first_date, "medium"),
          last=format_date(other.effective_last_date, "medium")),
        field="weekdays", code="clash",
    )


# --- events ------------------------------------------------------------------------------


def _event(cls, placement: Placement, actor=None, **extra):
    return cls(
        placement_id=placement.id, company_id=placement.company_id,
        school_id=placement.school_id, professional_id=placement.professional_id,
        by=side_of(actor, placement), **extra,
    )


def _terms_payload(placement: Placement) -> dict:
    return {
        "hours_per_week": placement.hours_per_week,
        "weekdays": tuple(placement.weekday_codes),
        "start_time": _hhmm(placement.start_time),
        "end_time": _hhmm(placement.end_time),
        "first_date": placement.first_date.isoformat(),
        "last_date": placement.last_date.isoformat(),
    }


def _touch(placement: Placement) -> None:
    placement.revision = (placement.revision or 0) + 1
    placement.updated_at = utcnow()


def placements_in_holidays(region: str, first_day: date, last_day: date) -> list[Placement]:
    """The placements, still to agree or agreed, of schools in the region
    whose period meets these days: their lessons are the ones a holiday adds
    or gives back."""
    return list(db.session.scalars(
        select(Placement).join(Organisation, Placement.school_id == Organisation.id)
        .where(Organisation.holiday_region == region, Placement.status.in_(CLAIMING),
               Placement.first_date <= last_day, Placement.last_date >= first_day)
        .order_by(Placement.id)
    ))


def follow_changed_holidays(event: ev.HolidaysChanged) -> None:
    """A holiday added or deleted changes these schedules (lessons are the rule
    minus the holidays of the moment): the revision, the SEQUENCE of their
    calendar events, rises so calendar clients take the new EXDATEs."""
    for placement in placements_in_holidays(event.region, date.fromisoformat(event.first_day),
                                            date.fromisoformat(event.last_day)):
        _touch(placement)
    db.session.flush()


# --- proposing and answering ---------------------------------------------------------------


def propose(actor: User, *, company: Organisation, school: Organisation,
            professional: Professional, terms: Terms, subjects: str = "",
            profiles: Iterable[str] = (), remarks: str = "", by: str = "company",
            today: date | None = None) -> Placement:
    """A new placement in state proposed, awaiting the other side's answer."""
    today = today or today_local()
    if by not in ("company", "school"):
        raise DomainError(_("Choose one of the options."), field="by")
    if company is None or company.kind != "company":
        raise DomainError(_("Choose a company."), field="company_id")
    if school is None or school.kind != "school":
        raise DomainError(_("Choose a school."), field="school_id")
    if not company.is_approved or not school.is_approved:
        raise DomainError(
            _("Both organisations need a coordinator's approval first."), code="not_approved"
        )
    if professional is None:
        raise DomainError(_("Choose a professional."), field="professional_id")
    if professional.company_id != company.id:
        raise DomainError(
            _("This professional is not offered by this company."), field="professional_id"
        )
    if professional.status != "approved":
        raise DomainError(
            _("This professional still waits for a coordinator's approval."),
            field="professional_id",
        )
    terms = clean_terms(terms)
    if terms.first_date < today:
        raise DomainError(_("The first date lies in the past."), field="first_date")
    subjects = _clean_text(subjects, "subjects", MAX_SUBJECTS)
    remarks = _clean_text(remarks, "remarks")
    chosen_profiles = _clean_profiles(profiles)
    _lock_professional(professional)
    check_clash(professional, terms)
    placement = Placement(
        company=company, school=school, professional=professional,
        proposed_by_id=getattr(actor, "id", None), proposed_by=by,
        subjects=subjects or professional.subjects, profiles=chosen_profiles,
        hours_per_week=terms.hours_per_week, weekdays=terms.weekdays,
        start_time=terms.start_time, end_time=terms.end_time,
        first_date=terms.first_date, last_date=terms.last_date,
        status="proposed", remarks=remarks,
    )
    db.session.add(placement)
    db.session.flush()
    emit(_event(ev.PlacementProposed, placement, actor, **_terms_payload(placement)), actor)
    return placement


def _move(placement: Placement, allowed: tuple[str, ...], to: str, refusal: str,
          **values) -> str:
    """Moves the placement to `to` if it is in one of `allowed`, with one UPDATE
    conditional on the state this transaction last read (as bookings.service
    does): two people answering at once cannot both win. Returns the state left."""
    for _attempt in range(5):
        seen = placement.status
        if seen not in allowed:
            raise Conflict(refusal, code="invalid_state")
        moved = db.session.execute(
            update(Placement)
            .where(Placement.id == placement.id, Placement.status == seen)
            .values(status=to, revision=Placement.revision + 1, updated_at=utcnow(), **values)
            .execution_options(synchronize_session=False)
        ).rowcount
        db.session.refresh(placement)
        if moved:
            return seen
    raise Conflict(_("This placement changed meanwhile; try again."), code="busy")


def counter(actor: User, placement: Placement, terms: Terms, message: str = "",
            today: date | None = None) -> Placement:
    """The receiving side proposes other days, times or dates; the proposer answers."""
    today = today or today_local()
    if placement.status != "proposed":
        raise Conflict(_("Only a fresh proposal can be answered with other days."),
                       code="invalid_state")
    terms = clean_terms(terms)
    if terms.first_date < today:
        raise DomainError(_("The first date lies in the past."), field="first_date")
    message = _clean_text(message, "message")
    _lock_professional(placement.professional)
    check_clash(placement.professional, terms, exclude_id=placement.id)
    _move(placement, ("proposed",), "countered",
          _("Only a fresh proposal can be answered with other days."),
          hours_per_week=terms.hours_per_week, weekdays=terms.weekdays,
          start_time=terms.start_time, end_time=terms.end_time,
          first_date=terms.first_date, last_date=terms.last_date, counter_message=message)
    emit(_event(ev.PlacementCountered, placement, actor, message=message,
                **_terms_payload(placement)), actor)
    return placement


def accept(actor: User, placement: Placement) -> Placement:
    """The awaited side says yes: a proposal or a counter becomes agreed."""
    if placement.status == "agreed":
        return placement
    _move(placement, OPEN, "agreed", _("Only an open proposal can be accepted."),
          agreed_at=utcnow())
    emit(_event(ev.PlacementAgreed, placement, actor,
                first_date=placement.first_date.isoformat(),
                last_date=placement.last_date.isoformat()), actor)
    return placement


def decline(actor: User, placement: Placement, reason: str) -> Placement:
    if placement.status not in OPEN:
        raise Conflict(_("Only an open proposal can be declined."), code="invalid_state")
    reason = _clean_text(reason, "reason")
    if not reason:
        raise DomainError(_("Give a reason: the other side will read it."), field="reason")
    _move(placement, OPEN, "declined", _("Only an open proposal can be declined."),
          decline_reason=reason)
    emit(_event(ev.PlacementDeclined, placement, actor, reason=reason), actor)
    return placement


def withdraw(actor: User, placement: Placement, reason: str = "") -> Placement:
    if placement.status not in OPEN:
        raise Conflict(_("Only an open proposal can be withdrawn."), code="invalid_state")
    reason = _clean_text(reason, "reason")
    _move(placement, OPEN, "withdrawn", _("Only an open proposal can be withdrawn."),
          decline_reason=reason)
    emit(_event(ev.PlacementWithdrawn, placement, actor, reason=reason), actor)
    return placement


def end_early(actor: User, placement: Placement, reason: str, ended_on: date | None = None,
              today: date | None = None) -> Placement:
    """An agreed placement stops before its last date; `ended_on` is the last day
    that keeps its lesson (default today). Lessons after it disappear."""
    today = today or today_local()
    if placement.status != "agreed":
        raise Conflict(_("Only an agreed placement can be ended."), code="invalid_state")
    reason = _clean_text(reason, "reason")
    if not reason:
        raise DomainError(_("Give a reason: the other side will read it."), field="reason")
    ended_on = ended_on or today
    if not isinstance(ended_on, date):
        raise DomainError(_("Give a date."), field="ended_on")
    if ended_on < today:
        raise DomainError(_("A placement cannot end in the past."), field="ended_on")
    if ended_on >= placement.last_date:
        raise DomainError(
            _("This date is not before the last date: the placement ends then anyway."),
            field="ended_on",
        )
    _move(placement, ("agreed",), "ended", _("Only an agreed placement can be ended."),
          ended_on=ended_on, end_reason=reason, ended_early=True)
    emit(_event(ev.PlacementEnded, placement, actor, ended_on=ended_on.isoformat(),
                reason=reason, early=True), actor)
    return placement


def finish_ended(today: date | None = None) -> list[Placement]:
    """Agreed placements whose last date has passed become ended (a daily job or
    `flask placements finish`). Safe to run twice: the second run finds none."""
    today = today or today_local()
    done = []
    for placement in db.session.scalars(
        select(Placement).where(Placement.status == "agreed", Placement.last_date < today)
        .order_by(Placement.id)
    ).all():
        try:
            _move(placement, ("agreed",), "ended", "", ended_on=placement.last_date,
                  ended_early=False)
        except DomainError:
            continue  # ended early by someone meanwhile
        emit(_event(ev.PlacementEnded, placement, None,
                    ended_on=placement.last_date.isoformat(), early=False))
        done.append(placement)
    return done


# --- single lessons ---------------------------------------------------------------------


def _changeable_lesson(placement: Placement, original_date: date, today: date):
    if placement.status != "agreed":
        raise Conflict(_("Lessons change only in an agreed placement."), code="invalid_state")
    if not isinstance(original_date, date):
        raise DomainError(_("Give a date."), field="original_date")
    lesson = schedule.lesson_on(placement, original_date)
    if lesson is None:
        raise DomainError(_("There is no lesson on this date."), field="original_date",
                          code="no_lesson")
    if lesson.is_cancelled:
        raise Conflict(_("This lesson is cancelled already."), field="original_date",
                       code="lesson_cancelled")
    if lesson.date < today:
        raise Conflict(_("This lesson lies in the past."), field="original_date",
                       code="lesson_past")
    return lesson


def _save_change(actor, placement: Placement, original_date: date, **values):
    change = db.session.scalar(
        select(PlacementLessonChange).where(
            PlacementLessonChange.placement_id == placement.id,
            PlacementLessonChange.original_date == original_date,
        )
    )
    if change is None:
        change = PlacementLessonChange(placement=placement, original_date=original_date)
        db.session.add(change)
    else:
        change.revision = (change.revision or 0) + 1
        change.updated_at = utcnow()
    for name, value in values.items():
        setattr(change, name, value)
    change.changed_by_id = getattr(actor, "id", None)
    _touch(placement)
    db.session.flush()
    db.session.refresh(placement, ["changes"])
    return change


def cancel_lesson(actor: User, placement: Placement, original_date: date, reason: str,
                  today: date | None = None) -> PlacementLessonChange:
    today = today or today_local()
    _changeable_lesson(placement, original_date, today)
    reason = _clean_text(reason, "reason")
    if not reason:
        raise DomainError(_("Give a reason: the other side will read it."), field="reason")
    change = _save_change(actor, placement, original_date, kind="cancelled", new_date=None,
                          new_start_time=None, new_end_time=None, reason=reason)
    emit(_event(ev.PlacementLessonChanged, placement, actor,
                original_date=original_date.isoformat(), change="cancelled", reason=reason),
         actor)
    return change


def _lesson_clash(placement: Placement, original_date: date, day: date, start: time,
                  end: time) -> None:
    """A moved lesson may not overlap another lesson of the same professional:
    of this placement or of another placement that claims their hours."""
    others = db.session.scalars(
        select(Placement).where(
            Placement.professional_id == placement.professional_id,
            Placement.status.in_(CLAIMING),
            Placement.first_date <= day,
            Placement.last_date >= day,
        ).order_by(Placement.id)
    ).all()
    for other in others:
        for lesson in schedule.lessons(other, include_cancelled=False):
            if lesson.date != day:
                continue
            if other.id == placement.id and lesson.original_date == original_date:
                continue
            if lesson.start_time < end and lesson.end_time > start:
                raise Conflict(
                    _("%(name)s already teaches at %(school)s on %(day)s from %(start)s "
                      "to %(end)s.", name=placement.professional.name,
                      school=other.school.name, day=format_date(day, "full"),
                      start=_hhmm(lesson.start_time), end=_hhmm(lesson.end_time)),
                    field="new_date", code="clash",
                )


def move_lesson(actor: User, placement: Placement, original_date: date, new_date: date,
                start_time: time, end_time: time, reason: str = "",
                today: date | None = None) -> PlacementLessonChange:
    today = today or today_local()
    _changeable_lesson(placement, original_date, today)
    if not isinstance(new_date, date):
        raise DomainError(_("Give a date."), field="new_date")
    if not isinstance(start_time, time) or not isinstance(end_time, time):
        raise DomainError(_("Give a start and an end time."), field="start_time")
    if end_time <= start_time:
        raise DomainError(_("The end time lies before the start time."), field="end_time")
    if new_date < today:
        raise DomainError(_("The new date lies in the past."), field="new_date")
    if schedule.weekday_code(new_date) is None:
        raise DomainError(_("Lessons are on school days only: Monday to Friday."),
                          field="new_date")
    if abs((new_date - original_date).days) > 366:
        raise DomainError(_("Move a lesson by at most a year."), field="new_date")
    holiday = holiday_on(placement.school.holiday_region, new_date)
    if holiday is not None:
        raise DomainError(
            _("This date falls in the %(holiday)s of the school.", holiday=holiday.name),
            field="new_date", code="holiday",
        )
    reason = _clean_text(reason, "reason")
    start_time = start_time.replace(second=0, microsecond=0)
    end_time = end_time.replace(second=0, microsecond=0)
    _lock_professional(placement.professional)
    _lesson_clash(placement, original_date, new_date, start_time, end_time)
    change = _save_change(actor, placement, original_date, kind="moved", new_date=new_date,
                          new_start_time=start_time, new_end_time=end_time, reason=reason)
    emit(_event(ev.PlacementLessonChanged, placement, actor,
                original_date=original_date.isoformat(), change="moved",
                new_date=new_date.isoformat(), new_start_time=_hhmm(start_time),
                new_end_time=_hhmm(end_time), reason=reason), actor)
    return change


# --- reading ----------------------------------------------------------------------------


def _with_details(query):
    return query.options(
        joinedload(Placement.company), joinedload(Placement.school),
        joinedload(Placement.professional),
    )


def placements_of(query, *, statuses: Iterable[str] | None = None, limit: int = 500):
    """Placements from a visible_placements() query, soonest first date first."""
    if statuses:
        query = query.where(Placement.status.in_(tuple(statuses)))
    query = _with_details(query).order_by(Placement.first_date, Placement.id).limit(limit)
    return list(db.session.scalars(query).unique())


def history(placement: Placement):
    """The event log of a placement, oldest first."""

    return event_history(("placement", placement.id))


def ending_within(days: int, today: date | None = None) -> list[Placement]:
    """Agreed placements whose last date comes within `days` days."""
    today = today or today_local()
    return list(db.session.scalars(
        _with_details(select(Placement))
        .where(Placement.status == "agreed", Placement.last_date >= today,
               Placement.last_date <= today + timedelta(days=days))
        .order_by(Placement.last_date, Placement.id)
    ).unique())


@dataclass(frozen=True)
class SchoolHours:
    school_id: int
    school_name: str
    hours_per_week: int
    placements: int


def _overlapping(first: date, last: date):
    """Placements that were agreed and ran for some of first..last."""
    return (
        Placement.status.in_(("agreed", "ended")),
        Placement.agreed_at.is_not(None),
        Placement.first_date <= last,
        Placement.last_date >= first,
        or_(Placement.ended_on.is_(None), Placement.ended_on >= first),
    )


def hours_per_school(school_year_first: date, school_year_last: date) -> list[SchoolHours]:
    """Hybrid-teacher hours per week per school over placements that were agreed
    and ran in the period (ended ones included: they took place), most hours first."""
    rows = db.session.execute(
        select(Organisation.id, Organisation.name,
               func.sum(Placement.hours_per_week), func.count(Placement.id))
        .join(Placement, Placement.school_id == Organisation.id)
        .where(*_overlapping(school_year_first, school_year_last))
        .group_by(Organisation.id, Organisation.name)
        .order_by(func.sum(Placement.hours_per_week).desc(), Organisation.name)
    )
    return [SchoolHours(sid, name, int(hours or 0), int(count)) for sid, name, hours, count in rows]


@dataclass(frozen=True)
class SectorHours:
    sector: str
    hours_per_week: int
    placements: int


def hours_per_sector(first: date, last: date) -> list[SectorHours]:
    """The same by the company's sectors (a company in two sectors counts in both)."""
    placements = db.session.scalars(
        select(Placement).options(joinedload(Placement.company))
        .where(*_overlapping(first, last))
    ).unique().all()
    totals: dict[str, list[int]] = {}
    for placement in placements:
        for sector in placement.company.sectors:
            total = totals.setdefault(sector, [0, 0])
            total[0] += placement.hours_per_week
            total[1] += 1
    return [SectorHours(code, *totals[code]) for code in vocabulary.SECTORS if code in totals]


# --- the candidate pool -----------------------------------------------------------------


def register_candidate(actor: User | None, *, company: Organisation | None, name: str,
                       expertise: str, kind: str = "employee", subjects: str = "",
                       profiles: Iterable[str] = (), weekdays: Iterable[str] = (),
                       hours_per_week: int | None = None, town: str = "", region: str = "",
                       email: str = "", consent: bool = False) -> Professional:
    """A professional enters the pool. Registered by a company contact (for the
    company) the entry is listed at once; registered by the person themselves
    (no company, no account) it waits for a coordinator, who links it to a
    company before anyone can propose it."""
    source = "company" if company is not None else "self"
    if company is not None and company.kind != "company":
        raise DomainError(_("Choose a company."), field="company_id")
    name = _clean_text(name, "name", MAX_NAME)
    if not name:
        raise DomainError(_("Give a name."), field="name")
    expertise = _clean_text(expertise, "expertise")
    if not expertise:
        raise DomainError(_("Say what the professional is good at."), field="expertise")
    if kind not in vocabulary.CANDIDATE_KINDS:
        raise DomainError(_("Choose one of the options."), field="kind")
    subjects = _clean_text(subjects, "subjects", MAX_SUBJECTS)
    chosen_profiles = _clean_profiles(profiles)
    chosen_days = frozenset(str(code).lower() for code in (weekdays or ()))
    if not chosen_days <= set(vocabulary.WEEKDAYS):
        raise DomainError(_("Lessons are on school days only: Monday to Friday."),
                          field="weekdays")
    if hours_per_week is not None:
        if (not isinstance(hours_per_week, int) or isinstance(hours_per_week, bool)
                or not MIN_HOURS <= hours_per_week <= MAX_HOURS):
            raise DomainError(_("Between %(low)d and %(high)d hours a week.", low=MIN_HOURS,
                                high=MAX_HOURS), field="hours_per_week")
    town = _clean_text(town, "town", MAX_TOWN)
    region = _clean_text(region, "region", MAX_TOWN)
    email = _clean_text(email, "email", 254).lower()
    if source == "self":
        if not email or not EMAIL.match(email):
            raise DomainError(_("Give an e-mail address, so a coordinator can reach you."),
                              field="email")
    else:
        email = ""  # the company contact is the way to reach an employee
    if not consent:
        raise DomainError(
            _("The professional must agree to be in the pool."), field="consent"
        )
    professional = Professional(
        company=company, name=name, email=email, kind=kind, expertise=expertise,
        subjects=subjects, profiles=chosen_profiles, weekdays=chosen_days,
        hours_per_week=hours_per_week, town=town, region=region, source=source,
        status="approved" if source == "company" else "pending", in_pool=True,
        consent_at=utcnow(), registered_by_id=getattr(actor, "id", None),
    )
    db.session.add(professional)
    db.session.flush()
    emit(ev.CandidateRegistered(professional_id=professional.id,
                                company_id=professional.company_id, source=source,
                                status=professional.status), actor)
    return professional


def approve_candidate(actor: User, professional: Professional,
                      company: Organisation | None = None) -> Professional:
    """A coordinator lists a self-registered candidate, and may link the company
    that will offer them (their employer, or a secondment agency)."""
    if company is not None:
        if company.kind != "company":
            raise DomainError(_("Choose a company."), field="company_id")
        professional.company = company
    if professional.status == "approved" and company is None:
        return professional
    if professional.status not in ("pending", "approved"):
        raise Conflict(_("This entry can no longer be approved."), code="invalid_state")
    professional.status = "approved"
    professional.approved_by_id = getattr(actor, "id", None)
    professional.approved_at = utcnow()
    professional.updated_at = utcnow()
    db.session.flush()
    emit(ev.CandidateApproved(professional_id=professional.id,
                              company_id=professional.company_id), actor)
    return professional


def reject_candidate(actor: User, professional: Professional) -> Professional:
    if professional.status != "pending":
        raise Conflict(_("Only a waiting entry can be rejected."), code="invalid_state")
    professional.status = "rejected"
    professional.in_pool = False
    professional.updated_at = utcnow()
    db.session.flush()
    return professional


def withdraw_candidate(actor: User, professional: Professional) -> Professional:
    """Off the pool; placements made with the professional stay."""
    professional.in_pool = False
    professional.updated_at = utcnow()
    db.session.flush()
    return professional


def _has_flag(column, code: str):
    """`mask & bit != 0` on a FlagSet column, compared as plain integers."""
    wanted = column.type.mask([code])
    return column.op("&", return_type=Integer)(literal(wanted, Integer)) != 0


def search_pool(*, profile: str | None = None, town: str | None = None,
                region: str | None = None, weekday: str | None = None,
                text: str | None = None, company_ids: Iterable[int] | None = None,
                include_pending: bool = False, limit: int = 200) -> list[Professional]:
    """Listed pool entries matching every filter given; free text searches name,
    expertise and subjects. `company_ids` narrows to these companies' entries
    (unlisted ones included: a company sees all of its own)."""
    query = select(Professional).options(joinedload(Professional.company))
    if company_ids is not None:
        query = query.where(Professional.company_id.in_(list(company_ids)),
                            Professional.status == "approved")
    elif include_pending:
        query = query.where(Professional.in_pool.is_(True),
                            Professional.status.in_(("pending", "approved")))
    else:
        query = query.where(Professional.in_pool.is_(True), Professional.status == "approved")
    column = Professional.__table__.c
    if profile:
        if profile not in vocabulary.PROFILES:
            raise DomainError(_("Choose one of the options."), field="profile")
        query = query.where(_has_flag(column.profiles, profile))
    if weekday:
        if weekday not in vocabulary.WEEKDAYS:
            raise DomainError(_("Lessons are on school days only: Monday to Friday."),
                              field="weekday")
        query = query.where(_has_flag(column.weekdays, weekday))
    for value, col in ((town, Professional.town), (region, Professional.region)):
        value = (value or "").strip()
        if value:
            query = query.where(func.lower(col).contains(value.lower(), autoescape=True))
    for word in (text or "").split()[:8]:
        needle = word.lower()
        query = query.where(or_(
            func.lower(Professional.name).contains(needle, autoescape=True),
            func.lower(Professional.expertise).contains(needle, autoescape=True),
            func.lower(Professional.subjects).contains(needle, autoescape=True),
        ))
    query = query.order_by(Professional.status.desc(), Professional.name, Professional.id)
    return list(db.session.scalars(query.limit(limit)).unique())


def professionals_of(company: Organisation) -> list[Professional]:
    """The professionals a company can propose: its approved entries."""
    return list(db.session.scalars(
        select(Professional)
        .where(Professional.company_id == company.id, Professional.status == "approved")
        .order_by(Professional.name, Professional.id)
    ))
