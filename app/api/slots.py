"""Slots: dated occurrences of an activity, their places, and their bookings."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from flask_babel import gettext as _
from pydantic import BaseModel, ConfigDict, Field, StrictInt
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app import text
from app.api.activities import (
    LearningPath,
    OrganisationRef,
    Profile,
    SlotStatus,
    Year,
    as_utc,
    load_managed_activity,
    sees_everything_of,
)
from app.api.blueprint import bp
from app.api.spec import (
    ApiDateTime,
    ApiError,
    Patch,
    current_api_user,
    forbidden,
    not_found,
    operation,
    require_user,
)
from app.bookings.models import Booking
from app.catalogue import service
from app.catalogue.models import Slot
from app.catalogue.permissions import can_manage_slot, can_view_activity
from app.extensions import db
from app.timeutil import local_to_utc

BookingStatus = Literal[
    "requested", "confirmed", "waitlisted", "offered", "declined", "cancelled", "completed"
]
Reason = Annotated[str, Field(max_length=text.TEXT)]
Capacity = Annotated[StrictInt, Field(ge=1, le=service.MAX_CAPACITY)]


def to_stored(instant: datetime | None) -> datetime | None:
    return local_to_utc(instant) if instant is not None else None


# --- output ---------------------------------------------------------------------------


class SlotBookingOut(BaseModel):
    """A booking as the company sees it on its slot: a counted group, no names."""

    id: int
    school: OrganisationRef
    group_size: int
    year: Year
    path: LearningPath
    profile: Profile | None
    status: BookingStatus
    created_at: datetime


class SlotOut(BaseModel):
    id: int
    activity_id: int
    activity_title: str
    company: OrganisationRef
    starts_at: datetime
    ends_at: datetime
    capacity: int
    taken: int = Field(description="Students of requested and confirmed bookings.")
    free_places: int
    status: SlotStatus
    cancel_reason: str
    revision: int = Field(description="Raised on every change people should see.")
    bookings: list[SlotBookingOut] | None = Field(
        None, description="Only for the company's contacts and coordinators."
    )


class SlotChangeOut(SlotOut):
    warnings: list[str] = Field(description="Things to know that did not stop the change.")


def slot_out(slot: Slot, user, cls=SlotOut, **extra) -> SlotOut:
    activity = slot.activity
    bookings = None
    if sees_everything_of(user, activity):
        rows = db.session.scalars(
            select(Booking)
            .options(joinedload(Booking.school))
            .where(Booking.slot_id == slot.id)
            .order_by(Booking.created_at, Booking.id)
        ).all()
        bookings = [
            SlotBookingOut(
                id=b.id,
                school=OrganisationRef(id=b.school.id, name=b.school.name),
                group_size=b.group_size,
                year=b.year,
                path=b.path,
                profile=b.profile,
                status=b.status,
                created_at=as_utc(b.created_at),
            )
            for b in rows
        ]
    return cls(
        id=slot.id,
        activity_id=activity.id,
        activity_title=activity.title,
        company=OrganisationRef(id=activity.company.id, name=activity.company.name),
        starts_at=as_utc(slot.starts_at),
        ends_at=as_utc(slot.ends_at),
        capacity=slot.capacity,
        taken=slot.taken,
        free_places=slot.free_places,
        status=slot.status,
        cancel_reason=slot.cancel_reason or "",
        revision=slot.revision,
        bookings=bookings,
        **extra,
    )


# --- input ----------------------------------------------------------------------------


class SlotIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    starts_at: ApiDateTime
    ends_at: ApiDateTime
    capacity: Capacity = Field(description="In students.")


class SlotPatch(Patch):
    """Moves the slot or changes its capacity; its bookings follow. A new start
    without a new end keeps the length."""

    starts_at: ApiDateTime = None
    ends_at: ApiDateTime = None
    capacity: Capacity = Field(None, description="Not below the places bookings hold.")
    reason: Reason = Field("", description="Shown to the schools that booked.")


class CancelIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Reason = Field(description="Shown to the schools that booked.")


# --- loading --------------------------------------------------------------------------


def load_slot(slot_id: int, user) -> Slot:
    slot = db.session.get(Slot, slot_id)
    if slot is None or not can_view_activity(user, slot.activity):
        raise not_found(_("There is no slot with this id."))
    return slot


def load_managed_slot(slot_id: int, user) -> Slot:
    slot = load_slot(slot_id, user)
    if not can_manage_slot(user, slot):
        raise forbidden(_("Only the company's contacts can change this slot."))
    return slot


# --- operations -----------------------------------------------------------------------


@operation(
    bp,
    "POST",
    "/activities/<int:activity_id>/slots",
    summary="Add a dated slot",
    tag="slots",
    body=SlotIn,
    response=SlotChangeOut,
    status=201,
    errors=(403, 404),
)
def add_slot(activity_id: int, body: SlotIn) -> SlotChangeOut:
    user = require_user()
    activity = load_managed_activity(activity_id, user)
    outcome = service.add_slot(
        activity, to_stored(body.starts_at), to_stored(body.ends_at), body.capacity, user
    )
    db.session.commit()
    return slot_out(outcome.value, user, SlotChangeOut, warnings=outcome.warnings)


@operation(
    bp,
    "GET",
    "/slots/<int:slot_id>",
    summary="A slot: capacity, places taken, bookings",
    tag="slots",
    response=SlotOut,
    auth=False,
    errors=(404,),
)
def get_slot(slot_id: int) -> SlotOut:
    user = current_api_user()
    return slot_out(load_slot(slot_id, user), user)


@operation(
    bp,
    "PATCH",
    "/slots/<int:slot_id>",
    summary="Reschedule a slot or change its capacity",
    tag="slots",
    body=SlotPatch,
    response=SlotChangeOut,
    errors=(403, 404),
)
def reschedule_slot(slot_id: int, body: SlotPatch) -> SlotChangeOut:
    user = require_user()
    slot = load_managed_slot(slot_id, user)
    given = body.model_fields_set - {"reason"}
    if not given:
        raise ApiError(422, "invalid", _("Send a new starts_at, ends_at or capacity."))
    outcome = service.reschedule_slot(
        slot,
        user,
        starts_at=to_stored(body.starts_at),
        ends_at=to_stored(body.ends_at),
        capacity=body.capacity,
        reason=body.reason,
    )
    db.session.commit()
    return slot_out(slot, user, SlotChangeOut, warnings=outcome.warnings)


@operation(
    bp,
    "POST",
    "/slots/<int:slot_id>/cancel",
    summary="Cancel a slot; its bookings are cancelled with it",
    tag="slots",
    body=CancelIn,
    response=SlotOut,
    errors=(403, 404),
)
def cancel_slot(slot_id: int, body: CancelIn) -> SlotOut:
    user = require_user()
    slot = load_managed_slot(slot_id, user)
    service.cancel_slot(slot, body.reason, user)
    db.session.commit()
    return slot_out(slot, user)
