"""Hybrid-teacher placements and the candidate pool: the same operations as the
pages, through placements.service.

Another organisation's placement is a 404, like an unknown id; a placement the
caller may see but not answer is a 403; a wrong state or a clash is a 409;
input a rule refuses is a 422 naming the field.

Kept as one module: one resource of the API, its models and its operations
side by side as the OpenAPI document lists them (tag "placements"); the
rules live in placements.service."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from flask_babel import gettext as _
from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt

from app import text, vocabulary
from app.accounts.models import Organisation
from app.api.activities import OrganisationRef, Profile, as_utc, in_vocabulary_order
from app.api.blueprint import bp
from app.api.spec import (
    ApiDate,
    Id,
    Line,
    LocalTime,
    forbidden,
    invalid,
    not_found,
    operation,
    require_user,
)
from app.extensions import db
from app.placements import permissions, schedule, service
from app.placements.models import MAX_HOURS, MIN_HOURS, Placement, Professional
from app.transitions import NotAllowed

Weekday = Literal[tuple(vocabulary.WEEKDAYS)]
CandidateKind = Literal[tuple(vocabulary.CANDIDATE_KINDS)]
PlacementStatus = Literal["proposed", "countered", "agreed", "declined", "withdrawn", "ended"]
Side = Literal["company", "school"]
Text = Annotated[str, Field(max_length=text.TEXT)]
Hours = Annotated[
    StrictInt,
    Field(ge=MIN_HOURS, le=MAX_HOURS, description=f"{MIN_HOURS} to {MAX_HOURS} hours a week."),
]

# --- output ---------------------------------------------------------------------------


class PlacementProfessionalOut(BaseModel):
    id: int
    name: str
    kind: CandidateKind
    expertise: str


class PlacementOut(BaseModel):
    id: int
    status: PlacementStatus
    awaiting: Side | None = Field(description="The side whose answer the placement waits for.")
    proposed_by: Side
    company: OrganisationRef
    school: OrganisationRef
    professional: PlacementProfessionalOut
    subjects: str
    profiles: list[Profile]
    hours_per_week: int
    weekdays: list[Weekday] = Field(description="School days, mo to fr.")
    start_time: LocalTime = Field(description="Local time (Europe/Amsterdam) on every school day.")
    end_time: LocalTime
    first_date: date
    last_date: date
    ended_on: date | None = Field(description="Set when the placement ended.")
    ended_early: bool
    remarks: str
    counter_message: str
    decline_reason: str
    end_reason: str
    vog_date: date | None = Field(description="The date of the certificate of conduct (VOG).")
    qualified: bool = Field(description="Holds a teaching qualification.")
    supervisor_id: int | None = Field(description="The school's teacher who supervises.")
    qualification_route: str = Field(description="Above the hours allowed without one.")
    qualification_deadline: date | None = Field(description="Two years from the first date.")
    revision: int
    created_at: datetime
    updated_at: datetime


class PlacementPageOut(BaseModel):
    items: list[PlacementOut]
    page: int
    has_next: bool


class PlacementLessonOut(BaseModel):
    original_date: date = Field(description="The date the rule gave; identifies the lesson.")
    date: date
    start_time: LocalTime
    end_time: LocalTime
    starts_at: datetime
    ends_at: datetime
    status: Literal["scheduled", "moved", "cancelled"]
    reason: str


class PlacementScheduleOut(BaseModel):
    placement_id: int
    weekdays: list[Weekday]
    first_date: date
    last_date: date = Field(description="The last date with lessons (earlier when ended early).")
    start_time: LocalTime
    end_time: LocalTime
    holidays: list[date] = Field(description="Dates of the rule that fall in school holidays.")
    lessons: list[PlacementLessonOut]


class CandidateOut(BaseModel):
    id: int
    name: str
    kind: CandidateKind
    expertise: str
    subjects: str
    profiles: list[Profile]
    weekdays: list[Weekday]
    hours_per_week: int | None
    town: str
    region: str
    company: OrganisationRef | None
    status: Literal["pending", "approved", "rejected", "withdrawn"]
    source: Literal["company", "self"]


# --- input ----------------------------------------------------------------------------


class PlacementTermsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    hours_per_week: Hours
    weekdays: list[Weekday] = Field(min_length=1, max_length=len(vocabulary.WEEKDAYS))
    start_time: LocalTime = Field(description="Local time, e.g. 09:00.")
    end_time: LocalTime
    first_date: ApiDate
    last_date: ApiDate = Field(description="Not before first_date.")


class PlacementIn(PlacementTermsIn):
    professional_id: Id = Field(description="A professional of the pool, linked to a company.")
    school_id: Id
    subjects: Line = Field("", max_length=text.LINE)
    profiles: list[Profile] = Field(default_factory=list)
    remarks: Text = ""


class PlacementCounterIn(PlacementTermsIn):
    message: Text = ""


class PlacementReasonIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Text = Field(description="The other side reads it.")


class PlacementWithdrawIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Text = ""


class PlacementEndIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Text = Field(description="The other side reads it.")
    ended_on: date | None = Field(None, description="The last day with a lesson; default today.")


class PlacementMoveIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    new_date: date
    start_time: LocalTime
    end_time: LocalTime
    reason: Text = ""


class PlacementQuery(BaseModel):
    status: list[PlacementStatus] = Field(default_factory=list, description="Repeatable.")
    page: int = Field(1, ge=1, le=10_000)
    per_page: int = Field(20, ge=1, le=100)


class CandidateQuery(BaseModel):
    q: Line | None = Field(
        None, max_length=text.LINE, description="Words in name, expertise, subjects."
    )
    profile: Profile | None = None
    weekday: Weekday | None = None
    town: Line | None = Field(None, max_length=text.SHORT_LINE)
    region: Line | None = Field(None, max_length=text.SHORT_LINE)


class CandidateIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    company_id: Id | None = Field(None, description="Needed when you are at several companies.")
    name: Line = Field(min_length=1, max_length=text.LINE)
    kind: CandidateKind = "employee"
    expertise: Text
    subjects: Line = Field("", max_length=text.LINE)
    profiles: list[Profile] = Field(default_factory=list)
    weekdays: list[Weekday] = Field(default_factory=list)
    hours_per_week: Hours | None = None
    town: Line = Field("", max_length=text.SHORT_LINE)
    region: Line = Field("", max_length=text.SHORT_LINE)
    consent: StrictBool = Field(description="The professional agreed to be in the pool.")


# --- mapping --------------------------------------------------------------------------


def placement_out(placement: Placement) -> PlacementOut:
    person = placement.professional
    return PlacementOut(
        id=placement.id,
        status=placement.status,
        awaiting=placement.awaiting,
        proposed_by=placement.proposed_by,
        company=OrganisationRef(id=placement.company.id, name=placement.company.name),
        school=OrganisationRef(id=placement.school.id, name=placement.school.name),
        professional=PlacementProfessionalOut(
            id=person.id, name=person.name, kind=person.kind, expertise=person.expertise
        ),
        subjects=placement.subjects,
        profiles=in_vocabulary_order(placement.profiles, vocabulary.PROFILES),
        hours_per_week=placement.hours_per_week,
        weekdays=placement.weekday_codes,
        start_time=placement.start_time,
        end_time=placement.end_time,
        first_date=placement.first_date,
        last_date=placement.last_date,
        ended_on=placement.ended_on,
        ended_early=placement.ended_early,
        remarks=placement.remarks or "",
        counter_message=placement.counter_message or "",
        decline_reason=placement.decline_reason or "",
        end_reason=placement.end_reason or "",
        vog_date=placement.vog_date,
        qualified=placement.qualified,
        supervisor_id=placement.supervisor_id,
        qualification_route=placement.qualification_route or "",
        qualification_deadline=placement.qualification_deadline,
        revision=placement.revision,
        created_at=as_utc(placement.created_at),
        updated_at=as_utc(placement.updated_at),
    )


def candidate_out(person: Professional) -> CandidateOut:
    return CandidateOut(
        id=person.id,
        name=person.name,
        kind=person.kind,
        expertise=person.expertise,
        subjects=person.subjects,
        profiles=in_vocabulary_order(person.profiles, vocabulary.PROFILES),
        weekdays=in_vocabulary_order(person.weekdays, vocabulary.WEEKDAYS),
        hours_per_week=person.hours_per_week,
        town=person.town,
        region=person.region,
        company=(
            OrganisationRef(id=person.company.id, name=person.company.name)
            if person.company
            else None
        ),
        status=person.status,
        source=person.source,
    )


def _terms(body: PlacementTermsIn) -> service.Terms:
    return service.Terms(
        body.hours_per_week,
        body.weekdays,
        body.start_time,
        body.end_time,
        body.first_date,
        body.last_date,
    )


# --- loading --------------------------------------------------------------------------


def load_placement(placement_id: int, user) -> Placement:
    placement = db.session.get(Placement, placement_id)
    if placement is None or not permissions.can_view_placement(user, placement):
        raise not_found(_("There is no placement with this id."))
    return placement


def _organisation(organisation_id: int, kind: str) -> Organisation | None:
    found = db.session.get(Organisation, organisation_id)
    return found if found is not None and found.kind == kind else None


# --- placements -----------------------------------------------------------------------


@operation(
    bp,
    "GET",
    "/placements",
    summary="The placements you may see",
    tag="placements",
    query=PlacementQuery,
    response=PlacementPageOut,
)
def list_placements(query: PlacementQuery) -> PlacementPageOut:
    """A company's people see its placements, a school's people the placements
    at the school, coordinators all of them."""
    user = require_user()
    statement = permissions.visible_placements(user)
    if query.status:
        statement = statement.where(Placement.status.in_(query.status))
    statement = statement.order_by(Placement.id.desc())
    offset = (query.page - 1) * query.per_page
    rows = service.placements_of(statement.offset(offset), limit=query.per_page + 1)
    rows.sort(key=lambda p: p.id, reverse=True)
    return PlacementPageOut(
        items=[placement_out(p) for p in rows[: query.per_page]],
        page=query.page,
        has_next=len(rows) > query.per_page,
    )


@operation(
    bp,
    "GET",
    "/placements/<int:placement_id>",
    summary="A placement",
    tag="placements",
    response=PlacementOut,
    errors=(404,),
)
def get_placement(placement_id: int) -> PlacementOut:
    return placement_out(load_placement(placement_id, require_user()))


@operation(
    bp,
    "POST",
    "/placements",
    summary="Propose a placement",
    tag="placements",
    body=PlacementIn,
    response=PlacementOut,
    status=201,
    errors=(403, 404, 409),
)
def propose_placement(body: PlacementIn):
    """A company contact (or a coordinator on the company's behalf) proposes the
    company's professional to a school; a school's teacher may ask a company for
    a professional of the pool. The other side answers."""
    user = require_user()
    person = db.session.get(Professional, body.professional_id)
    if person is None or not permissions.can_see_candidate(user, person):
        raise not_found(_("There is no professional with this id."))
    school = _organisation(body.school_id, "school")
    if school is None:
        raise invalid("school_id", _("Choose a school."))
    if person.company is None:
        raise invalid(
            "professional_id", _("A coordinator first links this professional to a company.")
        )
    if permissions.can_propose_for_company(user, person.company):
        side = "company"
    elif permissions.can_propose_for_school(user, school):
        side = "school"
    else:
        raise forbidden(_("Only the professional's company or the school can propose this."))
    placement = service.propose(
        user,
        company=person.company,
        school=school,
        professional=person,
        terms=_terms(body),
        subjects=body.subjects,
        profiles=body.profiles,
        remarks=body.remarks,
        by=side,
    )
    db.session.commit()
    return placement_out(placement), 201


@operation(
    bp,
    "POST",
    "/placements/<int:placement_id>/counter",
    summary="Propose other days or times (the side asked)",
    tag="placements",
    body=PlacementCounterIn,
    response=PlacementOut,
    errors=(403, 404, 409),
)
def counter_placement(placement_id: int, body: PlacementCounterIn) -> PlacementOut:
    user = require_user()
    placement = load_placement(placement_id, user)
    if not permissions.can_counter(user, placement):
        if placement.status != "proposed":
            raise NotAllowed(_("Only a fresh proposal can be answered with other days."))
        raise forbidden(_("Only the side asked can propose other days."))
    service.counter(user, placement, _terms(body), body.message)
    db.session.commit()
    return placement_out(placement)


def _must_be_awaited_side(user, placement: Placement, refusal: str) -> None:
    if placement.status not in ("proposed", "countered"):
        raise NotAllowed(refusal)
    if not permissions.can_accept(user, placement):
        raise forbidden(_("The other side answers this proposal."))


@operation(
    bp,
    "POST",
    "/placements/<int:placement_id>/accept",
    summary="Accept a proposal or a counter",
    tag="placements",
    response=PlacementOut,
    errors=(403, 404, 409),
)
def accept_placement(placement_id: int) -> PlacementOut:
    user = require_user()
    placement = load_placement(placement_id, user)
    if placement.status != "agreed":
        _must_be_awaited_side(user, placement, _("Only an open proposal can be accepted."))
    service.accept(user, placement)
    db.session.commit()
    return placement_out(placement)


@operation(
    bp,
    "POST",
    "/placements/<int:placement_id>/decline",
    summary="Decline a proposal or a counter",
    tag="placements",
    body=PlacementReasonIn,
    response=PlacementOut,
    errors=(403, 404, 409),
)
def decline_placement(placement_id: int, body: PlacementReasonIn) -> PlacementOut:
    user = require_user()
    placement = load_placement(placement_id, user)
    _must_be_awaited_side(user, placement, _("Only an open proposal can be declined."))
    service.decline(user, placement, body.reason)
    db.session.commit()
    return placement_out(placement)


@operation(
    bp,
    "POST",
    "/placements/<int:placement_id>/withdraw",
    summary="Withdraw your open proposal",
    tag="placements",
    body=PlacementWithdrawIn,
    response=PlacementOut,
    errors=(403, 404, 409),
)
def withdraw_placement(placement_id: int, body: PlacementWithdrawIn) -> PlacementOut:
    user = require_user()
    placement = load_placement(placement_id, user)
    if placement.status not in ("proposed", "countered"):
        raise NotAllowed(_("Only an open proposal can be withdrawn."))
    if not permissions.can_withdraw(user, placement):
        raise forbidden(_("Only the side that proposed can withdraw."))
    service.withdraw(user, placement, body.reason)
    db.session.commit()
    return placement_out(placement)


@operation(
    bp,
    "POST",
    "/placements/<int:placement_id>/end",
    summary="End an agreed placement early",
    tag="placements",
    body=PlacementEndIn,
    response=PlacementOut,
    errors=(403, 404, 409),
)
def end_placement(placement_id: int, body: PlacementEndIn) -> PlacementOut:
    user = require_user()
    placement = load_placement(placement_id, user)
    if placement.status != "agreed":
        raise NotAllowed(_("Only an agreed placement can be ended."))
    if not permissions.can_end(user, placement):
        raise forbidden(_("Only the parties and coordinators can end a placement."))
    service.end_early(user, placement, body.reason, body.ended_on)
    db.session.commit()
    return placement_out(placement)


# --- lessons --------------------------------------------------------------------------


def lesson_out(lesson: schedule.Lesson) -> PlacementLessonOut:
    return PlacementLessonOut(
        original_date=lesson.original_date,
        date=lesson.date,
        start_time=lesson.start_time,
        end_time=lesson.end_time,
        starts_at=as_utc(lesson.starts_at),
        ends_at=as_utc(lesson.ends_at),
        status=lesson.status,
        reason=lesson.reason or "",
    )


def schedule_out(placement: Placement) -> PlacementScheduleOut:
    rule = schedule.rule(placement)
    has_lessons = placement.status in ("agreed", "ended")
    return PlacementScheduleOut(
        placement_id=placement.id,
        weekdays=rule.weekdays,
        first_date=rule.first_date,
        last_date=rule.last_date,
        start_time=rule.start_time,
        end_time=rule.end_time,
        holidays=schedule.holiday_exdates(placement),
        lessons=[lesson_out(x) for x in schedule.lessons(placement)] if has_lessons else [],
    )


@operation(
    bp,
    "GET",
    "/placements/<int:placement_id>/lessons",
    summary="The weekly schedule: rule, holidays skipped and every lesson",
    tag="placements",
    response=PlacementScheduleOut,
    errors=(404,),
)
def placement_lessons(placement_id: int) -> PlacementScheduleOut:
    """Lessons exist once the placement is agreed; before that the list is empty
    and the rule shows what is proposed."""
    return schedule_out(load_placement(placement_id, require_user()))


def _lesson_date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise invalid("original_date", _("Give a date as YYYY-MM-DD.")) from None


def _may_change_lessons(user, placement: Placement) -> None:
    if placement.status != "agreed":
        raise NotAllowed(_("Lessons change only in an agreed placement."))
    if not permissions.can_change_lessons(user, placement):
        raise forbidden(_("Only the company and the school change lessons."))


@operation(
    bp,
    "POST",
    "/placements/<int:placement_id>/lessons/<original_date>/cancel",
    summary="Cancel one lesson",
    tag="placements",
    body=PlacementReasonIn,
    response=PlacementScheduleOut,
    errors=(403, 404, 409),
)
def cancel_placement_lesson(
    placement_id: int, original_date: str, body: PlacementReasonIn
) -> PlacementScheduleOut:
    user = require_user()
    placement = load_placement(placement_id, user)
    day = _lesson_date(original_date)
    _may_change_lessons(user, placement)
    service.cancel_lesson(user, placement, day, body.reason)
    db.session.commit()
    return schedule_out(placement)


@operation(
    bp,
    "POST",
    "/placements/<int:placement_id>/lessons/<original_date>/move",
    summary="Move one lesson to another date or time",
    tag="placements",
    body=PlacementMoveIn,
    response=PlacementScheduleOut,
    errors=(403, 404, 409),
)
def move_placement_lesson(
    placement_id: int, original_date: str, body: PlacementMoveIn
) -> PlacementScheduleOut:
    user = require_user()
    placement = load_placement(placement_id, user)
    day = _lesson_date(original_date)
    _may_change_lessons(user, placement)
    service.move_lesson(
        user, placement, day, body.new_date, body.start_time, body.end_time, body.reason
    )
    db.session.commit()
    return schedule_out(placement)


# --- the candidate pool ---------------------------------------------------------------


@operation(
    bp,
    "GET",
    "/candidates",
    summary="Search the candidate pool",
    tag="placements",
    query=CandidateQuery,
    response=CandidateOut,
    list_response=True,
    errors=(403,),
)
def list_candidates(query: CandidateQuery) -> list[CandidateOut]:
    """Listed professionals, for schools, companies and coordinators; a
    company's own entries, and for coordinators the waiting ones, are included."""
    user = require_user()
    if not permissions.can_search_pool(user):
        raise forbidden(_("The pool is for schools, companies and coordinators."))
    found = service.search_pool(
        profile=query.profile,
        weekday=query.weekday,
        town=query.town,
        region=query.region,
        text=query.q,
        include_pending=user.is_coordinator,
    )
    own_ids = [c.id for c in permissions.companies_of(user)]
    if own_ids:
        seen = {p.id for p in found}
        found += [
            p
            for p in service.search_pool(
                profile=query.profile,
                weekday=query.weekday,
                town=query.town,
                region=query.region,
                text=query.q,
                company_ids=own_ids,
            )
            if p.id not in seen
        ]
    return [candidate_out(p) for p in found]


@operation(
    bp,
    "POST",
    "/candidates",
    summary="Register a professional of your company",
    tag="placements",
    body=CandidateIn,
    response=CandidateOut,
    status=201,
    errors=(403, 404),
)
def create_candidate(body: CandidateIn):
    """Listed at once. People without a company register through the public
    form, which a coordinator approves."""
    user = require_user()
    if body.company_id is None:
        companies = permissions.companies_of(user)
        if len(companies) != 1:
            raise invalid("company_id", _("Say for which company."))
        company = companies[0]
    else:
        company = _organisation(body.company_id, "company")
        if company is None or not permissions.can_register_candidate_for(user, company):
            raise not_found(_("There is no company with this id."))
    person = service.register_candidate(
        user,
        company=company,
        name=body.name,
        expertise=body.expertise,
        kind=body.kind,
        subjects=body.subjects,
        profiles=body.profiles,
        weekdays=body.weekdays,
        hours_per_week=body.hours_per_week,
        town=body.town,
        region=body.region,
        consent=body.consent,
    )
    db.session.commit()
    return candidate_out(person), 201
