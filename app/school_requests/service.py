"""School requests: posting, answering with a proposal, accepting one,
withdrawing, and expiry at the end of the period (state diagram in models.py).

A proposal becomes what the rest of the system knows, through the same
services as everywhere else: accepting a slot proposal books that slot for the
request's group with bookings.service.request_booking (capacity, waiting list,
events and mails as for any booking); accepting a new-slot proposal first adds
the slot with catalogue.service.add_slot, on behalf of the company contact who
proposed it; a placement proposal is a placement in state "proposed" from the
moment it is made (placements.service.propose, with its clash rule), and
accepting it is placements.service.accept.

Why a new slot is made only on acceptance: a date proposed for one class would
otherwise sit in the public catalogue, where another school could take its
places before the teacher decides, and every proposal not chosen would leave
a date behind in the company's calendar. The proposal is checked against the
booking rules when it is made and again, by the booking itself, on acceptance.

State changes of a request are conditional UPDATEs on the state last read, as
for bookings: a teacher accepting twice at once, or accepting while the expiry
job runs, changes the request once; the other gets a Conflict (409).

Kept as one module: one state machine (a request and its proposals) whose
steps share the request's conditional move, the closing of open proposals
and the checks of a proposal against the booking rules.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from types import SimpleNamespace

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import select, update

from app import text, vocabulary
from app.accounts.acting import chosen_organisation
from app.accounts.models import Organisation, User
from app.accounts.permissions import is_member_of
from app.bookings import service as bookings
from app.bookings.models import Booking
from app.catalogue import service as catalogue
from app.catalogue.models import Activity, Slot
from app.errors import Conflict, DomainError
from app.events import emit
from app.events import types as ev
from app.extensions import db
from app.matching import candidates, ranking
from app.placements import service as placements
from app.placements.models import OPEN as PLACEMENT_OPEN
from app.school_requests.models import (
    KINDS,
    PLACEMENT,
    RUNNING,
    RequestResponse,
    SchoolRequest,
)
from app.school_requests.permissions import companies_of, schools_of
from app.text import limited
from app.timeutil import today_local, utcnow
from app.transitions import move, refuse_unless

STATE_LABELS = {
    "open": _l("Open"),
    "answered": _l("Has proposals"),
    "fulfilled": _l("Arranged"),
    "expired": _l("Expired"),
    "withdrawn": _l("Withdrawn"),
}
OPTION_LABELS = {
    "slot": _l("An existing date"),
    "new_slot": _l("A new date"),
    "placement": _l("A hybrid teacher"),
}
RESPONSE_STATE_LABELS = {
    "open": _l("Waiting for the school"),
    "accepted": _l("Accepted"),
    "closed": _l("Closed"),
}
CLOSE_REASON_LABELS = {
    "not_chosen": _l("The school chose another proposal."),
    "request_withdrawn": _l("The school withdrew its request."),
    "request_expired": _l("The request's period ended."),
    "gone": _l("What was proposed is no longer available."),
}

MAX_KM = 500
MAX_PERIOD_DAYS = 366
# A request is for the coming school years, not for a decade ahead.
MAX_LEAD_DAYS = 2 * 366


@dataclass
class RequestInput:
    """What a teacher asks for; one group, counted, never named."""

    kind: str
    topic: str
    group_size: int
    year: str
    path: str
    profile: str | None
    first_day: date
    last_day: date
    venues: frozenset[str] | set[str] | list[str]
    max_km: int | None = None
    remarks: str = ""


@dataclass
class Accepted:
    response: RequestResponse
    booking: Booking | None = None
    warnings: list[str] = field(default_factory=list)


def group_of(request: SchoolRequest) -> bookings.Group:
    return bookings.Group(
        size=request.group_size, year=request.year, path=request.path, profile=request.profile
    )


# --- posting ------------------------------------------------------------------------------


def _validate(values: RequestInput, today: date) -> RequestInput:
    if values.kind not in KINDS:
        raise DomainError(_("Choose one of the options."), field="kind")
    topic = limited(values.topic, "topic", text.LINE)
    if not topic:
        raise DomainError(_("Say what you are looking for."), field="topic")
    size = values.group_size
    if not isinstance(size, int) or isinstance(size, bool) or size < 1:
        raise DomainError(_("A group has at least one student."), field="group_size")
    if size > catalogue.MAX_GROUP_SIZE:
        raise DomainError(
            _("A group has at most %(n)d students.", n=catalogue.MAX_GROUP_SIZE), field="group_size"
        )
    if values.year not in vocabulary.YEARS:
        raise DomainError(_("Choose one of the options."), field="year")
    if values.path not in vocabulary.PATHS:
        raise DomainError(_("Choose one of the options."), field="path")
    profile = values.profile or None
    if profile is not None and profile not in vocabulary.PROFILES:
        raise DomainError(_("Choose one of the options."), field="profile")
    # Profiles start in year 3 (docs/FIELD.md).
    if values.year in ("3", "4") and profile is None:
        raise DomainError(_("Choose the profile of the group."), field="profile")
    if values.year in ("1", "2") and profile is not None:
        raise DomainError(_("Years 1 and 2 have no profile yet."), field="profile")
    first, last = values.first_day, values.last_day
    if not isinstance(first, date):
        raise DomainError(_("Give the first day of the period."), field="first_day")
    if not isinstance(last, date):
        raise DomainError(_("Give the last day of the period."), field="last_day")
    if last < today:
        raise DomainError(_("This period lies in the past."), field="last_day")
    if first < today:
        raise DomainError(_("The period cannot start in the past."), field="first_day")
    if last < first:
        raise DomainError(_("The last day lies before the first day."), field="last_day")
    if (last - first).days > MAX_PERIOD_DAYS:
        raise DomainError(_("A period is at most a year long."), field="last_day")
    if (first - today).days > MAX_LEAD_DAYS:
        raise DomainError(_("Choose a period within the next two years."), field="first_day")
    venues = frozenset(values.venues or ())
    if not venues <= set(vocabulary.VENUES):
        raise DomainError(_("Choose one of the options."), field="venues")
    if values.kind == PLACEMENT:
        venues = frozenset({"school"})  # a hybrid teacher teaches at the school
    if not venues:
        raise DomainError(_("Choose at least one place."), field="venues")
    max_km = values.max_km
    if max_km is not None:
        if not isinstance(max_km, int) or isinstance(max_km, bool) or max_km < 1:
            raise DomainError(_("Give a distance of at least 1 km."), field="max_km")
        if max_km > MAX_KM:
            raise DomainError(_("At most %(n)d km.", n=MAX_KM), field="max_km")
    return RequestInput(
        kind=values.kind,
        topic=topic,
        group_size=size,
        year=values.year,
        path=values.path,
        profile=profile,
        first_day=first,
        last_day=last,
        venues=venues,
        max_km=max_km,
        remarks=limited(values.remarks, "remarks"),
    )


def school_for(actor: User, school_id: int | None) -> Organisation:
    """The school `actor` asks for: theirs, or the one chosen (school_id)
    when they ask for several (app.accounts.acting)."""
    return chosen_organisation(
        schools_of(actor),
        school_id,
        field="school_id",
        nobody=_("Only the people of a school can post requests."),
        several=_("You are at several schools: choose one."),
        unknown=_("Choose one of your schools."),
    )


def company_for(actor: User, company_id: int | None) -> Organisation:
    """The company `actor` proposes for, by the same rule."""
    return chosen_organisation(
        companies_of(actor),
        company_id,
        field="company_id",
        nobody=_("Only a company's contacts can make proposals."),
        several=_("You are at several companies: choose one."),
        unknown=_("Choose one of your companies."),
    )


def post_request(
    actor: User, school: Organisation, values: RequestInput, *, today: date | None = None
) -> SchoolRequest:
    if school.kind != "school":
        raise DomainError(_("Only schools post requests."), code="not_a_school")
    if not school.is_approved:
        raise DomainError(
            _("Your school can post requests once a coordinator has approved it."),
            code="not_approved",
        )
    clean = _validate(values, today or today_local())
    request = SchoolRequest(
        school=school,
        teacher=actor,
        kind=clean.kind,
        topic=clean.topic,
        group_size=clean.group_size,
        year=clean.year,
        path=clean.path,
        profile=clean.profile,
        first_day=clean.first_day,
        last_day=clean.last_day,
        venues=frozenset(clean.venues),
        max_km=clean.max_km,
        remarks=clean.remarks,
        status="open",
    )
    db.session.add(request)
    db.session.flush()
    emit(
        ev.RequestPosted(
            request_id=request.id,
            school_id=school.id,
            kind=request.kind,
            profile=request.profile,
            year=request.year,
        ),
        actor,
    )
    return request


# --- state changes ------------------------------------------------------------------------


def _move(request: SchoolRequest, allowed: tuple[str, ...], to: str, **values) -> str:
    """app.transitions.move for a request; a request that is no longer open
    refuses with request_closed."""
    return move(
        request,
        allowed,
        to,
        _("This request is no longer open."),
        busy=_("This request changed meanwhile; try again."),
        code="request_closed",
        **values,
    )


def _close_open_responses(
    request: SchoolRequest, reason: str, actor=None, keep: RequestResponse | None = None
) -> list[RequestResponse]:
    """Closes the request's other open proposals; an open placement proposal is
    declined on the school's behalf, so its professional's hours free up."""

    closed = []
    now = utcnow()
    for response in list(request.responses):
        if response.status != "open" or (keep is not None and response.id == keep.id):
            continue
        response.status = "closed"
        response.close_reason = reason
        response.decided_at = now
        closed.append(response)
    db.session.flush()
    for response in closed:
        placement = response.placement
        if placement is not None and placement.status in PLACEMENT_OPEN:
            try:
                placements.decline(actor, placement, str(CLOSE_REASON_LABELS[reason]))
            except DomainError:
                pass  # withdrawn or declined by its parties meanwhile
    return closed


def withdraw_request(actor: User, request: SchoolRequest, reason: str = "") -> SchoolRequest:
    reason = limited(reason, "reason")
    _move(request, RUNNING, "withdrawn", closed_at=utcnow())
    _close_open_responses(request, "request_withdrawn", actor)
    emit(
        ev.RequestWithdrawn(request_id=request.id, school_id=request.school_id, reason=reason),
        actor,
    )
    return request


def expire_ended_requests(today: date | None = None) -> list[SchoolRequest]:
    """Running requests whose period has ended expire (run daily by the
    scheduler; safe to run twice: each change is conditional)."""
    today = today or today_local()
    ended = list(
        db.session.scalars(
            select(SchoolRequest)
            .where(SchoolRequest.status.in_(RUNNING), SchoolRequest.last_day < today)
            .order_by(SchoolRequest.id)
        )
    )
    done = []
    for request in ended:
        try:
            _move(request, RUNNING, "expired", closed_at=utcnow())
        except Conflict:
            continue  # fulfilled or withdrawn meanwhile
        _close_open_responses(request, "request_expired")
        emit(ev.RequestExpired(request_id=request.id, school_id=request.school_id))
        done.append(request)
    return done


# --- answering -----------------------------------------------------------------------------


def _check_answerable(request: SchoolRequest, company: Organisation) -> None:
    if company.kind != "company":
        raise DomainError(_("Only companies answer requests."), code="not_a_company")
    if not company.is_approved:
        raise DomainError(
            _("Your company can answer once a coordinator has approved it."), code="not_approved"
        )
    refuse_unless(request, RUNNING, _("This request is no longer open."), code="request_closed")


def is_outside_match(request: SchoolRequest, company: Organisation) -> bool:
    """True when the company's sectors and profiles do not fit the request
    (matching.ranking.company_fit): such a proposal is allowed, and marked."""

    fit = ranking.company_fit(candidates.request_facts(request), candidates.company_facts(company))
    return not fit.fits


def _answer(actor: User, request: SchoolRequest, response: RequestResponse) -> RequestResponse:
    db.session.add(response)
    response.outside_match = is_outside_match(request, response.company)
    db.session.flush()
    now = utcnow()
    db.session.execute(
        update(SchoolRequest)
        .where(SchoolRequest.id == request.id, SchoolRequest.status == "open")
        .values(status="answered", updated_at=now)
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        update(SchoolRequest)
        .where(SchoolRequest.id == request.id, SchoolRequest.first_answered_at.is_(None))
        .values(first_answered_at=now)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(request)
    emit(
        ev.RequestAnswered(
            request_id=request.id,
            response_id=response.id,
            school_id=request.school_id,
            company_id=response.company_id,
            option=response.option,
            outside_match=response.outside_match,
        ),
        actor,
    )
    return response


def _message(message: str | None) -> str:
    return limited(message, "message")


def propose_slot(
    actor: User, request: SchoolRequest, company: Organisation, slot: Slot, message: str = ""
) -> RequestResponse:
    """One of the company's existing slots, checked against the booking rules
    for the request's group (a full slot is allowed: the group would wait)."""
    _check_answerable(request, company)
    if slot.activity.company_id != company.id:
        raise DomainError(_("Choose one of your own dates."), field="slot_id")
    if request.is_placement:
        raise DomainError(_("This school asks for a hybrid teacher."), field="option")
    bookings.check_bookable(slot, request.school, group_of(request))
    if any(r.slot_id == slot.id and r.status == "open" for r in request.responses):
        raise Conflict(
            _("You proposed this date already."), field="slot_id", code="already_proposed"
        )
    response = RequestResponse(
        request=request,
        company=company,
        proposed_by=actor,
        option="slot",
        slot=slot,
        activity=slot.activity,
        message=_message(message),
        status="open",
    )
    return _answer(actor, request, response)


