"""What happens when: the one table of the system's reactions to its events.

Each handler runs in the transaction of the change that emitted the event, so
it must only change rows (queue a mail, create a reminder, bump a feed version);
talking to the outside world happens later, in the scheduler process.
"""

from __future__ import annotations

from collections.abc import Callable

from app.events import types as ev
from app.bookings import service as bookings
from app.events.handlers import accounts_mail

HANDLERS: dict[type[ev.Event], list[Callable[[ev.Event], None]]] = {
    ev.OrganisationRegistered: [accounts_mail.tell_coordinators_about_registration],
    ev.OrganisationApproved: [accounts_mail.tell_members_about_approval],
    ev.MemberInvited: [accounts_mail.send_invitation],
    ev.PasswordResetRequested: [accounts_mail.send_password_reset_link],
    ev.SlotCancelled: [bookings.follow_cancelled_slot],
    ev.SlotRescheduled: [bookings.follow_rescheduled_slot],
}


def handlers_for(event_type: type[ev.Event]) -> list[Callable[[ev.Event], None]]:
    return HANDLERS.get(event_type, [])
