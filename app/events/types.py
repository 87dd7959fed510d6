"""Domain event types.

Each event is a small frozen dataclass named in the past tense. `subject` names
the field whose value identifies the thing the event is about; the event log
indexes it so a thing's history is one query. This module imports nothing from
the domain packages, so every package can depend on it.

Kept as one module: the list of everything that can happen, read beside the
table of reactions (app/reactions/__init__.py).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import ClassVar


@dataclass(frozen=True)
class Event:
    subject: ClassVar[str]

    @classmethod
    def event_name(cls) -> str:
        return cls.__name__

    @property
    def subject_type(self) -> str:
        return self.subject.removesuffix("_id")

    @property
    def subject_id(self) -> int:
        return getattr(self, self.subject)

    def payload(self) -> dict:
        return asdict(self)


# --- organisations and people ------------------------------------------------


@dataclass(frozen=True)
class OrganisationRegistered(Event):
    """A school or company signed up. Fields: organisation_id, kind, name."""

    subject: ClassVar[str] = "organisation_id"
    organisation_id: int
    kind: str
    name: str


@dataclass(frozen=True)
class OrganisationApproved(Event):
    """A coordinator approved an organisation. Fields: organisation_id, name,
    administrator_id (the person who signed it up, who became its first
    administrator with the approval; None when it had one already)."""

    subject: ClassVar[str] = "organisation_id"
    organisation_id: int
    name: str
    administrator_id: int | None = None


@dataclass(frozen=True)
class OrganisationUpdated(Event):
    """An organisation's details (name, address, sectors, ...) changed.
    Fields: organisation_id, kind."""

    subject: ClassVar[str] = "organisation_id"
    organisation_id: int
    kind: str


@dataclass(frozen=True)
class MemberInvited(Event):
    """Someone was invited to an organisation.

    Fields: invitation_id, organisation_id, email, role."""

    subject: ClassVar[str] = "organisation_id"
    organisation_id: int
    invitation_id: int
    email: str
    role: str


@dataclass(frozen=True)
class MemberJoined(Event):
    """A person became a member. Fields: organisation_id, user_id, role."""

    subject: ClassVar[str] = "organisation_id"
    organisation_id: int
    user_id: int
    role: str


@dataclass(frozen=True)
class MemberRoleChanged(Event):
    """An administrator gave a member another role. Fields: organisation_id,
    user_id, role (the new one), previous."""

    subject: ClassVar[str] = "organisation_id"
    organisation_id: int
    user_id: int
    role: str
    previous: str


@dataclass(frozen=True)
class MemberLeft(Event):
    """A person left an organisation or an administrator took them off.
    Fields: organisation_id, user_id, role."""

    subject: ClassVar[str] = "organisation_id"
    organisation_id: int
    user_id: int
    role: str


@dataclass(frozen=True)
class AccountDeleted(Event):
    """A person deleted their account, or the retention job did after long
    inactivity (`inactive`). Their name left everything others see; the
    account row stays, empty, until the retention period ends. Fields:
    user_id, inactive."""

    subject: ClassVar[str] = "user_id"
    user_id: int
    inactive: bool = False


@dataclass(frozen=True)
class InactiveAccountWarned(Event):
    """The retention job warned someone who has not signed in for long that
    their account goes on `deletion_on` (ISO date) unless they sign in.
    Fields: user_id, deletion_on."""

    subject: ClassVar[str] = "user_id"
    user_id: int
    deletion_on: str


@dataclass(frozen=True)
class PasswordResetRequested(Event):
    """Someone asked for a reset link. Fields: user_id, reset_id."""

    subject: ClassVar[str] = "user_id"
    user_id: int
    reset_id: int


@dataclass(frozen=True)
class SignUpWithKnownAddress(Event):
    """The sign-up form was sent with the address of an existing account; the
    form answered as for a new sign-up, and the owner is told by mail. Fields:
    user_id, organisation_name."""

    subject: ClassVar[str] = "user_id"
    user_id: int
    organisation_name: str


@dataclass(frozen=True)
class PasswordChanged(Event):
    """A person set a new password (reset link, invitation or settings). Fields: user_id."""

    subject: ClassVar[str] = "user_id"
    user_id: int


@dataclass(frozen=True)
class HolidaysChanged(Event):
    """A coordinator added or deleted a school holiday. Fields: holiday_id,
    region, first_day and last_day (ISO dates)."""

    subject: ClassVar[str] = "holiday_id"
    holiday_id: int
    region: str
    first_day: str
    last_day: str


# --- curriculum ------------------------------------------------------------------


@dataclass(frozen=True)
class CurriculumChanged(Event):
    """A coordinator added, edited, retired or deleted a curriculum entry.
    Fields: entry_id, kind, code."""

    subject: ClassVar[str] = "entry_id"
    entry_id: int
    kind: str
    code: str


@dataclass(frozen=True)
class SchoolOfferChanged(Event):
    """A school location changed the profiles or keuzevakken it offers in a
    school year. Fields: location_id, school_year (2026 is 2026-2027)."""

    subject: ClassVar[str] = "location_id"
    location_id: int
    school_year: int


# --- catalogue -------------------------------------------------------------------


@dataclass(frozen=True)
class ActivityPublished(Event):
    """An activity became visible in the catalogue. Fields: activity_id, company_id."""

    subject: ClassVar[str] = "activity_id"
    activity_id: int
    company_id: int


@dataclass(frozen=True)
class ActivityChanged(Event):
    """An activity's details were edited. Fields: activity_id, company_id."""

    subject: ClassVar[str] = "activity_id"
    activity_id: int
    company_id: int


