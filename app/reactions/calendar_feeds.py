"""Calendar feeds follow the changes they show: each handler raises the
version (and with it the ETag and Last-Modified) of the feeds that show the
thing the event is about (docs/INTEROPERABILITY.md, rules 2, 3 and 8)."""

from __future__ import annotations

from datetime import date

from app.calendar import service
from app.events import types as ev
from app.placements.service import placements_in_holidays


def booking_changed(event: ev.BookingEvent) -> None:
    service.bump_for_booking(event.booking_id, event.company_id)


def slot_changed(event: ev.SlotAdded | ev.SlotRescheduled | ev.SlotCancelled) -> None:
    service.bump_for_slots({event.slot_id})


def activity_shown_or_hidden(event: ev.ActivityPublished | ev.ActivityArchived) -> None:
    service.bump_for_activity(event.activity_id, event.company_id, attributes_changed=False)


def activity_changed(event: ev.ActivityChanged) -> None:
    """Title, place, kind, sectors or profiles: every slot's event may read
    differently, and a filtered feed may gain or lose the activity."""
    service.bump_for_activity(event.activity_id, event.company_id, attributes_changed=True)


def member_joined(event: ev.MemberJoined | ev.MemberRoleChanged | ev.MemberLeft) -> None:
    """What the person's own feeds show follows their memberships."""
    service.bump_for_member(event.user_id)


def organisation_changed(event: ev.OrganisationUpdated) -> None:
    service.bump_for_organisation(event.organisation_id, event.kind)


def placement_changed(
    event: ev.PlacementAgreed | ev.PlacementLessonChanged | ev.PlacementEnded,
) -> None:
    """A placement now shows in calendars, one of its lessons moved or was
    cancelled, or it ended: its recurring event reads differently."""
    service.bump_for_placement(event.placement_id, event.school_id, event.company_id)


def holidays_changed(event: ev.HolidaysChanged) -> None:
    """The EXDATEs of the region's placement series in these days change."""
    for placement in placements_in_holidays(
        event.region, date.fromisoformat(event.first_day), date.fromisoformat(event.last_day)
    ):
        service.bump_for_placement(placement.id, placement.school_id, placement.company_id)
