"""What a feed shows, and its bytes.

A feed's bytes are a function of the data and of its version: the window of
past and cancelled items is measured from the feed's own Last-Modified, not
from the clock, so the same version always gives the same bytes and the
ETag can be made from the version alone (docs/INTEROP-RULES.md, rule 8).
Rendered bodies are kept per worker, keyed by feed, token nonce, version and
the owner's memberships and language, so a repeated request costs one small
query and no serialising; after a change, only the events whose rows changed
are built and serialised again (content/ and ics.py memoise them).
"""

from __future__ import annotations

import gc
import threading
from collections import OrderedDict
from contextlib import contextmanager

from flask_babel import gettext as _
from sqlalchemy import (
    or_,
    select,
)

from app import vocabulary
from app.accounts.models import Organisation
from app.bookings.models import Booking
from app.calendar import content, ics
from app.calendar.models import CalendarFeed
from app.calendar.service.viewers import MANAGING_ROLES, Viewer
from app.catalogue.models import Activity
from app.extensions import db
from app.locales import speaking
from app.placements.models import Placement

# Rendered feed bodies kept per worker process, in bytes.
BODY_CACHE_BYTES = 64 * 1024 * 1024


def feed_events(feed: CalendarFeed, viewer: Viewer) -> list[ics.CalendarEvent]:
    as_of = feed.last_modified_at
    w = content.words(viewer.locale)
    links = content.Links()
    events: list[ics.CalendarEvent] = []

    def bookings(*conditions):
        rows = content.booking_rows(*conditions, as_of=as_of)
        events.extend(content.booking_event(row, w, links) for row in rows)

    def slots(view: str, *conditions):
        rows = content.slot_rows(*conditions, as_of=as_of)
        events.extend(
            content.slot_event(row, activity, found, w, links, view=view)
            for row, activity, found in rows
        )

    def placements(*conditions):
        for row, changes, holidays in content.placement_rows(*conditions, as_of=as_of):
            events.extend(content.placement_events(row, changes, holidays, w, links, as_of=as_of))

    if feed.kind == "personal":
        schools = viewer.organisation_ids("school")
        if schools:
            bookings(
                Booking.school_id.in_(schools),
                or_(Booking.teacher_id == viewer.user_id, Booking.booked_by_id == viewer.user_id),
            )
        companies = viewer.organisation_ids("company", MANAGING_ROLES)
        if companies:
            slots("company", Activity.company_id.in_(companies))
        if schools or companies:
            # The hybrid teachers at one's school, or sent by one's company.
            placements(or_(Placement.school_id.in_(schools), Placement.company_id.in_(companies)))
    elif feed.kind == "organisation":
        kind = next(k for org, _r, k in viewer.memberships if org == feed.organisation_id)
        if kind == "school":
            bookings(Booking.school_id == feed.organisation_id)
            placements(Placement.school_id == feed.organisation_id)
        else:
            slots("company", Activity.company_id == feed.organisation_id)
            placements(Placement.company_id == feed.organisation_id)
    else:
        slots("coordinator", *content.filter_conditions(feed.filters or {}))
        placements(*content.placement_filter_conditions(feed.filters or {}))
    # An override shares its series' UID; the series comes first.
    events.sort(
        key=lambda e: (
            e.starts_at,
            e.uid,
            e.recurrence_id is not None,
            e.recurrence_id or e.starts_at,
        )
    )
    return events


def _filters_text(filters: dict) -> str:
    parts = []
    words = {
        "regions": (_("Region"), vocabulary.HOLIDAY_REGIONS),
        "sectors": (_("Sector"), vocabulary.SECTORS),
        "profiles": (_("Profile"), vocabulary.PROFILES),
        "kinds": (_("Kind"), content.FEED_KINDS),
    }
    for key, (label, codes) in words.items():
        if filters.get(key):
            parts.append(f"{label}: " + ", ".join(str(codes[c]) for c in filters[key]))
    for key, label in (("schools", _("School")), ("companies", _("Company"))):
        if filters.get(key):
            names = db.session.scalars(
                select(Organisation.name)
                .where(Organisation.id.in_(filters[key]))
                .order_by(Organisation.name)
            )
            parts.append(f"{label}: " + ", ".join(content.redact(n) for n in names))
    return "; ".join(parts) or _("everything")


def feed_description(feed: CalendarFeed, viewer: Viewer) -> str:
    with speaking(viewer.locale):
        if feed.kind == "personal":
            return _("Your bookings and your company's activities in Techniekpoort.")
        if feed.kind == "organisation":
            organisation = db.session.get(Organisation, feed.organisation_id)
            template = (
                _("Bookings of %(name)s in Techniekpoort.")
                if organisation.kind == "school"
                else _("Activities of %(name)s in Techniekpoort.")
            )
            return template % {"name": content.redact(organisation.name)}
        return _("Activities in Techniekpoort: %(filters)s.") % {
            "filters": _filters_text(feed.filters or {})
        }


def feed_document(feed: CalendarFeed, viewer: Viewer) -> ics.CalendarDocument:
    return ics.CalendarDocument(
        name=feed.name,
        description=feed_description(feed, viewer),
        events=tuple(feed_events(feed, viewer)),
    )


class _BodyCache:
    """Least recently used feed bodies, bounded in bytes, shared by the
    threads of one worker."""

    def __init__(self, limit: int):
        self.limit = limit
        self.size = 0
        self.items: OrderedDict[tuple, bytes] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: tuple) -> bytes | None:
        with self.lock:
            body = self.items.get(key)
            if body is not None:
                self.items.move_to_end(key)
            return body

    def put(self, key: tuple, body: bytes) -> None:
        if len(body) > self.limit:
            return
        with self.lock:
            if key in self.items:
                return
            self.items[key] = body
            self.size += len(body)
            while self.size > self.limit:
                _key, old = self.items.popitem(last=False)
                self.size -= len(old)

    def clear(self) -> None:
        with self.lock:
            self.items.clear()
            self.size = 0


body_cache = _BodyCache(BODY_CACHE_BYTES)


def feed_etag(feed: CalendarFeed, viewer: Viewer) -> str:
    """Strong: equal ETags mean identical bytes."""
    return f"{feed.version}.{viewer.fingerprint()}"


@contextmanager
def _without_cycle_collection():
    """Rendering a large feed makes hundreds of thousands of small objects
    (rows, events, strings) and no reference cycles; the cyclic garbage
    collector, set off by the allocations alone, then took a third of the
    time going through every object of the process. Reference counting
    still frees everything; the collector resumes afterwards."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def feed_body(feed: CalendarFeed, viewer: Viewer) -> bytes:
    key = (feed.id, feed.token_nonce, feed.version, viewer.fingerprint())
    body = body_cache.get(key)
    if body is None:
        with _without_cycle_collection():
            body = ics.serialize(feed_document(feed, viewer))
        body_cache.put(key, body)
    return body
