"""One placement's page and every answer on it: accept, decline, counter,
withdraw, end early, and cancelling or moving a single lesson. Each works as a
plain form post (redirect back with a message) and, for htmx, swaps the row
or lesson that changed."""

from __future__ import annotations

from datetime import date

from flask import abort, flash, redirect
from flask_babel import format_date, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import select

from app.accounts.models import User
from app.extensions import db
from app.placements import forms, permissions, schedule, service
from app.placements.models import Placement
from app.placements.service import hr
from app.placements.views.common import (
    OPEN,
    back,
    bp,
    counter_form_for,
    detail_url,
    get_placement_or_404,
    hr_form_for,
    may_take_step,
    terms_of,
)
from app.web.forms import carried_out
from app.web.rendering import is_htmx, render

HISTORY_PHRASES = {
    "PlacementProposed": _l("Proposed"),
    "PlacementCountered": _l("Other days or times proposed"),
    "PlacementAgreed": _l("Agreed"),
    "PlacementDeclined": _l("Declined"),
    "PlacementWithdrawn": _l("Proposal withdrawn"),
    "PlacementLessonChanged": _l("A lesson changed"),
    "PlacementEnded": _l("Ended"),
    "PlacementHrRecorded": _l("VOG and qualification recorded"),
}


SIDES = {
    "company": _l("the company"),
    "school": _l("the school"),
    "coordinator": _l("a coordinator"),
}


def _answer(
    placement: Placement,
    form,
    *,
    message=None,
    error=None,
    trigger=None,
    status=200,
    **forms_for_row,
):
    """The changed row for htmx; otherwise back where the form was, with a message."""
    if is_htmx():
        return render(
            "placements/index.html",
            block="placement_row",
            placement=placement,
            row_error=error,
            row_message=message,
            trigger=trigger,
            **forms_for_row,
        )
    if error:
        # The refusal shows on the placement's page, answered with its status.
        flash(error, "error")
        return placement_page(placement, status=status)
    if message:
        flash(message, "success")
    if forms_for_row:
        return placement_page(placement, status=status, **forms_for_row)
    return back(form, detail_url(placement))


def _day(value) -> str:
    """An ISO date of the event log, as people read it."""
    try:
        return format_date(date.fromisoformat(value), "medium")
    except (TypeError, ValueError):
        return ""


def _history_rows(placement: Placement) -> list[dict]:
    entries = service.history(placement)
    actor_ids = {e.actor_id for e in entries if e.actor_id}
    actors = (
        {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(actor_ids)))}
        if actor_ids
        else {}
    )
    rows = []
    for entry in entries:
        payload = entry.payload or {}
        actor = actors.get(entry.actor_id)
        detail = payload.get("reason") or payload.get("message") or ""
        if entry.name in ("PlacementProposed", "PlacementCountered"):
            days = ", ".join(service.weekday_name(c) for c in payload.get("weekdays") or [])
            detail = " · ".join(
                filter(
                    None,
                    [
                        f"{days} {payload.get('start_time', '')}–{payload.get('end_time', '')}",
                        f"{_day(payload.get('first_date'))} – {_day(payload.get('last_date'))}",
                        ngettext(
                            "%(num)s hour a week",
                            "%(num)s hours a week",
                            int(payload.get("hours_per_week") or 0),
                        ),
                        detail,
                    ],
                )
            )
        if entry.name == "PlacementLessonChanged":
            if payload.get("change") == "cancelled":
                phrase = _("Lesson of %(date)s cancelled", date=_day(payload.get("original_date")))
            else:
                phrase = _(
                    "Lesson of %(date)s moved to %(new)s, %(start)s-%(end)s",
                    date=_day(payload.get("original_date")),
                    new=_day(payload.get("new_date")),
                    start=payload.get("new_start_time"),
                    end=payload.get("new_end_time"),
                )
        elif entry.name == "PlacementEnded":
            phrase = (
                _("Ended early; last day %(date)s", date=_day(payload.get("ended_on")))
                if payload.get("early")
                else _("Finished after its last date")
            )
        else:
            phrase = HISTORY_PHRASES.get(entry.name, entry.name)
        rows.append(
            {
                "at": entry.occurred_at,
                "phrase": phrase,
                "actor": actor.name if actor else None,
                "side": SIDES.get(payload.get("by") or ""),
                "detail": detail,
            }
        )
    return rows


def placement_page(placement: Placement, *, status=200, **given_forms):
    counter_form = given_forms.get("counter_form") or counter_form_for(placement)
    lessons = schedule.lessons(placement) if placement.status in ("agreed", "ended") else []
    return render(
        "placements/detail.html",
        placement=placement,
        professional=placement.professional,
        lessons=lessons,
        exdates=schedule.holiday_exdates(placement),
        history=_history_rows(placement),
        counter_form=counter_form,
        decline_form=given_forms.get("decline_form") or forms.ReasonForm(prefix="decline"),
        withdraw_form=given_forms.get("withdraw_form")
        or forms.OptionalReasonForm(prefix="withdraw"),
        end_form=given_forms.get("end_form") or forms.EndForm(prefix="end"),
        hr_form=given_forms.get("hr_form") or hr_form_for(placement),
        unqualified_hours=hr.unqualified_hours(),
        lesson_forms=given_forms.get("lesson_forms") or {},
        status=status,
    )


