"""Planned mails follow the bookings: reminders before the activity, an
evaluation request after it.

    BookingConfirmed, BookingPromoted (to confirmed)  -> plan reminders
    SlotRescheduled, ActivityChanged                  -> plan again (the unsent ones)
    BookingCancelled, BookingDeclined, SlotCancelled  -> withdraw the unsent ones
    BookingCompleted                                  -> plan the evaluation request
"""

from __future__ import annotations

from sqlalchemy import select

from app.bookings.models import Booking
from app.catalogue.models import Activity, Slot
from app.events import types as ev
from app.extensions import db
from app.notifications import reminders


def plan_for_confirmed(event: ev.BookingConfirmed) -> None:
    reminders.plan_reminders(db.session.get(Booking, event.booking_id))


def plan_for_promoted(event: ev.BookingPromoted) -> None:
    if event.status == "confirmed":
        reminders.plan_reminders(db.session.get(Booking, event.booking_id))


def replan_for_slot(event: ev.SlotRescheduled) -> None:
    reminders.replan_slot(db.session.get(Slot, event.slot_id))


def replan_for_activity(event: ev.ActivityChanged) -> None:
    reminders.replan_activity(db.session.get(Activity, event.activity_id))


def withdraw_for_booking(event: ev.BookingEvent) -> None:
    reminders.withdraw_planned(event.booking_id)


def withdraw_for_slot(event: ev.SlotCancelled) -> None:
    for booking_id in db.session.scalars(
        select(Booking.id).where(Booking.slot_id == event.slot_id)
    ):
        reminders.withdraw_planned(booking_id)


def plan_evaluation(event: ev.BookingCompleted) -> None:
    reminders.plan_evaluation_request(db.session.get(Booking, event.booking_id))
