"""Mails and in-app notifications about bookings, as one table: for each
event, which mails go to whom, about what, and when.

    BookingRequested   -> company contact: confirm or decline (on the booking page)
    BookingConfirmed   -> teacher: confirmed, with the booking as .ics attached;
                          company contact too when the activity needs no
                          approval (they have not seen the booking yet)
    BookingDeclined    -> teacher, with the reason
    BookingWaitlisted  -> teacher, with the place in line and a link to leave
    BookingPromoted    -> teacher and company contact, with the rule that chose it
    BookingOffered     -> teacher: accept by the deadline (a link that needs no
                          sign-in), with the rule; not sent after the deadline
    BookingOfferLapsed -> teacher: the offer passed to the next in line
    BookingCancelled   -> company contact, when the school cancelled
    SlotRescheduled    -> teachers of the slot's active bookings, when it moved
    SlotCancelled      -> teachers of the bookings it cancelled

A new mail about a booking is one more `Mail` in the table, with its
template pair emails/<kind>.html and .txt (docs/ARCHITECTURE.md, "A new mail").
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.accounts.models import User
from app.bookings import waiting_list
from app.bookings.models import ACTIVE, Booking
from app.calendar.service import booking_ics
from app.catalogue.models import Slot
from app.events import types as ev
from app.extensions import db
from app.notifications.compose import absolute_url
from app.notifications.links import booking_path
from app.notifications.reminders import (
    booking_parties,
    company_contacts,
    mail_context,
    school_teacher,
)
from app.notifications.service import notify


def _always(event, booking: Booking) -> bool:
    return True


def _nothing(event, booking: Booking, person: User) -> dict:
    return {}


def _contacts(booking: Booking) -> list[User]:
    return company_contacts(booking.slot.activity)


@dataclass(frozen=True)
class Mail:
    """One mail about a booking, to each of `to(booking)`."""

    kind: str  # the notification's kind and the templates' name
    to: Callable[[Booking], Iterable[User]]
    subject: Callable[[str], object]  # given the activity's title, in the reader's language
    # Its dedupe key's stem: one mail per booking, reader and stem (a repeated
    # event is silent). A function when one booking may get it more than once.
    key: str | Callable[[Booking], str]
    when: Callable[[object, Booking], bool] = _always
    extra: Callable[[object, Booking, User], dict] = _nothing

    def send(self, event, booking: Booking) -> None:
        if not self.when(event, booking):
            return
        title = booking.slot.activity.title
        key = self.key(booking) if callable(self.key) else self.key
        for person in self.to(booking):
            notify(
                person,
                self.kind,
                subject=lambda: self.subject(title),
                link_path=booking_path(booking.id),
                dedupe_key=f"{key}:{booking.id}:{person.id}",
                booking_id=booking.id,
                **mail_context(booking, person),
                **self.extra(event, booking, person),
            )


def about_the_booking(name: str, *mails: Mail) -> Callable[[ev.BookingEvent], None]:
    """The reaction that sends `mails` about the event's booking."""

    def react(event: ev.BookingEvent) -> None:
        booking = db.session.get(Booking, event.booking_id)
        for mail in mails:
            mail.send(event, booking)

    react.__name__ = react.__qualname__ = name
    return react


def about_its_bookings(
    name: str, mail: Mail, bookings: Callable[[Slot], object], when=lambda event: True
) -> Callable[[ev.SlotRescheduled | ev.SlotCancelled], None]:
    """The reaction that sends `mail` about each of a slot's `bookings`."""

    def react(event) -> None:
        if not when(event):
            return
        slot = db.session.get(Slot, event.slot_id)
        for booking in db.session.scalars(bookings(slot).order_by(Booking.id)):
            mail.send(event, booking)

    react.__name__ = react.__qualname__ = name
    return react


def _calendar_file(event, booking: Booking, person: User) -> dict:
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

    return {"attachments": make}


def _reason(event, booking: Booking, person: User) -> dict:
    return {"reason": event.reason}


def _answer_link(booking: Booking, person: User) -> str:
    """The signed page where `person` leaves the list or answers an offer
    without signing in (bookings.waiting_list_views.answer_by_link)."""
    token = waiting_list.link_token(booking, person)
    return absolute_url("waiting_lists.answer_by_link", token=token)


def _place_in_line(event, booking: Booking, person: User) -> dict:
    return {
        "place": waiting_list.place_in_line(booking),
        "answer_link": _answer_link(booking, person),
    }