@dataclass(frozen=True)
class ActivityArchived(Event):
    """An activity left the catalogue; its booked slots stay. Fields: activity_id, company_id."""

    subject: ClassVar[str] = "activity_id"
    activity_id: int
    company_id: int


@dataclass(frozen=True)
class SlotAdded(Event):
    """A dated slot was added. Fields: slot_id, activity_id, starts_at (ISO, UTC), capacity."""

    subject: ClassVar[str] = "slot_id"
    slot_id: int
    activity_id: int
    starts_at: str
    capacity: int


@dataclass(frozen=True)
class SlotRescheduled(Event):
    """A slot moved, or its capacity changed; its bookings follow.

    Fields: slot_id, activity_id, old_starts_at, new_starts_at, new_ends_at (ISO,
    UTC), capacity, reason."""

    subject: ClassVar[str] = "slot_id"
    slot_id: int
    activity_id: int
    old_starts_at: str
    new_starts_at: str
    new_ends_at: str
    capacity: int
    reason: str


@dataclass(frozen=True)
class SlotCancelled(Event):
    """The company cancelled a slot; its active bookings are cancelled with it.

    Fields: slot_id, activity_id, reason."""

    subject: ClassVar[str] = "slot_id"
    slot_id: int
    activity_id: int
    reason: str


# --- bookings ---------------------------------------------------------------------


@dataclass(frozen=True)
class BookingEvent(Event):
    """Base of the booking events. Fields: booking_id, slot_id, school_id, company_id,
    group_size."""

    subject: ClassVar[str] = "booking_id"
    booking_id: int
    slot_id: int
    school_id: int
    company_id: int
    group_size: int


@dataclass(frozen=True)
class BookingRequested(BookingEvent):
    """A booking holds places and waits for the company's confirmation."""


@dataclass(frozen=True)
class BookingConfirmed(BookingEvent):
    """A booking is confirmed (by the company, or at once when the activity needs no approval)."""


@dataclass(frozen=True)
class BookingDeclined(BookingEvent):
    """The company declined a booking; its places are free again. Extra field: reason."""

    reason: str = ""


@dataclass(frozen=True)
class BookingWaitlisted(BookingEvent):
    """A booking did not fit and waits for places."""


@dataclass(frozen=True)
class BookingPromoted(BookingEvent):
    """A waiting booking got places, or accepted the places offered to it.
    Extra fields: status (requested or confirmed), rule (the region's
    promotion rule: first_come or fewest_first)."""

    status: str = "requested"
    rule: str = "first_come"


@dataclass(frozen=True)
class BookingOffered(BookingEvent):
    """Places freed shortly before the start are held for a waiting booking
    until the school accepts them. Extra fields: expires_at (ISO, UTC), rule."""

    expires_at: str = ""
    rule: str = "first_come"


@dataclass(frozen=True)
class BookingOfferLapsed(BookingEvent):
    """Nobody accepted an offer in time: the booking leaves the waiting list
    and its places pass to the next in line."""


@dataclass(frozen=True)
class BookingLeftWaitingList(BookingEvent):
    """The school took its group off a waiting list. Extra field: was
    (waitlisted, or offered when it declined an offer)."""

    was: str = "waitlisted"


@dataclass(frozen=True)
class BookingCancelled(BookingEvent):
    """The school cancelled a booking. Extra fields: reason, by (school or company)."""

    reason: str = ""
    by: str = "school"


@dataclass(frozen=True)
class BookingCompleted(BookingEvent):
    """The slot of a confirmed booking has ended."""


# --- evaluations ------------------------------------------------------------------------


@dataclass(frozen=True)
class EvaluationSubmitted(Event):
    """A party of a completed booking said how it went.

    Fields: evaluation_id, booking_id, side (school or company), rating (1-5),
    school_id, company_id, students_attended (school side; None for the company)."""

    subject: ClassVar[str] = "evaluation_id"
    evaluation_id: int
    booking_id: int
    side: str
    rating: int
    school_id: int
    company_id: int
    students_attended: int | None = None


# --- hybrid-teacher placements -------------------------------------------------------------


@dataclass(frozen=True)
class PlacementEvent(Event):
    """Base of the placement events.

    Fields: placement_id, company_id, school_id, professional_id, by (the side
    that acted: company, school or coordinator; empty for the system)."""

    subject: ClassVar[str] = "placement_id"
    placement_id: int
    company_id: int
    school_id: int
    professional_id: int
    by: str = ""


