"""What every point of view of a calendar shares: the window of what a feed
keeps, the words of one language and the links back (looked up once per
feed), the redaction of private details, and reading rows as named tuples."""

from __future__ import annotations

import re
from collections import namedtuple
from dataclasses import dataclass, fields
from datetime import datetime
from functools import lru_cache
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Integer, type_coerce
from sqlalchemy.orm import aliased

from app import vocabulary
from app.accounts.models import Organisation
from app.bookings.models import Booking
from app.catalogue.models import Activity
from app.extensions import db
from app.locales import speaking

# Cancelled and declined things stay visible this long, as STATUS:CANCELLED
# (rule 3); past ones this long, so a feed does not grow without end.
CANCELLED_DAYS = 30


PAST_DAYS = 183


# Where links point and UIDs live when TECHNIEKPOORT_BASE_URL is not set.
DEFAULT_BASE_URL = "http://127.0.0.1:5000"


DEFAULT_UID_HOST = "techniekpoort.invalid"


# Booking states shown as a group on a slot's event.
GROUP_STATES = ("requested", "confirmed", "completed")


# Activities whose slots calendars show: drafts are not on offer yet.
VISIBLE_ACTIVITIES = ("published", "archived")


# The booking page, whichever of these the bookings package registers; the
# activity page otherwise.
BOOKING_ENDPOINTS = ("bookings.show",)


PLACEMENT_ENDPOINT = "placements.detail"


# A coordinator's "kinds" filter: the activity kinds, and this for placements.
PLACEMENT_KIND = "placement"


FEED_KINDS = {**vocabulary.ACTIVITY_KINDS, PLACEMENT_KIND: _l("Hybrid-teacher lessons")}


# Placements a calendar shows: agreed ones, and ended ones for their lessons
# that took place (proposals are not in anyone's calendar yet).
PLACEMENT_STATES = ("agreed", "ended")


_EMAIL = r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"


_PHONE = r"\+?\(?\d[\d \t().\-/]{7,}\d"


_PRIVATE = re.compile(f"({_EMAIL})|(?<![\\w+])({_PHONE})(?!\\w)")


REDACTED = "[…]"


_DATE = re.compile(r"\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}")


@lru_cache(maxsize=65_536)
def redact(text: str) -> str:
    """Free text without e-mail addresses and phone numbers. A phone number
    here starts with +, 0 or ( and has nine digits or more; dates ("04-03-2026
    10:00"), postcodes and counts stay."""

    def replace(match: re.Match) -> str:
        if match.group(1):
            return REDACTED
        candidate = match.group(2)
        digits = sum(c.isdigit() for c in candidate)
        if digits < 9 or candidate[0] not in "+0(":
            return candidate
        if candidate[0] != "+" and _DATE.match(candidate):
            return candidate
        return REDACTED

    return _PRIVATE.sub(replace, text) if text else text


def base_url() -> str:
    return current_app.config.get("BASE_URL") or DEFAULT_BASE_URL


def uid_host() -> str:
    """From the configured base URL, never from the request: a UID must not
    change with the host name a client happened to use (rule 1)."""
    return urlsplit(current_app.config.get("BASE_URL") or "").hostname or DEFAULT_UID_HOST


@dataclass(frozen=True, eq=False)
class Words:
    """The labels of one language, looked up once per feed rather than once
    per event (gettext per call would cost more than the serialising).
    Equal when every label is equal, so that events can be memoised."""

    kinds: dict
    sectors: dict
    venues: dict
    booking_states: dict
    group: str
    group_profile: str
    group_line: str
    company: str
    school: str
    places: str
    groups: str
    waiting: str
    cancelled_prefix: str
    cancelled_by_school: str
    cancelled_by_company: str
    declined: str
    slot_cancelled: str
    at_school: str
    no_groups: str
    more_info: str
    placement_kind: str
    placement_summary: str
    subjects: str
    hours: str
    lesson_cancelled: str
    lesson_moved: str
    placement_ended: str

    def __post_init__(self):
        # Every memoised event hashes its Words: worked out once, not per event.
        key = tuple(
            tuple(value.items()) if isinstance(value, dict) else value
            for value in (getattr(self, f.name) for f in fields(self))
        )
        object.__setattr__(self, "_key", key)
        object.__setattr__(self, "_hash", hash(key))

    def __eq__(self, other) -> bool:
        return self is other or (isinstance(other, Words) and self._key == other._key)

    def __hash__(self) -> int:
        return self._hash