def check_new_slot(
    activity: Activity,
    starts_at: datetime,
    ends_at: datetime,
    capacity: int | None,
    request: SchoolRequest,
) -> None:
    """The checks add_slot and check_bookable will make on acceptance, made now,
    so that the company hears at once what would not work."""
    if ends_at <= starts_at:
        raise DomainError(_("The end lies before the start."), field="ends_at")
    if starts_at <= utcnow():
        raise DomainError(_("A slot cannot start in the past."), field="starts_at")
    if not isinstance(capacity, int) or isinstance(capacity, bool) or capacity < 1:
        raise DomainError(_("The capacity is at least one student."), field="capacity")
    if capacity > catalogue.MAX_CAPACITY:
        raise DomainError(
            _("The capacity is at most %(n)d students.", n=catalogue.MAX_CAPACITY), field="capacity"
        )
    if capacity < request.group_size:
        raise DomainError(
            ngettext(
                "The group has %(n)d student: give room for it.",
                "The group has %(n)d students: give room for all of them.",
                request.group_size,
                n=request.group_size,
            ),
            field="capacity",
        )
    # The slot as it would be: check_bookable reads only these attributes.
    planned = SimpleNamespace(
        activity=activity,
        is_cancelled=False,
        starts_at=starts_at,
        ends_at=ends_at,
        capacity=capacity,
    )
    try:
        bookings.check_bookable(planned, request.school, group_of(request))
    except DomainError as error:
        if error.field == "slot_id":
            error.field = "starts_at"
        raise


