"""The home page of a signed-in person: per role what to do next and what
comes next, each to-do a count with a link to where it is done.

Only the assembling happens here; every count comes from the domain that owns
the rows, and every section shows when that domain's permission predicates
let the person act (so the coordinator's section follows issue 11's rules of
who is a coordinator)."""

from __future__ import annotations

from dataclasses import dataclass, field

from app.accounts import permissions as account_permissions
from app.accounts import service as accounts
from app.bookings import permissions as booking_permissions
from app.bookings import queries as bookings
from app.evaluations import service as evaluations
from app.insights import cache as insights_cache
from app.insights import service as insights
from app.insights.filters import SchoolYear, Scope
from app.matching import candidates
from app.notifications import permissions as notification_permissions
from app.notifications.dispatcher import queue_health
from app.placements import queries as placements
from app.placements import service as placement_service
from app.school_requests import permissions as request_permissions
from app.school_requests import queries as requests


@dataclass
class Teacher:
    schools: list
    this_week: bookings.Counted
    next_bookings: list
    to_evaluate: list
    placements_to_answer: list
    requests_to_answer: list
    waiting: list


@dataclass
class Company:
    companies: list
    awaiting: bookings.Counted
    upcoming: list
    requests_for_you: list


@dataclass
class Coordinator:
    to_approve: list
    unanswered_requests: int
    idle_schools: int | None
    failed_mails: int | None
    ending_placements: list
    school_year: SchoolYear = field(default_factory=SchoolYear.current)


def teacher_part(user) -> Teacher | None:
    schools = booking_permissions.schools_of(user)
    if not schools:
        return None
    return Teacher(
        schools=schools,
        this_week=bookings.this_week(schools),
        next_bookings=bookings.next_bookings(schools),
        to_evaluate=[b for b, side in evaluations.awaiting(schools, limit=20) if side == "school"],
        placements_to_answer=placements.awaiting_answer_of(user),
        requests_to_answer=requests.with_open_proposals(schools),
        waiting=bookings.waiting_positions(schools),
    )


def company_part(user) -> Company | None:
    companies = booking_permissions.companies_of(user)
    if not companies:
        return None
    answerable = request_permissions.companies_of(user)
    return Company(
        companies=companies,
        awaiting=bookings.awaiting_answer(companies),
        upcoming=bookings.upcoming_visits(companies),
        requests_for_you=(
            candidates.request_suggestions(answerable[0], limit=50)[:20] if answerable else []
        ),
    )


def coordinator_part(user) -> Coordinator | None:
    if not account_permissions.can_manage_organisations(user):
        return None
    school_year = SchoolYear.current()
    scope = Scope.region()
    # The same entry as the dashboard's coverage panel (insights/views.py).
    coverage = insights_cache.keep(
        ("coverage", scope), school_year, lambda: insights.coverage(scope, school_year, limit=10)
    )
    return Coordinator(
        to_approve=accounts.pending_organisations(),
        unanswered_requests=(
            requests.unanswered_count() if request_permissions.can_view_all_requests(user) else 0
        ),
        idle_schools=coverage.idle_schools_count,
        failed_mails=(
            queue_health()["failed"] if notification_permissions.can_see_mail_queue(user) else None
        ),
        ending_placements=placement_service.ending_within(21)[:5],
        school_year=school_year,
    )


def parts_for(user) -> dict:
    return {
        "teacher": teacher_part(user),
        "company": company_part(user),
        "coordinator": coordinator_part(user),
    }
