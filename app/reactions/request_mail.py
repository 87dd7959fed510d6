"""Mails and in-app notifications about school requests.

    RequestAnswered   -> the teacher who asked: a company proposed something
    RequestFulfilled  -> the companies whose proposals were not chosen, politely
    RequestWithdrawn  -> the companies with an open proposal, politely
    RequestExpired    -> the teacher who asked; the companies with an open proposal

The chosen company hears through the booking (BookingRequested or
BookingConfirmed) or the placement (PlacementAgreed) that accepting made.
Companies never learn who asked: the mails name the school, not the teacher.
One mail per person (rule 19); dedupe keys name the proposal, so an event
handled twice mails nobody twice (rule 20).
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.accounts.models import Membership, User
from app.events import types as ev
from app.extensions import db
from app.notifications.compose import absolute_path, path_for
from app.notifications.service import notify
from app.school_requests.models import KIND_LABELS, RequestResponse, SchoolRequest
from app.school_requests.service import CLOSE_REASON_LABELS, OPTION_LABELS


def _request(event) -> SchoolRequest:
    return db.session.get(SchoolRequest, event.request_id)


def _path(request: SchoolRequest) -> str:
    return path_for("school_requests.show", request_id=request.id)


def _context(request: SchoolRequest) -> dict:
    return {
        "req": request,
        "school": request.school,
        "kind_label": KIND_LABELS.get(request.kind, request.kind),
    }


def _asker(request: SchoolRequest) -> list[User]:
    person = request.teacher
    if person is None or not person.active:
        return []
    if not any(m.organisation_id == request.school_id for m in person.memberships):
        return []  # left the school meanwhile
    return [person]


def company_people(response: RequestResponse) -> list[User]:
    """Who proposed it, while still at the company; else the company's contacts."""
    person = response.proposed_by
    if (
        person is not None
        and person.active
        and any(m.organisation_id == response.company_id for m in person.memberships)
    ):
        return [person]
    return list(
        db.session.scalars(
            select(User)
            .join(Membership, Membership.user_id == User.id)
            .where(Membership.organisation_id == response.company_id, User.active.is_(True))
            .order_by(User.id)
        )
    )


def request_answered(event: ev.RequestAnswered) -> None:
    request = _request(event)
    response = db.session.get(RequestResponse, event.response_id)
    topic = request.topic
    for person in _asker(request):
        notify(
            person,
            "request_answered",
            subject=lambda: _l("New proposal for your request: %(topic)s", topic=topic),
            link_path=_path(request),
            dedupe_key=f"request-answered:{response.id}:{person.id}",
            response=response,
            option_label=OPTION_LABELS[response.option],
            **_context(request),
        )


def _closed_politely(request: SchoolRequest, reason: str) -> None:
    topic, school = request.topic, request.school.name
    for response in request.responses:
        if response.status != "closed" or response.close_reason != reason:
            continue
        for person in company_people(response):
            notify(
                person,
                "request_closed",
                subject=lambda: _l("Thank you for your proposal to %(school)s", school=school),
                link_path=_path(request),
                dedupe_key=f"request-closed:{response.id}:{person.id}",
                response=response,
                topic=topic,
                reason_text=CLOSE_REASON_LABELS[reason],
                for_you_link=absolute_path(path_for("school_requests.for_you")),
                **_context(request),
            )


def request_fulfilled(event: ev.RequestFulfilled) -> None:
    _closed_politely(_request(event), "not_chosen")


def request_withdrawn(event: ev.RequestWithdrawn) -> None:
    _closed_politely(_request(event), "request_withdrawn")


def request_expired(event: ev.RequestExpired) -> None:
    request = _request(event)
    _closed_politely(request, "request_expired")
    topic = request.topic
    for person in _asker(request):
        notify(
            person,
            "request_expired",
            subject=lambda: _l("Your request has expired: %(topic)s", topic=topic),
            link_path=_path(request),
            dedupe_key=f"request-expired:{request.id}:{person.id}",
            **_context(request),
        )
