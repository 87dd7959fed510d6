"""Bookings: a school books a slot for a group; the company confirms or declines."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from flask import request
from flask_babel import gettext as _
from pydantic import BaseModel, ConfigDict, Field, StrictBool
from sqlalchemy import or_, select
from sqlalchemy.orm import contains_eager, joinedload

from app import text
from app.accounts.models import User
from app.api.activities import GroupSize, LearningPath, OrganisationRef, Profile, Year, as_utc
from app.api.blueprint import bp
from app.api.slots import BookingStatus, CancelIn, SlotStatus, load_slot
from app.api.spec import MAX_ID, Id, forbidden, not_found, operation, require_user
from app.bookings import service, waiting_list
from app.bookings.models import PROMOTION_RULES, Booking
from app.bookings.permissions import (
    can_cancel,
    can_confirm,
    can_decline,
    can_view_booking,
    companies_of,
    schools_of,
)
from app.catalogue.models import Activity, Slot
from app.extensions import db

IDEMPOTENCY_HEADER = "Idempotency-Key"
PromotionRule = Literal[PROMOTION_RULES]

# --- output ---------------------------------------------------------------------------


class PersonOut(BaseModel):
    """Contact details, shown only to the parties of a booking and coordinators."""

    name: str
    email: str
    phone: str


class WaitingListOut(BaseModel):
    """Where a waiting group stands, by the region's rule."""

    position: int = Field(description="1 is the next group to get places that fit it.")
    of: int = Field(description="Groups waiting on this slot.")
    rule: PromotionRule


class BookingOut(BaseModel):
    id: int
    status: BookingStatus
    slot_id: int
    activity_id: int
    activity_title: str
    company: OrganisationRef
    school: OrganisationRef
    starts_at: datetime
    ends_at: datetime
    slot_status: SlotStatus
    slot_capacity: int
    slot_taken: int = Field(description="Students of all bookings holding places on the slot.")
    group_size: int
    year: Year
    path: LearningPath
    profile: Profile | None
    accept_waitlist: bool
    remarks: str
    decline_reason: str
    cancel_reason: str
    cancelled_by: Literal["school", "company", "lapsed"] | None = Field(
        description="lapsed: an offered place nobody accepted before its deadline."
    )
    waiting_list: WaitingListOut | None = Field(description="While waitlisted.")
    offer_expires_at: datetime | None = Field(
        description="While offered: accept the held places before this moment."
    )
    teacher: PersonOut | None = Field(description="The teacher responsible on the day.")
    company_contact: PersonOut | None = Field(description="The activity's contact person.")
    revision: int
    created_at: datetime
    updated_at: datetime


class BookingCreatedOut(BookingOut):
    warnings: list[str] = Field(description="Things to know that did not stop the booking.")


class BookingPageOut(BaseModel):
    items: list[BookingOut]
    page: int
    has_next: bool


def _person(user: User | None) -> PersonOut | None:
    if user is None:
        return None
    return PersonOut(name=user.name, email=user.email, phone=user.phone or "")


def _waiting(booking: Booking) -> WaitingListOut | None:
    place = waiting_list.place_in_line(booking)
    if place is None:
        return None
    return WaitingListOut(position=place.position, of=place.of, rule=place.rule)


def booking_out(booking: Booking, cls=BookingOut, **extra) -> BookingOut:
    slot = booking.slot
    activity = slot.activity
    return cls(
        id=booking.id,
        status=booking.status,
        slot_id=slot.id,
        activity_id=activity.id,
        activity_title=activity.title,
        company=OrganisationRef(id=activity.company.id, name=activity.company.name),
        school=OrganisationRef(id=booking.school.id, name=booking.school.name),
        starts_at=as_utc(slot.starts_at),
        ends_at=as_utc(slot.ends_at),
        slot_status=slot.status,
        slot_capacity=slot.capacity,
        slot_taken=slot.taken,
        group_size=booking.group_size,
        year=booking.year,
        path=booking.path,
        profile=booking.profile,
        accept_waitlist=booking.accept_waitlist,
        remarks=booking.remarks or "",
        decline_reason=booking.decline_reason or "",
        cancel_reason=booking.cancel_reason or "",
        cancelled_by=booking.cancelled_by,
        waiting_list=_waiting(booking),
        offer_expires_at=as_utc(booking.offer_expires_at) if booking.offer_expires_at else None,
        teacher=_person(booking.teacher),
        company_contact=_person(activity.contact),
        revision=booking.revision,
        created_at=as_utc(booking.created_at),
        updated_at=as_utc(booking.updated_at),
        **extra,
    )


# --- input ----------------------------------------------------------------------------


class BookingIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    group_size: GroupSize = Field(description="Students in the group.")
    year: Year
    path: LearningPath
    profile: Profile | None = Field(None, description="Needed for years 3 and 4.")
    accept_waitlist: StrictBool = Field(
        False, description="Join the waiting list when the group does not fit."
    )
    remarks: str = Field("", max_length=text.TEXT)
    school_id: Id | None = Field(None, description="Needed only when you are at several schools.")
    teacher_id: Id | None = Field(
        None, description="The teacher responsible on the day, of the school; default you."
    )


