"""What happens when: the one table of the system's reactions to its events.

This is the composition root of the events: `app/events` declares the event
types and `emit()` and depends on no domain; this package names, for every
event type, the domain functions that follow it, and `create_app` installs the
table (`install`). Reading it top to bottom shows the whole reaction of the
system to a change (docs/ARCHITECTURE.md, "How an event flows").

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
from app.events import install_reactions
from app.events import types as ev
from app.insights import cache as insights_cache
from app.insights import facts as reach_facts
from app.placements import service as placements
from app.reactions import (
    accounts_mail,
    booking_mail,
    calendar_feeds,
    catalogue_cache,
    placement_hr,
    placement_mail,
    reminders,
    request_mail,
)
from app.school_requests import service as requests

feeds = calendar_feeds
catalogue = catalogue_cache.catalogue_changed
# What the catalogue offers changed, not only its dates or places: also the
# filters' index of each web process (app/catalogue/offer_index.py).
offer = catalogue_cache.offer_changed
# Coverage and the confirmed groups still to come on the dashboard.
figures = insights_cache.event_changed_figures

REACTIONS: dict[type[ev.Event], list[Callable[[ev.Event], None]]] = {
    # organisations and people
    ev.OrganisationRegistered: [accounts_mail.tell_coordinators_about_registration],
    ev.OrganisationApproved: [accounts_mail.tell_members_about_approval, offer, figures],
    ev.OrganisationUpdated: [feeds.organisation_changed, offer, figures],
    ev.MemberInvited: [accounts_mail.send_invitation],
    ev.MemberJoined: [feeds.member_joined],
    ev.MemberRoleChanged: [feeds.member_joined],
    ev.MemberLeft: [feeds.member_joined],
    ev.PasswordResetRequested: [accounts_mail.send_password_reset_link],
    # The history of the account shows it; the person did it themselves.
    ev.PasswordChanged: [],
    ev.SignUpWithKnownAddress: [accounts_mail.tell_the_known_address_about_the_sign_up],
    ev.InactiveAccountWarned: [accounts_mail.warn_inactive_account],
    # Deleting an account changes the rows that named the person, whose
    # names no cached page or feed shows; nothing else follows.
    ev.AccountDeleted: [],
    # school holidays
    ev.HolidaysChanged: [placements.follow_changed_holidays, feeds.holidays_changed],
    # curriculum: the catalogue shows the entries' names with the tags
    ev.CurriculumChanged: [catalogue],
    # Suggestions and coverage read the offers when they are asked for.
    ev.SchoolOfferChanged: [],
    # catalogue
    ev.ActivityPublished: [feeds.activity_shown_or_hidden, offer, figures],
    ev.ActivityChanged: [
        reminders.replan_for_activity,
        feeds.activity_changed,
        offer,
        reach_facts.activity_changed,
        figures,
    ],
    ev.ActivityArchived: [feeds.activity_shown_or_hidden, offer, figures],
    ev.SlotAdded: [feeds.slot_changed, catalogue, figures],
    ev.SlotRescheduled: [
        bookings.follow_rescheduled_slot,
        booking_mail.slot_rescheduled,
        reminders.replan_for_slot,
        feeds.slot_changed,
        catalogue,
        reach_facts.slot_rescheduled,
        figures,
    ],
    ev.SlotCancelled: [
        bookings.follow_cancelled_slot,
        requests.follow_cancelled_slot,
        booking_mail.slot_cancelled,
        reminders.withdraw_for_slot,
        feeds.slot_changed,
        catalogue,
        figures,
    ],
    # bookings
    ev.BookingRequested: [
        booking_mail.booking_requested,
        feeds.booking_changed,
        catalogue,
        figures,
    ],
    ev.BookingConfirmed: [
        booking_mail.booking_confirmed,
        reminders.plan_for_confirmed,
        feeds.booking_changed,
        catalogue,
        figures,
    ],
    ev.BookingDeclined: [
        booking_mail.booking_declined,
        reminders.withdraw_for_booking,
        feeds.booking_changed,
        catalogue,
        figures,
    ],
    ev.BookingWaitlisted: [booking_mail.booking_waitlisted, feeds.booking_changed],
    ev.BookingPromoted: [
        booking_mail.booking_promoted,
        reminders.plan_for_promoted,
        feeds.booking_changed,
        catalogue,
        figures,
    ],
    ev.BookingOffered: [
        booking_mail.booking_offered,
        feeds.booking_changed,
        catalogue,
        figures,
    ],
    ev.BookingOfferLapsed: [
        booking_mail.booking_offer_lapsed,
        feeds.booking_changed,
        catalogue,
        figures,
    ],
    # The school did it itself, and a waiting group was no part of the
    # company's plans: nobody is told.
    ev.BookingLeftWaitingList: [feeds.booking_changed, catalogue, figures],
    ev.BookingCancelled: [
        booking_mail.booking_cancelled,
        reminders.withdraw_for_booking,
        feeds.booking_changed,
        catalogue,
        figures,
    ],
    ev.BookingCompleted: [
        reminders.plan_evaluation,
        feeds.booking_changed,
        reach_facts.booking_completed,
    ],
    # evaluations
    ev.EvaluationSubmitted: [reach_facts.evaluation_submitted],
    # hybrid-teacher placements
    ev.PlacementProposed: [placement_mail.placement_proposed],
    ev.PlacementCountered: [placement_mail.placement_countered],
    ev.PlacementHrRecorded: [placement_hr.plan_hr_reminders],
    ev.PlacementAgreed: [
        requests.follow_agreed_placement,
        placement_mail.placement_agreed,
        feeds.placement_changed,
        figures,
    ],
    ev.PlacementDeclined: [requests.follow_closed_placement, placement_mail.placement_declined],
    ev.PlacementWithdrawn: [requests.follow_closed_placement, placement_mail.placement_withdrawn],
    ev.PlacementLessonChanged: [placement_mail.placement_lesson_changed, feeds.placement_changed],
    ev.PlacementEnded: [placement_mail.placement_ended, feeds.placement_changed, figures],
    ev.CandidateRegistered: [placement_mail.candidate_registered],
    # The candidate joins the pool the coordinators search; nobody else is told.
    ev.CandidateApproved: [],
    # school requests
    ev.RequestPosted: [],  # companies hear in their weekly digest (notifications.digests)
    ev.RequestAnswered: [request_mail.request_answered],
    ev.RequestFulfilled: [request_mail.request_fulfilled],
    ev.RequestWithdrawn: [request_mail.request_withdrawn],
    ev.RequestExpired: [request_mail.request_expired],
}


def install(app) -> None:
    """Give `emit()` this table for every request, command and job of `app`."""
    install_reactions(app, REACTIONS)
