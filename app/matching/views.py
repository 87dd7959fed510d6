"""The coordinators' mismatch view: where requests go unanswered, demand that
no offer within reach meets, schools that did nothing this school year and
companies whose offers nobody booked. Every number links to its list: the
request figures to the filtered list of all requests, the organisation
figures to the lists below."""

from __future__ import annotations

from flask import Blueprint, abort, request
from flask_login import current_user, login_required

from app.insights.filters import school_year_from_args
from app.matching import mismatch
from app.school_requests.permissions import can_view_all_requests
from app.web.rendering import render

bp = Blueprint("matching", __name__, url_prefix="/mismatch")


def _coordinator_or_404() -> None:
    if not can_view_all_requests(current_user):
        abort(404)


@bp.get("")
@login_required
def overview():
    _coordinator_or_404()
    school_year = school_year_from_args(request.args)
    return render("matching/mismatch.html", figures=mismatch.figures(school_year=school_year))


@bp.get("/<any(schools, companies):which>")
@login_required
def organisations(which: str):
    _coordinator_or_404()
    school_year = school_year_from_args(request.args)
    return render(
        "matching/organisations.html",
        which=which,
        school_year=school_year,
        rows=mismatch.idle_organisations(which, school_year),
    )
