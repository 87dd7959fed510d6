"""The catalogue's cached pages follow every change they show: each of these
events raises the catalogue version when its transaction commits, and every
web process renders the catalogue afresh on its next request
(app/catalogue/cache.py).

What the catalogue shows: open future slots (date, free places) of published
activities (title, kind, place) of approved companies. Waiting-list and
completion events leave the places as they are and are not listed here."""

from __future__ import annotations

from app.catalogue import cache
from app.events import types as ev

SHOWN_IN_CATALOGUE: tuple[type[ev.Event], ...] = (
    ev.ActivityPublished,
    ev.ActivityChanged,
    ev.ActivityArchived,
    ev.SlotAdded,
    ev.SlotRescheduled,
    ev.SlotCancelled,
    ev.BookingRequested,
    ev.BookingConfirmed,
    ev.BookingDeclined,
    ev.BookingPromoted,
    ev.BookingCancelled,
    ev.OrganisationApproved,
)


def catalogue_changed(event: ev.Event) -> None:
    cache.catalogue_changed()