def propose_new_slot(
    actor: User,
    request: SchoolRequest,
    company: Organisation,
    activity: Activity,
    starts_at: datetime,
    ends_at: datetime,
    capacity: int,
    message: str = "",
) -> RequestResponse:
    """A new date for one of the company's published activities; starts_at and
    ends_at are naive UTC. The slot is added when the teacher accepts."""
    _check_answerable(request, company)
    if activity.company_id != company.id:
        raise DomainError(_("Choose one of your own activities."), field="activity_id")
    if request.is_placement:
        raise DomainError(_("This school asks for a hybrid teacher."), field="option")
    check_new_slot(activity, starts_at, ends_at, capacity, request)
    response = RequestResponse(
        request=request,
        company=company,
        proposed_by=actor,
        option="new_slot",
        activity=activity,
        starts_at=starts_at,
        ends_at=ends_at,
        capacity=capacity,
        message=_message(message),
        status="open",
    )
    return _answer(actor, request, response)


def propose_placement(
    actor: User,
    request: SchoolRequest,
    company: Organisation,
    professional,
    terms,
    message: str = "",
) -> RequestResponse:
    """A hybrid teacher for the school: a placement proposal to the school, made
    through placements.service.propose (terms checked, clash refused there)."""

    _check_answerable(request, company)
    if professional.company_id != company.id:
        raise DomainError(_("Choose one of your own people."), field="professional_id")
    message = _message(message)
    placement = placements.propose(
        actor,
        company=company,
        school=request.school,
        professional=professional,
        terms=terms,
        subjects=request.topic[:200],
        profiles=[request.profile] if request.profile else [],
        remarks=message,
        by="company",
    )
    response = RequestResponse(
        request=request,
        company=company,
        proposed_by=actor,
        option="placement",
        placement=placement,
        message=message,
        status="open",
    )
    return _answer(actor, request, response)


