"""Who may do what with calendar feeds and downloads. Predicates read as sentences."""

from __future__ import annotations

from app.accounts.models import Organisation, User
from app.accounts.permissions import is_member_of
from app.bookings.models import Booking
from app.bookings.permissions import can_view_booking
from app.calendar.models import CalendarFeed
from app.catalogue.models import Slot
from app.catalogue.permissions import can_manage_slot, can_view_activity

# Organisations whose own calendar a member can subscribe to; a network's
# coordinators use filtered feeds instead.
FEED_ORGANISATION_KINDS = ("school", "company")


def _signed_in(user) -> bool:
    return user is not None and getattr(user, "is_authenticated", False)


def can_manage_feed(user: User, feed: CalendarFeed) -> bool:
    """Feeds are personal: only their owner sees, rotates or revokes one."""
    return _signed_in(user) and feed.owner_id == user.id


def can_subscribe_to_organisation(user: User, organisation: Organisation) -> bool:
    return (
        _signed_in(user)
        and organisation.kind in FEED_ORGANISATION_KINDS
        and is_member_of(user, organisation)
    )


def can_create_filtered_feed(user: User) -> bool:
    return _signed_in(user) and user.is_coordinator


def can_download_booking(user: User, booking: Booking) -> bool:
    return _signed_in(user) and can_view_booking(user, booking)


def can_download_slot(user: User, slot: Slot) -> bool:
    return can_view_activity(user, slot.activity)


def slot_view_for(user: User, slot: Slot) -> str:
    """How a slot's download reads: the company's people see the groups booked
    ("company"), coordinators too with the company named ("coordinator"),
    everyone else the public facts ("public")."""
    if not _signed_in(user):
        return "public"
    if can_manage_slot(user, slot):
        return "company"
    return "coordinator" if user.is_coordinator else "public"
