"""Single lessons of an agreed placement: cancelled or moved, one change per
original date; the weekly rule itself stays as agreed."""

from __future__ import annotations

from datetime import date, time

from flask_babel import gettext as _
from sqlalchemy import select

from app.accounts.models import User
from app.errors import Conflict, DomainError
from app.events import emit
from app.events import types as ev
from app.extensions import db
from app.holidays.service import holiday_on
from app.placements import schedule
from app.placements.models import Placement, PlacementLessonChange
from app.placements.service.clash import lesson_clash, lock_professional
from app.placements.service.lifecycle import event_for, touch
from app.placements.service.terms import hhmm
from app.text import limited
from app.timeutil import today_local, utcnow
from app.transitions import refuse_unless


def changeable_lesson(placement: Placement, original_date: date, today: date):
    refuse_unless(placement, ("agreed",), _("Lessons change only in an agreed placement."))
    if not isinstance(original_date, date):
        raise DomainError(_("Give a date."), field="original_date")
    lesson = schedule.lesson_on(placement, original_date)
    if lesson is None:
        raise DomainError(
            _("There is no lesson on this date."), field="original_date", code="no_lesson"
        )
    if lesson.is_cancelled:
        raise Conflict(
            _("This lesson is cancelled already."), field="original_date", code="lesson_cancelled"
        )
    if lesson.date < today:
        raise Conflict(
            _("This lesson lies in the past."), field="original_date", code="lesson_past"
        )
    return lesson


def save_change(actor, placement: Placement, original_date: date, **values):
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
    touch(placement)
    db.session.flush()
    db.session.refresh(placement, ["changes"])
    return change


def cancel_lesson(
    actor: User, placement: Placement, original_date: date, reason: str, today: date | None = None
) -> PlacementLessonChange:
    today = today or today_local()
    changeable_lesson(placement, original_date, today)
    reason = limited(reason, "reason")
    if not reason:
        raise DomainError(_("Give a reason: the other side will read it."), field="reason")
    change = save_change(
        actor,
        placement,
        original_date,
        kind="cancelled",
        new_date=None,
        new_start_time=None,
        new_end_time=None,
        reason=reason,
    )
    emit(
        event_for(
            ev.PlacementLessonChanged,
            placement,
            actor,
            original_date=original_date.isoformat(),
            change="cancelled",
            reason=reason,
        ),
        actor,
    )
    return change


def move_lesson(
    actor: User,
    placement: Placement,
    original_date: date,
    new_date: date,
    start_time: time,
    end_time: time,
    reason: str = "",
    today: date | None = None,
) -> PlacementLessonChange:
    today = today or today_local()
    changeable_lesson(placement, original_date, today)
    if not isinstance(new_date, date):
        raise DomainError(_("Give a date."), field="new_date")
    if not isinstance(start_time, time) or not isinstance(end_time, time):
        raise DomainError(_("Give a start and an end time."), field="start_time")
    if end_time <= start_time:
        raise DomainError(_("The end time lies before the start time."), field="end_time")
    if new_date < today:
        raise DomainError(_("The new date lies in the past."), field="new_date")
    if schedule.weekday_code(new_date) is None:
        raise DomainError(_("Lessons are on school days only: Monday to Friday."), field="new_date")
    if abs((new_date - original_date).days) > 366:
        raise DomainError(_("Move a lesson by at most a year."), field="new_date")
    holiday = holiday_on(placement.school.holiday_region, new_date)
    if holiday is not None:
        raise DomainError(
            _("This date falls in the %(holiday)s of the school.", holiday=holiday.name),
            field="new_date",
            code="holiday",
        )
    reason = limited(reason, "reason")
    start_time = start_time.replace(second=0, microsecond=0)
    end_time = end_time.replace(second=0, microsecond=0)
    lock_professional(placement.professional)
    lesson_clash(placement, original_date, new_date, start_time, end_time)
    change = save_change(
        actor,
        placement,
        original_date,
        kind="moved",
        new_date=new_date,
        new_start_time=start_time,
        new_end_time=end_time,
        reason=reason,
    )
    emit(
        event_for(
            ev.PlacementLessonChanged,
            placement,
            actor,
            original_date=original_date.isoformat(),
            change="moved",
            new_date=new_date.isoformat(),
            new_start_time=hhmm(start_time),
            new_end_time=hhmm(end_time),
            reason=reason,
        ),
        actor,
    )
    return change