# --- accepting ------------------------------------------------------------------------------


def _fulfil(request: SchoolRequest, response: RequestResponse, actor) -> None:
    response.status = "accepted"
    response.decided_at = utcnow()
    db.session.flush()
    _close_open_responses(request, "not_chosen", actor, keep=response)
    emit(
        ev.RequestFulfilled(
            request_id=request.id,
            response_id=response.id,
            school_id=request.school_id,
            company_id=response.company_id,
            booking_id=response.booking_id,
            placement_id=response.placement_id,
        ),
        actor,
    )


def _booking_teacher(request: SchoolRequest, actor: User) -> User:
    """The teacher who asked is responsible for the group, while at the school."""
    teacher = request.teacher
    if teacher is not None and teacher.active and is_member_of(teacher, request.school):
        return teacher
    return actor


def accept(actor: User, request: SchoolRequest, response: RequestResponse) -> Accepted:
    """The school takes this proposal: it becomes a booking (slot, new slot) or an
    agreed placement; the other proposals are closed."""
    if response.request_id != request.id:
        raise DomainError(_("This proposal belongs to another request."), code="not_found")
    refuse_unless(
        response, ("open",), _("This proposal is no longer open."), code="proposal_closed"
    )
    _move(request, RUNNING, "fulfilled", closed_at=utcnow())
    outcome = Accepted(response)
    if response.option == "placement":
        if response.placement is None:
            raise Conflict(_("What was proposed is no longer available."), code="gone")
        placements.accept(actor, response.placement)
    else:
        slot = response.slot
        if response.option == "new_slot":
            if response.starts_at <= utcnow():
                raise Conflict(_("The proposed date has passed."), code="proposal_past")
            added = catalogue.add_slot(
                response.activity,
                response.starts_at,
                response.ends_at,
                response.capacity,
                response.proposed_by,
            )
            slot = added.value
            response.slot = slot
            outcome.warnings.extend(added.warnings)
        if slot is None:
            raise Conflict(_("What was proposed is no longer available."), code="gone")
        booked = bookings.request_booking(
            actor,
            slot,
            request.school,
            group_of(request),
            accept_waitlist=True,
            remarks=request.remarks,
            teacher=_booking_teacher(request, actor),
        )
        response.booking = booked.booking
        outcome.booking = booked.booking
        outcome.warnings.extend(booked.warnings)
    db.session.flush()
    _fulfil(request, response, actor)
    return outcome


