"""What happens when: the one table of the system's reactions to its events.

Each handler runs in the transaction of the change that emitted the event, so
it must only change rows (queue a mail, plan a reminder, bump a feed version);
talking to the outside world happens later, in the scheduler process. Handlers
of one event run in the order listed: the domain's own follow-up first (a
cancelled slot cancels its bookings), then what reports on it (mails,
reminders, calendar feeds, the catalogue's cache, the reach figures).
"""

from __future__ import annotations

from collections.abc import Callable

from app.bookings import service as bookings
from app.events import types as ev
from app.events.handlers import (
    accounts_mail,
    booking_mail,
    calendar_feeds,
    catalogue_cache,
    reminders,
)
from app.insights import facts as reach_facts

feeds = calendar_feeds
catalogue = catalogue_cache.catalogue_changed

HANDLERS: dict[type[ev.Event], list[Callable[[ev.Event], None]]] = {
    # organisations and people
    ev.OrganisationRegistered: [accounts_mail.tell_coordinators_about_registration],
    ev.OrganisationApproved: [accounts_mail.tell_members_about_approval, catalogue],
    ev.MemberInvited: [accounts_mail.send_invitation],
    ev.MemberJoined: [feeds.member_joined],
    ev.PasswordResetRequested: [accounts_mail.send_password_reset_link],
    # catalogue
    ev.ActivityPublished: [feeds.activity_shown_or_hidden, catalogue],
    ev.ActivityChanged: [
        reminders.replan_for_activity,
        feeds.activity_changed,
        catalogue,
        reach_facts.activity_changed,
    ],
    ev.ActivityArchived: [feeds.activity_shown_or_hidden, catalogue],
    ev.SlotAdded: [feeds.slot_changed, catalogue],
    ev.SlotRescheduled: [
        bookings.follow_rescheduled_slot,
        booking_mail.slot_rescheduled,
        reminders.replan_for_slot,
        feeds.slot_changed,
        catalogue,
        reach_facts.slot_rescheduled,
    ],
    ev.SlotCancelled: [
        bookings.follow_cancelled_slot,
        booking_mail.slot_cancelled,
        reminders.withdraw_for_slot,
        feeds.slot_changed,
        catalogue,
    ],
    # bookings
    ev.BookingRequested: [booking_mail.booking_requested, feeds.booking_changed, catalogue],
    ev.BookingConfirmed: [
        booking_mail.booking_confirmed,
        reminders.plan_for_confirmed,
        feeds.booking_changed,
        catalogue,
    ],
    ev.BookingDeclined: [
        booking_mail.booking_declined,
        reminders.withdraw_for_booking,
        feeds.booking_changed,
        catalogue,
    ],
    ev.BookingWaitlisted: [booking_mail.booking_waitlisted, feeds.booking_changed],
    ev.BookingPromoted: [
        booking_mail.booking_promoted,
        reminders.plan_for_promoted,
        feeds.booking_changed,
        catalogue,
    ],
    ev.BookingCancelled: [
        booking_mail.booking_cancelled,
        reminders.withdraw_for_booking,
        feeds.booking_changed,
        catalogue,
    ],
    ev.BookingCompleted: [
        reminders.plan_evaluation,
        feeds.booking_changed,
        reach_facts.booking_completed,
    ],
    # evaluations
    ev.EvaluationSubmitted: [reach_facts.evaluation_submitted],
}


def handlers_for(event_type: type[ev.Event]) -> list[Callable[[ev.Event], None]]:
    return HANDLERS.get(event_type, [])
