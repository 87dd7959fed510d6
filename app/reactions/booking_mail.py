"""Mails and in-app notifications about bookings: who hears what, when a
booking or its slot changes.

    BookingRequested   -> company contact: confirm or decline (on the booking page)
    BookingConfirmed   -> teacher: confirmed, with the booking as .ics attached;
                          company contact too when the activity needs no
                          approval (they have not seen the booking yet)
    BookingDeclined    -> teacher, with the reason
    BookingWaitlisted  -> teacher
    BookingPromoted    -> teacher and company contact
    BookingCancelled   -> company contact (the school cancelled)
    SlotRescheduled    -> teachers of the slot's active bookings, when it moved
    SlotCancelled      -> teachers of the bookings it cancelled
"""

from __future__ import annotations

import base64
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.bookings.models import ACTIVE, Booking
from app.calendar.service import booking_ics
from app.catalogue.models import Slot
from app.events import types as ev
from app.extensions import db
from app.notifications.links import booking_path
from app.notifications.reminders import (
    booking_parties,
    company_contacts,
    mail_context,
    school_teacher,
)
from app.notifications.service import notify


def _tell(people, booking: Booking, kind: str, subject, key: str, **extra) -> None:
    for person in people:
        notify(
            person,
            kind,
            subject=subject,
            link_path=booking_path(booking.id),
            dedupe_key=f"{key}:{booking.id}:{person.id}",
            booking_id=booking.id,
            **mail_context(booking, person),
            **extra,
        )


def _booking(event: ev.BookingEvent) -> Booking:
    return db.session.get(Booking, event.booking_id)


def booking_requested(event: ev.BookingRequested) -> None:
    booking = _booking(event)
    title = booking.slot.activity.title
    _tell(
        company_contacts(booking.slot.activity),
        booking,
        "booking_requested",
        lambda: _l("New booking request for %(title)s", title=title),
        "requested",
    )


def _calendar_file(booking: Booking, person):
    """The booking as .ics, made for this reader (their language, the other
    party's contact person), for the teacher to add to a calendar."""

    def make() -> list[dict]:
        data = booking_ics(booking, person)
        return [
            {
                "filename": f"techniekpoort-booking-{booking.id}.ics",
                "content_type": "text/calendar",
                "data": base64.b64encode(data).decode(),
            }
        ]

    return make


def booking_confirmed(event: ev.BookingConfirmed) -> None:
    booking = _booking(event)
    activity = booking.slot.activity
    for teacher in school_teacher(booking):
        _tell(
            [teacher],
            booking,
            "booking_confirmed",
            lambda: _l("Booking confirmed: %(title)s", title=activity.title),
            "confirmed",
            attachments=_calendar_file(booking, teacher),
        )
    if not activity.requires_approval:
        _tell(
            company_contacts(activity),
            booking,
            "booking_received",
            lambda: _l("New booking for %(title)s", title=activity.title),
            "received",
        )


def booking_declined(event: ev.BookingDeclined) -> None:
    booking = _booking(event)
    title = booking.slot.activity.title
    _tell(
        school_teacher(booking),
        booking,
        "booking_declined",
        lambda: _l("Booking declined: %(title)s", title=title),
        "declined",
        reason=event.reason,
    )


def booking_waitlisted(event: ev.BookingWaitlisted) -> None:
    booking = _booking(event)
    title = booking.slot.activity.title
    _tell(
        school_teacher(booking),
        booking,
        "booking_waitlisted",
        lambda: _l("On the waiting list: %(title)s", title=title),
        "waitlisted",
    )


def booking_promoted(event: ev.BookingPromoted) -> None:
    booking = _booking(event)
    title = booking.slot.activity.title
    _tell(
        booking_parties(booking),
        booking,
        "booking_promoted",
        lambda: _l("Places came free: %(title)s", title=title),
        "promoted",
        promoted_to=event.status,
    )


def booking_cancelled(event: ev.BookingCancelled) -> None:
    """The school cancelled; slot cancellations by the company are told by
    slot_cancelled. The dedupe key makes a second cancellation event silent."""
    if event.by != "school":
        return
    booking = _booking(event)
    title = booking.slot.activity.title
    _tell(
        company_contacts(booking.slot.activity),
        booking,
        "booking_cancelled",
        lambda: _l("Booking cancelled: %(title)s", title=title),
        "cancelled",
        reason=event.reason,
    )


def slot_rescheduled(event: ev.SlotRescheduled) -> None:
    if event.old_starts_at == event.new_starts_at:
        return  # only the capacity (or the end) changed: nothing a teacher acts on
    slot = db.session.get(Slot, event.slot_id)
    old_start = datetime.fromisoformat(event.old_starts_at)
    for booking in db.session.scalars(
        select(Booking)
        .where(Booking.slot_id == slot.id, Booking.status.in_(ACTIVE))
        .order_by(Booking.id)
    ):
        _tell(
            school_teacher(booking),
            booking,
            "slot_rescheduled",
            lambda: _l("New date for %(title)s", title=slot.activity.title),
            # One mail per move: the slot's revision rises with every change.
            f"rescheduled:r{slot.revision}",
            old_starts_at=old_start,
            reason=event.reason,
        )


def slot_cancelled(event: ev.SlotCancelled) -> None:
    """Runs after bookings.follow_cancelled_slot, which cancelled the slot's
    active bookings on behalf of the company."""
    slot = db.session.get(Slot, event.slot_id)
    for booking in db.session.scalars(
        select(Booking)
        .where(
            Booking.slot_id == slot.id,
            Booking.status == "cancelled",
            Booking.cancelled_by == "company",
        )
        .order_by(Booking.id)
    ):
        _tell(
            school_teacher(booking),
            booking,
            "slot_cancelled",
            lambda: _l("Cancelled by the company: %(title)s", title=slot.activity.title),
            "slot-cancelled",
            reason=event.reason,
        )
