"""What every placement page shares: the blueprint, the words for states,
what the person may do with a placement, and the loaders that 404 first."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, abort, redirect, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from app.accounts.models import Membership, User
from app.extensions import db
from app.placements import forms, permissions, service
from app.placements.models import Placement, Professional
from app.web.rendering import safe_next_url

bp = Blueprint("placements", __name__, url_prefix="/placements")


STATES = {
    "proposed": _l("Proposed"),
    "countered": _l("Other days proposed"),
    "agreed": _l("Agreed"),
    "declined": _l("Declined"),
    "withdrawn": _l("Withdrawn"),
    "ended": _l("Ended"),
}


# Borrowed badge colours of app.css: open, good, refused.
BADGES = {
    "proposed": "requested",
    "countered": "requested",
    "agreed": "confirmed",
    "declined": "declined",
    "withdrawn": "cancelled",
    "ended": "completed",
}


LESSON_STATES = {"scheduled": _l("Scheduled"), "moved": _l("Moved"), "cancelled": _l("Cancelled")}


CANDIDATE_STATES = {
    "pending": _l("Waiting for approval"),
    "approved": _l("In the pool"),
    "rejected": _l("Rejected"),
    "withdrawn": _l("Withdrawn"),
}


ENDING_SOON_DAYS = 42


@dataclass(frozen=True)
class Actions:
    accept: bool
    counter: bool
    decline: bool
    withdraw: bool
    end: bool
    lessons: bool

    def __bool__(self) -> bool:
        return any((self.accept, self.counter, self.decline, self.withdraw, self.end))


def actions_for(placement: Placement) -> Actions:
    """What the person signed in may do with this placement now."""
    user = current_user
    is_open = placement.status in ("proposed", "countered")
    return Actions(
        accept=is_open and permissions.can_accept(user, placement),
        counter=permissions.can_counter(user, placement),
        decline=is_open and permissions.can_decline(user, placement),
        withdraw=permissions.can_withdraw(user, placement),
        end=permissions.can_end(user, placement),
        lessons=permissions.can_change_lessons(user, placement),
    )


@bp.app_template_filter("weekday_name")
def weekday_name(code: str) -> str:
    return service.weekday_name(code)


@bp.app_template_filter("hhmm")
def hhmm(value) -> str:
    return value.strftime("%H:%M") if value else ""


def counter_form_for(placement: Placement) -> forms.CounterForm:
    """A counter form that starts from the terms proposed."""
    form = forms.CounterForm(prefix="counter", formdata=None)
    form.fill(placement)
    return form


def hr_form_for(placement: Placement, form: forms.HrForm | None = None) -> forms.HrForm:
    """The HR form, filled with what is recorded, offering the school's people
    as supervisors."""
    if form is None:
        form = forms.HrForm(prefix="hr", formdata=None)
        form.vog_date.data = placement.vog_date
        form.qualified.data = placement.qualified
        form.supervisor.data = placement.supervisor_id
        form.qualification_route.data = placement.qualification_route
    people = db.session.scalars(
        select(User)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.organisation_id == placement.school_id, User.active.is_(True))
        .order_by(User.name)
    )
    form.supervisor.choices = [(0, "—")] + [(person.id, person.name) for person in people]
    return form


@bp.context_processor
def placement_helpers():
    return {
        "PLACEMENT_STATES": STATES,
        "PLACEMENT_BADGES": BADGES,
        "placement_actions": actions_for,
        "LESSON_STATES": LESSON_STATES,
        "CANDIDATE_STATES": CANDIDATE_STATES,
        "today": service.today_local(),
        "counter_form_for": counter_form_for,
        "can_record_hr": permissions.can_record_hr,
    }


def get_placement_or_404(placement_id: int) -> Placement:
    """Another school's or company's placement does not exist for this person."""
    placement = db.session.get(Placement, placement_id)
    if placement is None or not permissions.can_view_placement(current_user, placement):
        abort(404)
    return placement


# The states from which a proposal can be answered or withdrawn.
OPEN = ("proposed", "countered")


def may_take_step(permitted: bool, placement: Placement, states: tuple[str, ...]) -> None:
    """403 for a person who may not take this step in a state that allows it.
    In a state that does not allow it the service refuses (app.transitions:
    409 on the page as in the API), whoever asks."""
    if not permitted and placement.status in states:
        abort(403)


def get_candidate_or_404(professional_id: int) -> Professional:
    professional = db.session.get(Professional, professional_id)
    if professional is None or not permissions.can_see_candidate(current_user, professional):
        abort(404)
    return professional


def back(form, default: str):
    return redirect(safe_next_url(form.next.data) or default)


def detail_url(placement: Placement) -> str:
    return url_for("placements.detail", placement_id=placement.id)


def terms_of(form) -> service.Terms:
    return service.Terms(
        hours_per_week=form.hours_per_week.data,
        weekdays=form.weekdays.data or [],
        start_time=form.start_time.data,
        end_time=form.end_time.data,
        first_date=form.first_date.data,
        last_date=form.last_date.data,
    )
