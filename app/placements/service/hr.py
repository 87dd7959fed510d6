"""What a school's HR asks of a hybrid teacher (docs/decisions/0021).

- A certificate of conduct (VOG) that is recent when the placement starts: at
  most VOG_WEEKS old (26 by default) on the first date, and never dated in
  the future. A placement with an older one cannot be agreed.
- Without a teaching qualification, at most UNQUALIFIED_HOURS a week (4 by
  default), under a named supervising teacher of the school. More hours only
  with a recorded route to a qualification, which must be completed within
  two years of the first date (its deadline).

The school records these facts (placements.service.lifecycle.record_hr); the
company sees them. Reminders follow from PlacementHrRecorded
(app/reactions/placement_mail.py).
"""

from __future__ import annotations

from datetime import date, timedelta

from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext

from app.errors import DomainError
from app.placements.models import Placement
from app.timeutil import today_local

QUALIFY_WITHIN_YEARS = 2


def vog_weeks() -> int:
    return current_app.config["VOG_WEEKS"]


def unqualified_hours() -> int:
    return current_app.config["UNQUALIFIED_HOURS"]


def vog_lapses_on(vog_date: date) -> date:
    """The first day on which a placement could no longer start with this VOG."""
    return vog_date + timedelta(weeks=vog_weeks(), days=1)


def qualification_deadline(first_date: date) -> date:
    year = first_date.year + QUALIFY_WITHIN_YEARS
    # 29 February has no twin two years on: the day before 1 March.
    try:
        return first_date.replace(year=year)
    except ValueError:
        return date(year, 3, 1) - timedelta(days=1)


def check_vog(vog_date: date | None, first_date: date, today: date) -> None:
    if vog_date is None:
        return
    if not isinstance(vog_date, date):
        raise DomainError(_("Give a date."), field="vog_date")
    if vog_date > today:
        raise DomainError(_("A VOG cannot be dated in the future."), field="vog_date")
    if first_date >= vog_lapses_on(vog_date):
        raise DomainError(
            ngettext(
                "The VOG is more than %(num)d week old when the placement starts: "
                "ask for a new one.",
                "The VOG is more than %(num)d weeks old when the placement starts: "
                "ask for a new one.",
                vog_weeks(),
            ),
            field="vog_date",
        )


def check_hours(hours: int, qualified: bool, route: str) -> None:
    """The schedule refuses more hours than the rules allow without a
    qualification, unless a route to one is recorded."""
    limit = unqualified_hours()
    if not qualified and hours > limit and not route:
        raise DomainError(
            ngettext(
                "Without a teaching qualification at most %(num)d hour a week; record "
                "the route to a qualification for more.",
                "Without a teaching qualification at most %(num)d hours a week; record "
                "the route to a qualification for more.",
                limit,
            ),
            field="hours_per_week",
        )


def check_ready_to_start(placement: Placement, today: date | None = None) -> None:
    """Whether the recorded facts let the placement be agreed: a VOG recent on
    the first date, and no more hours than allowed without a route. Until the
    school records them there is nothing to judge (the page and the agreement
    say they are missing)."""
    if placement.vog_date is None:
        return
    today = today or today_local()
    check_vog(placement.vog_date, placement.first_date, today)
    check_hours(placement.hours_per_week, placement.qualified, placement.qualification_route)