def words(locale: str) -> Words:
    with speaking(locale):
        return Words(
            kinds={k: str(v) for k, v in vocabulary.ACTIVITY_KINDS.items()},
            sectors={k: str(v) for k, v in vocabulary.SECTORS.items()},
            venues={k: str(v) for k, v in vocabulary.VENUES.items()},
            booking_states={
                "requested": _("Requested, waiting for the company's confirmation"),
                "confirmed": _("Confirmed"),
                "completed": _("Took place"),
                "waitlisted": _("On the waiting list"),
                "declined": _("Declined"),
                "cancelled": _("Cancelled"),
            },
            group=_("%(size)s students, year %(year)s, %(path)s"),
            group_profile=_("%(size)s students, year %(year)s, %(path)s, %(profile)s"),
            group_line=_("Group: %(group)s"),
            company=_("Company: %(name)s"),
            school=_("School: %(name)s"),
            places=_("Places taken: %(taken)s of %(capacity)s"),
            groups=_("Groups:"),
            waiting=_("Waiting list: %(n)s group(s)"),
            cancelled_prefix=_("Cancelled: %(summary)s"),
            cancelled_by_school=_("Cancelled by the school: %(reason)s"),
            cancelled_by_company=_("Cancelled by the company: %(reason)s"),
            declined=_("Declined by the company: %(reason)s"),
            slot_cancelled=_("The company cancelled this date: %(reason)s"),
            at_school=str(vocabulary.VENUES["school"]),
            no_groups=_("No groups booked yet"),
            more_info=_("More information: %(url)s"),
            placement_kind=_("Hybrid-teacher lessons"),
            placement_summary=_("Hybrid teacher %(name)s (%(company)s) at %(school)s"),
            subjects=_("Subjects: %(subjects)s"),
            hours=_("%(hours)s hours a week"),
            lesson_cancelled=_("This lesson is cancelled: %(reason)s"),
            lesson_moved=_("This lesson is moved: %(reason)s"),
            placement_ended=_("The placement ended early: %(reason)s"),
        )


class Links:
    """Absolute links back into Techniekpoort, built without a request, and the
    host of the UIDs. Building a URL through the URL map costs as much as the
    rest of an event, so a booking's link is its route with the id filled in,
    and an activity's link is built once per activity."""

    _PLACEHOLDER = 987_654_321

    def __init__(self):
        self.base = base_url()
        self.uid_host = uid_host()
        self.adapter = current_app.url_map.bind("localhost")
        self.activities: dict[int, str] = {}
        functions = current_app.view_functions
        endpoint = next((e for e in BOOKING_ENDPOINTS if e in functions), None)
        self.booking_route = None
        if endpoint is not None:
            path = self.adapter.build(endpoint, {"booking_id": self._PLACEHOLDER})
            self.booking_route = (self.base + path).split(str(self._PLACEHOLDER))
        self._key = (self.base, self.uid_host, tuple(self.booking_route or ()))
        self._hash = hash(self._key)

    def __eq__(self, other) -> bool:
        return self is other or (isinstance(other, Links) and self._key == other._key)

    def __hash__(self) -> int:
        return self._hash

    def activity(self, activity_id: int) -> str:
        url = self.activities.get(activity_id)
        if url is None:
            path = self.adapter.build("catalogue.activity", {"activity_id": activity_id})
            url = self.activities[activity_id] = self.base + path
        return url

    def placement(self, placement_id: int) -> str:
        if PLACEMENT_ENDPOINT not in current_app.view_functions:
            return self.base + "/"
        return self.base + self.adapter.build(PLACEMENT_ENDPOINT, {"placement_id": placement_id})

    def booking(self, booking_id: int, activity_id: int) -> str:
        if self.booking_route is None:
            return self.activity(activity_id)
        return str(booking_id).join(self.booking_route)


@lru_cache(maxsize=64)
def _record_type(keys: tuple[str, ...]):
    return namedtuple("Record", keys)


def records(query) -> list:
    """Rows as named tuples, executed on the session's connection without the
    ORM's result machinery: for thousands of rows each step counts (an ORM row
    is read twice as slowly, and a Row's attributes three times as slowly, as
    a named tuple's)."""
    result = db.session.connection().execute(query)
    make = _record_type(tuple(result.keys()))._make
    return [make(row) for row in result]


def address_line(address: str, postcode: str, city: str) -> str:
    place = " ".join(part for part in (postcode, city) if part)
    return ", ".join(part for part in (address, place) if part)


# The sectors as the stored bit mask: making a frozenset of codes for every
# row costs more than the rest of reading it; a mask has few distinct values.
SECTOR_BITS = type_coerce(Activity.sectors, Integer).label("sector_bits")


@lru_cache(maxsize=256)
def sector_codes(bits: int) -> tuple[str, ...]:
    return tuple(
        sorted(
            Activity.sectors.type.process_result_value(bits, None),
            key=list(vocabulary.SECTORS).index,
        )
    )


def categories(wording: Words, kind: str, sector_bits: int) -> tuple[str, ...]:
    return (
        wording.kinds.get(kind, kind),
        *(wording.sectors[s] for s in sector_codes(sector_bits or 0)),
    )


def group_text(wording: Words, row) -> str:
    values = {"size": row.group_size, "year": row.year, "path": row.path, "profile": row.profile}
    return (wording.group_profile if row.profile else wording.group) % values


def latest(*instants: datetime | None) -> datetime:
    return max(i for i in instants if i is not None)


SCHOOL = aliased(Organisation, name="school")


COMPANY = aliased(Organisation, name="company")


# What an event tells of a booking and its school, in the school's view
# (content/bookings) and on the company's slot events (content/slots) alike.
BOOKING_FIELDS = (
    Booking.id,
    Booking.status,
    Booking.revision,
    Booking.created_at,
    Booking.updated_at,
    Booking.group_size,
    Booking.year,
    Booking.path,
    Booking.profile,
    SCHOOL.name.label("school_name"),
    SCHOOL.address.label("school_address"),
    SCHOOL.postcode.label("school_postcode"),
    SCHOOL.city.label("school_city"),
)


# An event is a pure function of its rows, the words and the links: memoised,
# a feed after a change builds only the events whose rows changed (for a
# 10,000-event feed that is the difference between seconds and a tenth).
EVENT_MEMO_SIZE = 30_000