@bp.get("/<int:placement_id>")
@login_required
def detail(placement_id: int):
    return placement_page(get_placement_or_404(placement_id))


@bp.post("/<int:placement_id>/accept")
@login_required
def accept(placement_id: int):
    placement = get_placement_or_404(placement_id)
    may_take_step(permissions.can_accept(current_user, placement), placement, OPEN)
    form = forms.AnswerForm()
    if not form.validate_on_submit():
        abort(400)
    outcome = carried_out(form, lambda: service.accept(current_user, placement), reload=placement)
    if outcome:
        return _answer(
            placement, form, message=_("The placement is agreed."), trigger="PlacementAgreed"
        )
    return _answer(placement, form, error=outcome.message, status=outcome.status)


@bp.post("/<int:placement_id>/decline")
@login_required
def decline(placement_id: int):
    placement = get_placement_or_404(placement_id)
    may_take_step(permissions.can_decline(current_user, placement), placement, OPEN)
    form = forms.ReasonForm(prefix="decline")
    outcome = carried_out(
        form, lambda: service.decline(current_user, placement, form.reason.data), reload=placement
    )
    if outcome:
        return _answer(
            placement, form, message=_("The placement is declined."), trigger="PlacementDeclined"
        )
    return _answer(placement, form, decline_form=form, status=outcome.status)


@bp.post("/<int:placement_id>/counter")
@login_required
def counter(placement_id: int):
    placement = get_placement_or_404(placement_id)
    may_take_step(permissions.can_counter(current_user, placement), placement, ("proposed",))
    form = forms.CounterForm(prefix="counter")
    outcome = carried_out(
        form,
        lambda: service.counter(current_user, placement, terms_of(form), form.message.data or ""),
        reload=placement,
    )
    if outcome:
        return _answer(
            placement,
            form,
            message=_("Your days are proposed; the other side answers."),
            trigger="PlacementCountered",
        )
    return _answer(placement, form, counter_form=form, status=outcome.status)


@bp.post("/<int:placement_id>/withdraw")
@login_required
def withdraw(placement_id: int):
    placement = get_placement_or_404(placement_id)
    may_take_step(permissions.can_withdraw(current_user, placement), placement, OPEN)
    form = forms.OptionalReasonForm(prefix="withdraw")
    outcome = carried_out(
        form,
        lambda: service.withdraw(current_user, placement, form.reason.data or ""),
        reload=placement,
    )
    if outcome:
        return _answer(
            placement, form, message=_("The proposal is withdrawn."), trigger="PlacementWithdrawn"
        )
    return _answer(placement, form, withdraw_form=form, status=outcome.status)


@bp.post("/<int:placement_id>/end")
@login_required
def end(placement_id: int):
    placement = get_placement_or_404(placement_id)
    may_take_step(permissions.can_end(current_user, placement), placement, ("agreed",))
    form = forms.EndForm(prefix="end")
    outcome = carried_out(
        form,
        lambda: service.end_early(current_user, placement, form.reason.data, form.ended_on.data),
        reload=placement,
    )
    if outcome:
        flash(_("The placement ends; the other side is told."), "success")
        return redirect(detail_url(placement))
    return placement_page(placement, end_form=form, status=outcome.status)


def _lesson_answer(
    placement: Placement, original: date, *, form=None, kind="", message=None, status=200
):
    if is_htmx():
        lesson = schedule.lesson_on(placement, original)
        return render(
            "placements/detail.html",
            block="lesson_row",
            placement=placement,
            lesson=lesson,
            lesson_forms={(original, kind): form} if form else {},
            row_message=message,
            can_change=permissions.can_change_lessons(current_user, placement),
            trigger="PlacementLessonChanged" if message else None,
        )
    if message:
        flash(message, "success")
        return redirect(detail_url(placement) + f"#lesson-{original.isoformat()}")
    return placement_page(placement, lesson_forms={(original, kind): form}, status=status)


def _original_date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        abort(404)


@bp.post("/<int:placement_id>/lessons/<value>/cancel")
@login_required
def cancel_lesson(placement_id: int, value: str):
    placement = get_placement_or_404(placement_id)
    original = _original_date(value)
    may_take_step(permissions.can_change_lessons(current_user, placement), placement, ("agreed",))
    form = forms.ReasonForm(prefix="cancel")
    outcome = carried_out(
        form,
        lambda: service.cancel_lesson(current_user, placement, original, form.reason.data),
        reload=placement,
    )
    if outcome:
        return _lesson_answer(
            placement, original, message=_("The lesson is cancelled; the other side is told.")
        )
    return _lesson_answer(placement, original, form=form, kind="cancel", status=outcome.status)


@bp.post("/<int:placement_id>/lessons/<value>/move")
@login_required
def move_lesson(placement_id: int, value: str):
    placement = get_placement_or_404(placement_id)
    original = _original_date(value)
    may_take_step(permissions.can_change_lessons(current_user, placement), placement, ("agreed",))
    form = forms.MoveLessonForm(prefix="move")
    outcome = carried_out(
        form,
        lambda: service.move_lesson(
            current_user,
            placement,
            original,
            form.new_date.data,
            form.start_time.data,
            form.end_time.data,
            form.reason.data or "",
        ),
        reload=placement,
    )
    if outcome:
        return _lesson_answer(
            placement, original, message=_("The lesson is moved; the other side is told.")
        )
    return _lesson_answer(placement, original, form=form, kind="move", status=outcome.status)
