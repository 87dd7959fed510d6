"""Who may see and do what with school requests. Predicates read as sentences;
they judge the person, school_requests.service judges the request's state.

A request belongs to its school: its people and coordinators see all of it.
Companies see running requests (that is the point of posting one) and the
requests they proposed something for, but never who asked: the teacher's name
and e-mail stay with the school (docs/FIELD.md, "Privacy"). Everyone else, including
another school's teachers, meets a 404. Posting, answering and reading other
schools' requests are for approved organisations only: a company waiting for
approval sees no request at all.
"""

from __future__ import annotations

from app.accounts.models import Organisation, User
from app.accounts.permissions import acts_for, is_member_of, organisations_acted_for
from app.catalogue.permissions import can_manage_activities_of, companies_managed_by
from app.school_requests.models import RequestResponse, SchoolRequest


def _signed_in(user) -> bool:
    return user is not None and getattr(user, "is_authenticated", False)


def schools_of(user: User) -> list[Organisation]:
    """The approved schools a person posts requests for."""
    if not _signed_in(user):
        return []
    return organisations_acted_for(user, "school")


def companies_of(user: User) -> list[Organisation]:
    """The approved companies a person answers requests for (contacts and administrators)."""
    return [c for c in companies_managed_by(user) if c.is_approved]


def can_post_for(user: User, school: Organisation) -> bool:
    return school.kind == "school" and acts_for(user, school)


def can_post(user: User) -> bool:
    return bool(schools_of(user))


def is_of_the_school(user: User, request: SchoolRequest) -> bool:
    return _signed_in(user) and is_member_of(user, request.school)


def has_proposed_for(user: User, request: SchoolRequest) -> bool:
    ids = {c.id for c in companies_of(user)}
    return any(r.company_id in ids for r in request.responses)


def can_view_request(user: User, request: SchoolRequest) -> bool:
    if not _signed_in(user):
        return False
    if user.is_coordinator or is_of_the_school(user, request):
        return True
    return bool(companies_of(user)) and (request.is_running or has_proposed_for(user, request))


def can_see_who_asked(user: User, request: SchoolRequest) -> bool:
    return user.is_coordinator or is_of_the_school(user, request)


def can_withdraw(user: User, request: SchoolRequest) -> bool:
    return is_of_the_school(user, request)


def can_accept(user: User, request: SchoolRequest) -> bool:
    return is_of_the_school(user, request)


def can_answer(user: User) -> bool:
    return bool(companies_of(user))


def can_answer_for(user: User, company: Organisation) -> bool:
    return company.is_approved and can_manage_activities_of(user, company)


def can_see_response(user: User, response: RequestResponse) -> bool:
    """The school sees every proposal for its request; a company only its own."""
    request = response.request
    if user.is_coordinator or is_of_the_school(user, request):
        return True
    return any(c.id == response.company_id for c in companies_of(user))


def visible_responses(user: User, request: SchoolRequest) -> list[RequestResponse]:
    return [r for r in request.responses if can_see_response(user, r)]


def can_view_all_requests(user: User) -> bool:
    return _signed_in(user) and user.is_coordinator