def _the_rule(event, booking: Booking, person: User) -> dict:
    return {"promoted_to": event.status, "rule": waiting_list.RULE_EXPLAINED[event.rule]}


def _the_offer(event, booking: Booking, person: User) -> dict:
    deadline = datetime.fromisoformat(event.expires_at)
    return {
        "deadline": deadline,
        # An offer read after its deadline only disappoints: not sent late.
        "expires_at": deadline,
        "rule": waiting_list.RULE_EXPLAINED[event.rule],
        "answer_link": _answer_link(booking, person),
    }


# --- the table ---------------------------------------------------------------------


booking_requested = about_the_booking(
    "booking_requested",
    Mail(
        "booking_requested",
        to=_contacts,
        subject=lambda title: _l("New booking request for %(title)s", title=title),
        key="requested",
    ),
)

booking_confirmed = about_the_booking(
    "booking_confirmed",
    Mail(
        "booking_confirmed",
        to=school_teacher,
        subject=lambda title: _l("Booking confirmed: %(title)s", title=title),
        key="confirmed",
        extra=_calendar_file,
    ),
    Mail(
        "booking_received",
        to=_contacts,
        subject=lambda title: _l("New booking for %(title)s", title=title),
        key="received",
        when=lambda event, booking: not booking.slot.activity.requires_approval,
    ),
)

booking_declined = about_the_booking(
    "booking_declined",
    Mail(
        "booking_declined",
        to=school_teacher,
        subject=lambda title: _l("Booking declined: %(title)s", title=title),
        key="declined",
        extra=_reason,
    ),
)

booking_waitlisted = about_the_booking(
    "booking_waitlisted",
    Mail(
        "booking_waitlisted",
        to=school_teacher,
        subject=lambda title: _l("On the waiting list: %(title)s", title=title),
        key="waitlisted",
        extra=_place_in_line,
    ),
)

booking_promoted = about_the_booking(
    "booking_promoted",
    Mail(
        "booking_promoted",
        to=booking_parties,
        subject=lambda title: _l("Places came free: %(title)s", title=title),
        key="promoted",
        extra=_the_rule,
    ),
)

booking_offered = about_the_booking(
    "booking_offered",
    Mail(
        "booking_offered",
        to=school_teacher,
        subject=lambda title: _l("A place is offered to you: %(title)s", title=title),
        key="offered",
        extra=_the_offer,
    ),
)

booking_offer_lapsed = about_the_booking(
    "booking_offer_lapsed",
    Mail(
        "booking_offer_lapsed",
        to=school_teacher,
        subject=lambda title: _l("The offer has lapsed: %(title)s", title=title),
        key="lapsed",
    ),
)

# The school cancelled; a company's cancellation of the slot is told by
# slot_cancelled.
booking_cancelled = about_the_booking(
    "booking_cancelled",
    Mail(
        "booking_cancelled",
        to=_contacts,
        subject=lambda title: _l("Booking cancelled: %(title)s", title=title),
        key="cancelled",
        when=lambda event, booking: event.by == "school",
        extra=_reason,
    ),
)

# Only when the slot moved: a new capacity (or end) is nothing a teacher acts on.
slot_rescheduled = about_its_bookings(
    "slot_rescheduled",
    Mail(
        "slot_rescheduled",
        to=school_teacher,
        subject=lambda title: _l("New date for %(title)s", title=title),
        # One mail per move: the slot's revision rises with every change.
        key=lambda booking: f"rescheduled:r{booking.slot.revision}",
        extra=lambda event, booking, person: {
            "old_starts_at": datetime.fromisoformat(event.old_starts_at),
            "reason": event.reason,
        },
    ),
    bookings=lambda slot: select(Booking).where(
        Booking.slot_id == slot.id, Booking.status.in_(ACTIVE)
    ),
    when=lambda event: event.old_starts_at != event.new_starts_at,
)

# Runs after bookings.follow_cancelled_slot, which cancelled the slot's active
# bookings on behalf of the company.
slot_cancelled = about_its_bookings(
    "slot_cancelled",
    Mail(
        "slot_cancelled",
        to=school_teacher,
        subject=lambda title: _l("Cancelled by the company: %(title)s", title=title),
        key="slot-cancelled",
        extra=_reason,
    ),
    bookings=lambda slot: select(Booking).where(
        Booking.slot_id == slot.id,
        Booking.status == "cancelled",
        Booking.cancelled_by == "company",
    ),
)