# --- following other domains (event handlers) -------------------------------------------------


def _open_responses(*conditions) -> list[RequestResponse]:
    return list(
        db.session.scalars(
            select(RequestResponse)
            .where(RequestResponse.status == "open", *conditions)
            .order_by(RequestResponse.id)
        )
    )


def _close_as_gone(responses: list[RequestResponse]) -> None:
    """Proposals whose slot or placement went away close; a request left
    without open proposals is open again (answered means: has an open one)."""
    now = utcnow()
    for response in responses:
        response.status, response.close_reason, response.decided_at = "closed", "gone", now
    db.session.flush()
    for request in {r.request for r in responses}:
        db.session.execute(
            update(SchoolRequest)
            .where(
                SchoolRequest.id == request.id,
                SchoolRequest.status == "answered",
                ~select(RequestResponse.id)
                .where(RequestResponse.request_id == request.id, RequestResponse.status == "open")
                .exists(),
            )
            .values(status="open", updated_at=now)
            .execution_options(synchronize_session=False)
        )
        db.session.refresh(request)


def follow_cancelled_slot(event: ev.SlotCancelled) -> None:
    """A cancelled date can no longer be accepted: its proposals close."""
    _close_as_gone(_open_responses(RequestResponse.slot_id == event.slot_id))


def follow_agreed_placement(event) -> None:
    """A placement proposed for a request and agreed on the placement's own page
    fulfils the request, as accepting it here would have."""
    for response in _open_responses(RequestResponse.placement_id == event.placement_id):
        request = response.request
        try:
            _move(request, RUNNING, "fulfilled", closed_at=utcnow())
        except Conflict:
            continue  # accepted here (this very transaction), or the request ended
        _fulfil(request, response, None)


def follow_closed_placement(event) -> None:
    """A placement proposal declined or withdrawn on its own page closes the
    request's proposal."""
    _close_as_gone(_open_responses(RequestResponse.placement_id == event.placement_id))