@dataclass(frozen=True)
class PlacementProposed(PlacementEvent):
    """One side proposed a placement to the other. Extra fields: the terms
    hours_per_week, weekdays (list of mo..fr), start_time and end_time ("HH:MM",
    local), first_date and last_date (ISO)."""

    hours_per_week: int = 0
    weekdays: tuple[str, ...] = ()
    start_time: str = ""
    end_time: str = ""
    first_date: str = ""
    last_date: str = ""


@dataclass(frozen=True)
class PlacementCountered(PlacementEvent):
    """The receiving side proposed other days or times; the proposer answers.
    Extra fields: the new terms (as PlacementProposed) and message."""

    hours_per_week: int = 0
    weekdays: tuple[str, ...] = ()
    start_time: str = ""
    end_time: str = ""
    first_date: str = ""
    last_date: str = ""
    message: str = ""


@dataclass(frozen=True)
class PlacementHrRecorded(PlacementEvent):
    """The school recorded what its HR asks: extra fields vog_date (ISO),
    qualified, qualification_deadline (ISO, or empty when none is needed)."""

    vog_date: str = ""
    qualified: bool = False
    qualification_deadline: str = ""


@dataclass(frozen=True)
class PlacementAgreed(PlacementEvent):
    """Both sides agreed; the weekly schedule is on. Extra fields: first_date, last_date."""

    first_date: str = ""
    last_date: str = ""


@dataclass(frozen=True)
class PlacementDeclined(PlacementEvent):
    """The side whose answer was awaited declined. Extra field: reason."""

    reason: str = ""


@dataclass(frozen=True)
class PlacementWithdrawn(PlacementEvent):
    """The proposing side withdrew its proposal. Extra field: reason."""

    reason: str = ""


@dataclass(frozen=True)
class PlacementLessonChanged(PlacementEvent):
    """One lesson of an agreed placement was cancelled or moved.

    Extra fields: original_date (ISO), change (cancelled or moved), new_date,
    new_start_time, new_end_time (for moved; empty otherwise), reason."""

    original_date: str = ""
    change: str = ""
    new_date: str = ""
    new_start_time: str = ""
    new_end_time: str = ""
    reason: str = ""


@dataclass(frozen=True)
class PlacementEnded(PlacementEvent):
    """An agreed placement ended: early (with a reason) or after its last date.
    Extra fields: ended_on (ISO, the last day with lessons), reason, early."""

    ended_on: str = ""
    reason: str = ""
    early: bool = False


@dataclass(frozen=True)
class CandidateRegistered(Event):
    """A professional entered the candidate pool: by a company contact
    (approved at once) or on their own (waits for a coordinator).
    Fields: professional_id, company_id (None for a self-registration), source, status."""

    subject: ClassVar[str] = "professional_id"
    professional_id: int
    company_id: int | None = None
    source: str = "company"
    status: str = "approved"


@dataclass(frozen=True)
class CandidateApproved(Event):
    """A coordinator approved a self-registered candidate (and may have linked a
    company). Fields: professional_id, company_id."""

    subject: ClassVar[str] = "professional_id"
    professional_id: int
    company_id: int | None = None


# --- school requests ("vraag") ------------------------------------------------------------


@dataclass(frozen=True)
class RequestPosted(Event):
    """A teacher posted a request. Fields: request_id, school_id, kind, profile, year."""

    subject: ClassVar[str] = "request_id"
    request_id: int
    school_id: int
    kind: str
    profile: str | None = None
    year: str = ""


@dataclass(frozen=True)
class RequestAnswered(Event):
    """A company proposed something for a request.

    Fields: request_id, response_id, school_id, company_id, option (slot,
    new_slot or placement), outside_match (the company's sectors do not fit)."""

    subject: ClassVar[str] = "request_id"
    request_id: int
    response_id: int
    school_id: int
    company_id: int
    option: str
    outside_match: bool = False


@dataclass(frozen=True)
class RequestFulfilled(Event):
    """The teacher accepted one proposal; the others are closed.

    Fields: request_id, response_id, school_id, company_id, booking_id (slot
    proposals), placement_id (placement proposals)."""

    subject: ClassVar[str] = "request_id"
    request_id: int
    response_id: int
    school_id: int
    company_id: int
    booking_id: int | None = None
    placement_id: int | None = None


@dataclass(frozen=True)
class RequestExpired(Event):
    """The period of a request ended before a proposal was accepted; its open
    proposals are closed. Fields: request_id, school_id."""

    subject: ClassVar[str] = "request_id"
    request_id: int
    school_id: int


@dataclass(frozen=True)
class RequestWithdrawn(Event):
    """The school withdrew its request; its open proposals are closed.
    Fields: request_id, school_id, reason."""

    subject: ClassVar[str] = "request_id"
    request_id: int
    school_id: int
    reason: str = ""