class BookingQuery(BaseModel):
    status: list[BookingStatus] = Field(default_factory=list, description="Repeatable.")
    slot_id: int | None = Field(None, ge=1, le=MAX_ID)
    page: int = Field(1, ge=1, le=10_000)
    per_page: int = Field(20, ge=1, le=100)


# --- loading --------------------------------------------------------------------------


def load_booking(booking_id: int, user) -> Booking:
    booking = db.session.get(Booking, booking_id)
    if booking is None or not can_view_booking(user, booking):
        raise not_found(_("There is no booking with this id."))
    return booking


# --- operations -----------------------------------------------------------------------


@operation(
    bp,
    "POST",
    "/slots/<int:slot_id>/bookings",
    summary="Book a slot for a group",
    tag="bookings",
    body=BookingIn,
    response=BookingCreatedOut,
    status=201,
    also={200: "The booking made earlier with the same Idempotency-Key"},
    headers={
        IDEMPOTENCY_HEADER: "Sending the same key again (same person) answers "
        "with the booking made the first time instead of booking twice."
    },
    errors=(403, 404, 409),
)
def book_slot(slot_id: int, body: BookingIn):
    user = require_user()
    slot = load_slot(slot_id, user)
    school = service.school_for(user, body.school_id)
    teacher = service.teacher_for(user, school, body.teacher_id)
    group = service.Group(
        size=body.group_size, year=body.year, path=body.path, profile=body.profile
    )
    outcome = service.request_booking_once(
        user,
        slot,
        school,
        group,
        accept_waitlist=body.accept_waitlist,
        remarks=body.remarks,
        teacher=teacher,
        idempotency_key=request.headers.get(IDEMPOTENCY_HEADER),
    )
    db.session.commit()
    answer = booking_out(outcome.booking, BookingCreatedOut, warnings=outcome.warnings)
    return answer, 200 if outcome.replayed else 201


@operation(
    bp,
    "GET",
    "/bookings",
    summary="The bookings you may see",
    tag="bookings",
    query=BookingQuery,
    response=BookingPageOut,
)
def list_bookings(query: BookingQuery) -> BookingPageOut:
    """A school's people see its bookings, a company's people the bookings of its
    activities, coordinators all of them."""
    user = require_user()
    statement = (
        select(Booking)
        .join(Booking.slot)
        .join(Slot.activity)
        .options(
            contains_eager(Booking.slot).contains_eager(Slot.activity).joinedload(Activity.company),
            contains_eager(Booking.slot).contains_eager(Slot.activity).joinedload(Activity.contact),
            joinedload(Booking.school),
            joinedload(Booking.teacher),
        )
    )
    if not user.is_coordinator:
        statement = statement.where(
            or_(
                Booking.school_id.in_([s.id for s in schools_of(user)]),
                Activity.company_id.in_([c.id for c in companies_of(user)]),
            )
        )
    if query.status:
        statement = statement.where(Booking.status.in_(query.status))
    if query.slot_id is not None:
        statement = statement.where(Booking.slot_id == query.slot_id)
    statement = statement.order_by(Booking.id.desc())
    offset = (query.page - 1) * query.per_page
    rows = db.session.scalars(statement.offset(offset).limit(query.per_page + 1)).unique().all()
    return BookingPageOut(
        items=[booking_out(b) for b in rows[: query.per_page]],
        page=query.page,
        has_next=len(rows) > query.per_page,
    )


@operation(
    bp,
    "GET",
    "/bookings/<int:booking_id>",
    summary="A booking",
    tag="bookings",
    response=BookingOut,
    errors=(404,),
)
def get_booking(booking_id: int) -> BookingOut:
    return booking_out(load_booking(booking_id, require_user()))


@operation(
    bp,
    "POST",
    "/bookings/<int:booking_id>/confirm",
    summary="Confirm a requested booking",
    tag="bookings",
    response=BookingOut,
    errors=(403, 404, 409, 422),
)
def confirm_booking(booking_id: int) -> BookingOut:
    user = require_user()
    booking = load_booking(booking_id, user)
    if not can_confirm(user, booking):
        raise forbidden(_("Only the company can confirm a booking."))
    service.confirm_booking(user, booking)
    db.session.commit()
    return booking_out(booking)


@operation(
    bp,
    "POST",
    "/bookings/<int:booking_id>/decline",
    summary="Decline a requested or waiting booking",
    tag="bookings",
    body=CancelIn,
    response=BookingOut,
    errors=(403, 404, 409),
)
def decline_booking(booking_id: int, body: CancelIn) -> BookingOut:
    user = require_user()
    booking = load_booking(booking_id, user)
    if not can_decline(user, booking):
        raise forbidden(_("Only the company can decline a booking."))
    service.decline_booking(user, booking, body.reason)
    db.session.commit()
    return booking_out(booking)


@operation(
    bp,
    "POST",
    "/bookings/<int:booking_id>/cancel",
    summary="Cancel a booking (the school)",
    tag="bookings",
    body=CancelIn,
    response=BookingOut,
    errors=(403, 404, 409),
)
def cancel_booking(booking_id: int, body: CancelIn) -> BookingOut:
    user = require_user()
    booking = load_booking(booking_id, user)
    if not can_cancel(user, booking):
        raise forbidden(_("Only the school can cancel its booking."))
    service.cancel_booking(user, booking, body.reason)
    db.session.commit()
    return booking_out(booking)
