"""School requests: a school asks, companies propose, the school accepts one;
and the ranked suggestions for a request.

Kept as one module: one resource of the API (tag "requests"), its models and
operations side by side; the rules live in school_requests.service."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from flask_babel import gettext as _
from pydantic import BaseModel, ConfigDict, Field, StrictInt
from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload

from app import text, vocabulary
from app.api.activities import (
    GroupSize,
    Kind,
    LearningPath,
    OrganisationRef,
    Profile,
    Venue,
    Year,
    as_utc,
)
from app.api.blueprint import bp
from app.api.bookings import PersonOut
from app.api.slots import Capacity, to_stored
from app.api.spec import (
    ApiDate,
    ApiDateTime,
    Id,
    Line,
    LocalTime,
    forbidden,
    invalid,
    not_found,
    operation,
    require_user,
)
from app.catalogue.models import Activity, Slot
from app.extensions import db
from app.matching import candidates
from app.placements.models import MAX_HOURS, MIN_HOURS, Professional
from app.placements.service import Terms
from app.school_requests import permissions, service
from app.school_requests.models import (
    CLOSE_REASONS,
    OPTIONS,
    RESPONSE_STATES,
    RUNNING,
    STATES,
    RequestResponse,
    SchoolRequest,
)

RequestKind = Literal[(*vocabulary.ACTIVITY_KINDS, "placement")]
RequestStatus = Literal[STATES]
Option = Literal[OPTIONS]
ResponseStatus = Literal[RESPONSE_STATES]
CloseReason = Literal[CLOSE_REASONS]
Weekday = Literal[tuple(vocabulary.WEEKDAYS)]
Text = Annotated[str, Field(max_length=text.TEXT)]


# --- output ---------------------------------------------------------------------------


class ResponseOut(BaseModel):
    """A company's proposal. A school sees every proposal for its request; a
    company only its own."""

    id: int
    company: OrganisationRef
    option: Option
    status: ResponseStatus
    close_reason: CloseReason | None
    outside_match: bool = Field(description="The company's sectors and profiles do not fit.")
    message: str
    slot_id: int | None = Field(description="The date proposed (a new date: once accepted).")
    activity_id: int | None
    activity_title: str | None
    starts_at: datetime | None
    ends_at: datetime | None
    capacity: int | None = Field(description="Places of a new date.")
    placement_id: int | None
    booking_id: int | None = Field(description="The booking made when it was accepted.")
    created_at: datetime


class RequestOut(BaseModel):
    id: int
    status: RequestStatus
    kind: RequestKind
    topic: str
    school: OrganisationRef
    school_city: str
    group_size: int
    year: Year
    path: LearningPath
    profile: Profile | None
    first_day: date
    last_day: date
    venues: list[Venue]
    max_km: int | None
    remarks: str
    teacher: PersonOut | None = Field(
        description="Who asked: only for the school's people and coordinators."
    )
    responses: list[ResponseOut]
    created_at: datetime
    first_answered_at: datetime | None
    closed_at: datetime | None


class AcceptedOut(RequestOut):
    booking_id: int | None = Field(description="The booking made (slot proposals).")
    booking_status: str | None
    warnings: list[str] = Field(description="Things to know that did not stop it.")


class RequestPageOut(BaseModel):
    items: list[RequestOut]
    page: int
    has_next: bool


class ReasonOut(BaseModel):
    code: str
    points: int
    text: str


class SlotSuggestionOut(BaseModel):
    slot_id: int
    activity_id: int
    title: str
    company: OrganisationRef
    kind: Kind
    starts_at: datetime
    free_places: int
    score: int
    reasons: list[ReasonOut]


class CompanySuggestionOut(BaseModel):
    company: OrganisationRef
    score: int
    reasons: list[ReasonOut]


class SuggestionsOut(BaseModel):
    slots: list[SlotSuggestionOut] = Field(description="Dates that fit, best first.")
    companies: list[CompanySuggestionOut] = Field(
        description="Companies that could offer it, best first."
    )


def _person(user) -> PersonOut | None:
    if user is None:
        return None
    return PersonOut(name=user.name, email=user.email, phone=user.phone or "")


def response_out(response: RequestResponse) -> ResponseOut:
    activity = response.the_activity
    starts_at = response.slot.starts_at if response.slot is not None else response.starts_at
    ends_at = response.slot.ends_at if response.slot is not None else response.ends_at
    return ResponseOut(
        id=response.id,
        company=OrganisationRef(id=response.company.id, name=response.company.name),
        option=response.option,
        status=response.status,
        close_reason=response.close_reason,
        outside_match=response.outside_match,
        message=response.message or "",
        slot_id=response.slot_id,
        activity_id=activity.id if activity else None,
        activity_title=activity.title if activity else None,
        starts_at=as_utc(starts_at),
        ends_at=as_utc(ends_at),
        capacity=response.capacity,
        placement_id=response.placement_id,
        booking_id=response.booking_id,
        created_at=as_utc(response.created_at),
    )


def request_out(found: SchoolRequest, user, cls=RequestOut, **extra) -> RequestOut:
    return cls(
        id=found.id,
        status=found.status,
        kind=found.kind,
        topic=found.topic,
        school=OrganisationRef(id=found.school.id, name=found.school.name),
        school_city=found.school.city or "",
        group_size=found.group_size,
        year=found.year,
        path=found.path,
        profile=found.profile,
        first_day=found.first_day,
        last_day=found.last_day,
        venues=[v for v in vocabulary.VENUES if v in found.venues],
        max_km=found.max_km,
        remarks=found.remarks or "",
        teacher=_person(found.teacher) if permissions.can_see_who_asked(user, found) else None,
        responses=[response_out(r) for r in permissions.visible_responses(user, found)],
        created_at=as_utc(found.created_at),
        first_answered_at=as_utc(found.first_answered_at),
        closed_at=as_utc(found.closed_at),
        **extra,
    )


# --- input ----------------------------------------------------------------------------


class RequestIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: RequestKind = Field(description="An activity kind, or placement (a hybrid teacher).")
    topic: Line = Field(max_length=text.LINE)
    group_size: GroupSize
    year: Year
    path: LearningPath
    profile: Profile | None = Field(None, description="Needed for years 3 and 4; none for 1-2.")
    first_day: ApiDate = Field(description="First day of the preferred period; not in the past.")
    last_day: ApiDate
    venues: list[Venue] = Field(
        default_factory=lambda: list(vocabulary.VENUES),
        max_length=len(vocabulary.VENUES),
        description="Where it may take place.",
    )
    max_km: int | None = Field(
        None, ge=1, le=service.MAX_KM, description="How far the class can travel from the school."
    )
    remarks: Text = ""
    school_id: Id | None = Field(None, description="Needed only when you are at several schools.")


class ResponseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    option: Option
    company_id: Id | None = Field(None, description="Needed only at several companies.")
    slot_id: Id | None = Field(None, description="option slot: one of your dates.")
    activity_id: Id | None = Field(None, description="option new_slot: one of your activities.")
    starts_at: ApiDateTime | None = None
    ends_at: ApiDateTime | None = None
    capacity: Capacity | None = None
    professional_id: Id | None = Field(None, description="option placement.")
    hours_per_week: Annotated[StrictInt, Field(ge=MIN_HOURS, le=MAX_HOURS)] | None = None
    weekdays: list[Weekday] = Field(default_factory=list, max_length=len(vocabulary.WEEKDAYS))
    start_time: LocalTime | None = None
    end_time: LocalTime | None = None
    first_date: ApiDate | None = None
    last_date: ApiDate | None = None
    message: Text = ""


class WithdrawIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Text = ""


class RequestQuery(BaseModel):
    status: list[RequestStatus] = Field(default_factory=list, description="Repeatable.")
    matching: bool = Field(
        False, description="Companies: only the running requests that fit your company."
    )
    page: int = Field(1, ge=1, le=10_000)
    per_page: int = Field(20, ge=1, le=100)

    model_config = ConfigDict(extra="ignore")


# --- loading --------------------------------------------------------------------------


def load_request(request_id: int, user) -> SchoolRequest:
    found = db.session.get(SchoolRequest, request_id)
    if found is None or not permissions.can_view_request(user, found):
        raise not_found(_("There is no request with this id."))
    return found


def _required(body: ResponseIn, *names: str) -> None:
    for name in names:
        if getattr(body, name) in (None, []):
            raise invalid(name, _("Fill this in for this option."))


# --- operations -----------------------------------------------------------------------


@operation(
    bp,
    "GET",
    "/requests",
    summary="The requests you may see",
    tag="requests",
    query=RequestQuery,
    response=RequestPageOut,
)
def list_requests(query: RequestQuery) -> RequestPageOut:
    """A school's people see its requests; companies the running requests of
    every school (with matching=true only those that fit them); coordinators all."""
    user = require_user()
    statement = select(SchoolRequest).options(joinedload(SchoolRequest.school))
    if not user.is_coordinator:
        visible = [SchoolRequest.school_id.in_([s.id for s in permissions.schools_of(user)])]
        companies = permissions.companies_of(user)
        if companies:
            if query.matching:
                ids = set()
                for company in companies:
                    ids |= candidates.matching_request_ids(company)
                visible.append(SchoolRequest.id.in_(sorted(ids)))
            else:
                visible.append(SchoolRequest.status.in_(RUNNING))
        statement = statement.where(or_(*visible))
    if query.status:
        statement = statement.where(SchoolRequest.status.in_(query.status))
    statement = statement.order_by(SchoolRequest.id.desc())
    offset = (query.page - 1) * query.per_page
    rows = db.session.scalars(statement.offset(offset).limit(query.per_page + 1)).all()
    return RequestPageOut(
        items=[request_out(r, user) for r in rows[: query.per_page]],
        page=query.page,
        has_next=len(rows) > query.per_page,
    )


@operation(
    bp,
    "POST",
    "/requests",
    summary="Post a request (a school's teacher)",
    tag="requests",
    body=RequestIn,
    response=RequestOut,
    status=201,
    errors=(403,),
)
def create_request(body: RequestIn) -> RequestOut:
    user = require_user()
    school = service.school_for(user, body.school_id)
    values = service.RequestInput(
        kind=body.kind,
        topic=body.topic,
        group_size=body.group_size,
        year=body.year,
        path=body.path,
        profile=body.profile,
        first_day=body.first_day,
        last_day=body.last_day,
        venues=frozenset(body.venues),
        max_km=body.max_km,
        remarks=body.remarks,
    )
    posted = service.post_request(user, school, values)
    db.session.commit()
    return request_out(posted, user)


@operation(
    bp,
    "GET",
    "/requests/<int:request_id>",
    summary="A request",
    tag="requests",
    response=RequestOut,
    errors=(404,),
)
def get_request(request_id: int) -> RequestOut:
    user = require_user()
    return request_out(load_request(request_id, user), user)


@operation(
    bp,
    "POST",
    "/requests/<int:request_id>/withdraw",
    summary="Withdraw a request",
    tag="requests",
    body=WithdrawIn,
    response=RequestOut,
    errors=(403, 404, 409),
)
def withdraw_request(request_id: int, body: WithdrawIn) -> RequestOut:
    user = require_user()
    found = load_request(request_id, user)
    if not permissions.can_withdraw(user, found):
        raise forbidden(_("Only the school can withdraw its request."))
    service.withdraw_request(user, found, body.reason)
    db.session.commit()
    return request_out(found, user)


@operation(
    bp,
    "POST",
    "/requests/<int:request_id>/responses",
    summary="Propose something for a request (a company's contact)",
    tag="requests",
    body=ResponseIn,
    response=ResponseOut,
    status=201,
    errors=(403, 404, 409),
)
def propose(request_id: int, body: ResponseIn) -> ResponseOut:
    user = require_user()
    found = load_request(request_id, user)
    company = service.company_for(user, body.company_id)
    if body.option == "slot":
        _required(body, "slot_id")
        slot = db.session.get(Slot, body.slot_id)
        if slot is None:
            raise invalid("slot_id", _("Choose one of your own dates."))
        response = service.propose_slot(user, found, company, slot, body.message)
    elif body.option == "new_slot":
        _required(body, "activity_id", "starts_at", "ends_at", "capacity")
        activity = db.session.get(Activity, body.activity_id)
        if activity is None:
            raise invalid("activity_id", _("Choose one of your own activities."))
        response = service.propose_new_slot(
            user,
            found,
            company,
            activity,
            to_stored(body.starts_at),
            to_stored(body.ends_at),
            body.capacity,
            body.message,
        )
    else:
        _required(
            body,
            "professional_id",
            "hours_per_week",
            "weekdays",
            "start_time",
            "end_time",
            "first_date",
            "last_date",
        )
        professional = db.session.get(Professional, body.professional_id)
        if professional is None:
            raise invalid("professional_id", _("Choose one of your own people."))
        terms = Terms(
            body.hours_per_week,
            frozenset(body.weekdays),
            body.start_time,
            body.end_time,
            body.first_date,
            body.last_date,
        )
        response = service.propose_placement(
            user, found, company, professional, terms, body.message
        )
    db.session.commit()
    return response_out(response)


@operation(
    bp,
    "POST",
    "/requests/<int:request_id>/responses/<int:response_id>/accept",
    summary="Accept a proposal: it becomes a booking or a placement",
    tag="requests",
    response=AcceptedOut,
    errors=(403, 404, 409, 422),
)
def accept(request_id: int, response_id: int) -> AcceptedOut:
    user = require_user()
    found = load_request(request_id, user)
    response = db.session.get(RequestResponse, response_id)
    if (
        response is None
        or response.request_id != found.id
        or not permissions.can_see_response(user, response)
    ):
        raise not_found(_("There is no proposal with this id."))
    if not permissions.can_accept(user, found):
        raise forbidden(_("Only the school can accept a proposal."))
    outcome = service.accept(user, found, response)
    db.session.commit()
    booking = outcome.booking
    return request_out(
        found,
        user,
        AcceptedOut,
        booking_id=booking.id if booking else None,
        booking_status=booking.status if booking else None,
        warnings=outcome.warnings,
    )


def _reasons(suggestion) -> list[ReasonOut]:
    return [ReasonOut(code=r.code, points=r.points, text=r.text) for r in suggestion.reasons]


@operation(
    bp,
    "GET",
    "/requests/<int:request_id>/suggestions",
    summary="Dates and companies that fit a request, ranked with their reasons",
    tag="requests",
    response=SuggestionsOut,
    errors=(403, 404),
)
def suggestions(request_id: int) -> SuggestionsOut:
    """The ranking is documented in docs/decisions/0005-ranking.md. Only for the
    school's people and coordinators: companies see requests, not each other."""
    user = require_user()
    found = load_request(request_id, user)
    if not (user.is_coordinator or permissions.is_of_the_school(user, found)):
        raise forbidden(_("Only the school sees the suggestions for its request."))
    slots = [
        SlotSuggestionOut(
            slot_id=s.subject.slot_id,
            activity_id=s.subject.activity_id,
            title=s.subject.title,
            company=OrganisationRef(id=s.subject.company_id, name=s.subject.company_name),
            kind=s.subject.kind,
            starts_at=as_utc(s.subject.starts_at),
            free_places=s.subject.free_places,
            score=s.score,
            reasons=_reasons(s),
        )
        for s in candidates.slot_suggestions(found)
    ]
    companies = [
        CompanySuggestionOut(
            company=OrganisationRef(id=s.subject.id, name=s.subject.name),
            score=s.score,
            reasons=_reasons(s),
        )
        for s in candidates.company_suggestions(found)
    ]
    return SuggestionsOut(slots=slots, companies=companies)
