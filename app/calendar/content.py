"""What a calendar shows: database rows turned into ics.CalendarEvent values.

Three points of view:
- school: one VEVENT per booking (uid booking-<id>@<host>), SEQUENCE = the
  booking's revision;
- company and coordinator: one VEVENT per slot (uid slot-<id>@<host>) that
  lists its booked groups. Its SEQUENCE is the slot's revision plus, for every
  booking of the slot, that booking's revision + 1: a sum of counters that
  only rise, so it rises with every change people see on the event (a group
  booked, confirmed, cancelled) and never falls (INTEROP.md rule 2).

And in all of them, for the school, the company and coordinators: a
hybrid teacher's placement as one recurring VEVENT (uid placement-<id>@<host>)
with an override per moved or cancelled lesson (rule 11; placement_events).

DTSTAMP and LAST-MODIFIED are the latest `updated_at` of the rows an event is
made of, so unchanged data give identical bytes (rule 8). Feeds carry no
e-mail addresses or phone numbers, not even typed into a title or a reason
(rule 10): free text goes through `redact`.

Rows are read with Core selects of the columns needed: loading 10,000 ORM
objects with their relationships would take longer than the rest of a feed.
"""

from __future__ import annotations

import re
from collections import defaultdict, namedtuple
from dataclasses import dataclass, fields
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Integer, and_, false, literal, or_, select, type_coerce
from sqlalchemy.orm import aliased

from app import vocabulary
from app.accounts.models import Organisation
from app.bookings.models import Booking
from app.calendar.ics import CalendarEvent, Recurrence
from app.catalogue.models import Activity, Slot
from app.extensions import db
from app.holidays.service import holiday_dates
from app.locales import speaking
from app.placements.models import Placement, PlacementLessonChange, Professional
from app.timeutil import local_to_utc

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


def _address(address: str, postcode: str, city: str) -> str:
    place = " ".join(part for part in (postcode, city) if part)
    return ", ".join(part for part in (address, place) if part)


# The sectors as the stored bit mask: making a frozenset of codes for every
# row costs more than the rest of reading it; a mask has few distinct values.
_SECTOR_BITS = type_coerce(Activity.sectors, Integer).label("sector_bits")


@lru_cache(maxsize=256)
def _sector_codes(bits: int) -> tuple[str, ...]:
    return tuple(
        sorted(
            Activity.sectors.type.process_result_value(bits, None),
            key=list(vocabulary.SECTORS).index,
        )
    )


def _categories(w: Words, kind: str, sector_bits: int) -> tuple[str, ...]:
    return (w.kinds.get(kind, kind), *(w.sectors[s] for s in _sector_codes(sector_bits or 0)))


def _group(w: Words, row) -> str:
    values = {"size": row.group_size, "year": row.year, "path": row.path, "profile": row.profile}
    return (w.group_profile if row.profile else w.group) % values


def _latest(*instants: datetime | None) -> datetime:
    return max(i for i in instants if i is not None)


# --- the school's view: one event per booking -------------------------------------------

_school = aliased(Organisation, name="school")
_company = aliased(Organisation, name="company")

BOOKING_COLUMNS = (
    Booking.id,
    Booking.status,
    Booking.revision,
    Booking.created_at,
    Booking.updated_at,
    Booking.group_size,
    Booking.year,
    Booking.path,
    Booking.profile,
    Booking.decline_reason,
    Booking.cancel_reason,
    Booking.cancelled_by,
    Slot.starts_at,
    Slot.ends_at,
    Slot.updated_at.label("slot_updated_at"),
    Activity.id.label("activity_id"),
    Activity.title,
    Activity.kind,
    Activity.venue,
    Activity.address,
    Activity.postcode,
    Activity.city,
    _SECTOR_BITS,
    Activity.updated_at.label("activity_updated_at"),
    _company.name.label("company_name"),
    _school.name.label("school_name"),
    _school.address.label("school_address"),
    _school.postcode.label("school_postcode"),
    _school.city.label("school_city"),
)


def booking_rows(*conditions, as_of: datetime | None):
    """Bookings with everything their event shows. With `as_of`, only what a
    feed keeps at that moment: not older than PAST_DAYS, and cancelled or
    declined ones for CANCELLED_DAYS."""
    query = (
        select(*BOOKING_COLUMNS)
        .join(Slot, Booking.slot_id == Slot.id)
        .join(Activity, Slot.activity_id == Activity.id)
        .join(_company, Activity.company_id == _company.id)
        .join(_school, Booking.school_id == _school.id)
        .where(*conditions)
    )
    if as_of is not None:
        query = query.where(
            Slot.ends_at >= as_of - timedelta(days=PAST_DAYS),
            or_(
                Booking.status.in_(GROUP_STATES),
                and_(
                    Booking.status.in_(("cancelled", "declined")),
                    Booking.updated_at >= as_of - timedelta(days=CANCELLED_DAYS),
                ),
            ),
        )
    return records(query.order_by(Slot.starts_at, Booking.id))


# An event is a pure function of its rows, the words and the links: memoised,
# a feed after a change builds only the events whose rows changed (for a
# 10,000-event feed that is the difference between seconds and a tenth).
EVENT_MEMO_SIZE = 30_000


@lru_cache(maxsize=EVENT_MEMO_SIZE)
def booking_event(
    row, w: Words, links: Links, *, side: str = "school", redacted: bool = True, contact: str = ""
) -> CalendarEvent:
    """side: whose calendar this is; the summary names the other party. A
    download for a party of the booking may add `contact` (never a feed)."""
    clean = redact if redacted else (lambda text: text)
    title, company, school = clean(row.title), clean(row.company_name), clean(row.school_name)
    status = {"requested": "TENTATIVE", "confirmed": "CONFIRMED", "completed": "CONFIRMED"}.get(
        row.status, "CANCELLED"
    )
    summary = f"{title} · {company if side == 'school' else school}"
    if status == "CANCELLED":
        summary = w.cancelled_prefix % {"summary": summary}
    if row.venue == "school":
        location = _address(row.school_address, row.school_postcode, row.school_city)
    elif row.venue == "online":
        location = w.venues["online"]
    else:
        location = _address(row.address, row.postcode, row.city)
    url = links.booking(row.id, row.activity_id)
    lines = [
        w.kinds.get(row.kind, row.kind),
        w.group_line % {"group": _group(w, row)},
        w.company % {"name": company} if side == "school" else w.school % {"name": school},
    ]
    if row.status == "cancelled" and row.cancel_reason:
        by_company = row.cancelled_by == "company"
        template = w.cancelled_by_company if by_company else w.cancelled_by_school
        lines.append(template % {"reason": clean(row.cancel_reason)})
    elif row.status == "declined" and row.decline_reason:
        lines.append(w.declined % {"reason": clean(row.decline_reason)})
    else:
        lines.append(w.booking_states.get(row.status, row.status))
    if contact:
        lines.append(contact)
    lines += ["", w.more_info % {"url": url}]
    return CalendarEvent(
        uid=f"booking-{row.id}@{links.uid_host}",
        sequence=row.revision,
        stamp=_latest(row.created_at, row.updated_at, row.slot_updated_at, row.activity_updated_at),
        starts_at=row.starts_at,
        ends_at=row.ends_at,
        summary=summary,
        status=status,
        description="\n".join(lines),
        location=clean(location),
        url=url,
        categories=_categories(w, row.kind, row.sector_bits),
    )


# --- the company's and the coordinator's view: one event per slot ------------------------

# A slot's own columns; its activity's are read once per activity (an
# activity has many slots, and reading its columns again for each slot was
# a third of a large feed's query time).
SLOT_COLUMNS = (
    Slot.id,
    Slot.starts_at,
    Slot.ends_at,
    Slot.status,
    Slot.cancel_reason,
    Slot.capacity,
    Slot.taken,
    Slot.revision,
    Slot.created_at,
    Slot.updated_at,
    Slot.activity_id,
)

ACTIVITY_COLUMNS = (
    Activity.id,
    Activity.title,
    Activity.kind,
    Activity.venue,
    Activity.address,
    Activity.postcode,
    Activity.city,
    _SECTOR_BITS,
    Activity.updated_at,
    _company.name.label("company_name"),
)

SLOT_BOOKING_COLUMNS = (
    Booking.slot_id,
    Booking.id,
    Booking.status,
    Booking.revision,
    Booking.created_at,
    Booking.updated_at,
    Booking.group_size,
    Booking.year,
    Booking.path,
    Booking.profile,
    _school.name.label("school_name"),
    _school.address.label("school_address"),
    _school.postcode.label("school_postcode"),
    _school.city.label("school_city"),
)


def slot_query(*conditions, as_of: datetime | None, visible_only: bool = True):
    query = (
        select(*SLOT_COLUMNS)
        .join(Activity, Slot.activity_id == Activity.id)
        .join(_company, Activity.company_id == _company.id)
        .where(*conditions)
    )
    if visible_only:
        query = query.where(Activity.status.in_(VISIBLE_ACTIVITIES))
    if as_of is not None:
        query = query.where(
            Slot.ends_at >= as_of - timedelta(days=PAST_DAYS),
            or_(
                Slot.status == "open",
                Slot.cancelled_at >= as_of - timedelta(days=CANCELLED_DAYS),
            ),
        )
    return query


def slot_rows(*conditions, as_of: datetime | None, visible_only: bool = True):
    """Slots with their activity and bookings: [(slot, activity, (bookings...))],
    in three queries."""
    query = slot_query(*conditions, as_of=as_of, visible_only=visible_only)
    slots = records(query.order_by(Slot.starts_at, Slot.id))
    if not slots:
        return []
    activities = {
        row.id: row
        for row in records(
            select(*ACTIVITY_COLUMNS)
            .join(_company, Activity.company_id == _company.id)
            .where(Activity.id.in_(query.with_only_columns(Slot.activity_id).distinct()))
        )
    }
    ids = query.with_only_columns(Slot.id).scalar_subquery()
    bookings = defaultdict(list)
    for row in records(
        select(*SLOT_BOOKING_COLUMNS)
        .join(_school, Booking.school_id == _school.id)
        .where(Booking.slot_id.in_(ids))
        .order_by(Booking.slot_id, Booking.created_at, Booking.id)
    ):
        bookings[row.slot_id].append(row)
    return [
        (slot, activities[slot.activity_id], tuple(bookings.get(slot.id, ()))) for slot in slots
    ]


@lru_cache(maxsize=EVENT_MEMO_SIZE)
def slot_event(
    row, activity, bookings: tuple, w: Words, links: Links, *, view: str
) -> CalendarEvent:
    """view: "company" (the other party is the schools), "coordinator" (the
    company, with the schools in the description) or "public" (no groups)."""
    title, company = redact(activity.title), redact(activity.company_name)
    groups = [b for b in bookings if b.status in GROUP_STATES]
    waiting = sum(1 for b in bookings if b.status == "waitlisted")
    if row.status == "cancelled":
        status = "CANCELLED"
    elif any(b.status in ("confirmed", "completed") for b in groups):
        status = "CONFIRMED"
    else:
        status = "TENTATIVE"
    schools = list(dict.fromkeys(redact(b.school_name) for b in groups))
    if view == "company" and schools:
        summary = f"{title} · {', '.join(schools)}"
    elif view == "company":
        summary = title
    else:
        summary = f"{title} · {company}"
    if status == "CANCELLED":
        summary = w.cancelled_prefix % {"summary": summary}
    if activity.venue == "online":
        location = w.venues["online"]
    elif activity.venue == "school":
        places = {(b.school_address, b.school_postcode, b.school_city) for b in groups}
        location = _address(*places.pop()) if len(places) == 1 and view != "public" else w.at_school
    else:
        location = _address(activity.address, activity.postcode, activity.city)
    url = links.activity(activity.id)
    lines = [w.kinds.get(activity.kind, activity.kind)]
    if view != "company":
        lines.append(w.company % {"name": company})
    if row.status == "cancelled" and row.cancel_reason:
        lines.append(w.slot_cancelled % {"reason": redact(row.cancel_reason)})
    lines.append(w.places % {"taken": row.taken, "capacity": row.capacity})
    if view != "public":
        if groups:
            lines.append(w.groups)
            for b in groups:
                lines.append(
                    f"- {redact(b.school_name)}: {_group(w, b)} ({w.booking_states[b.status]})"
                )
        else:
            lines.append(w.no_groups)
        if waiting:
            lines.append(w.waiting % {"n": waiting})
    lines += ["", w.more_info % {"url": url}]
    return CalendarEvent(
        uid=f"slot-{row.id}@{links.uid_host}",
        sequence=row.revision + sum(b.revision + 1 for b in bookings),
        stamp=_latest(
            row.created_at,
            row.updated_at,
            activity.updated_at,
            *(b.updated_at for b in bookings),
            *(b.created_at for b in bookings),
        ),
        starts_at=row.starts_at,
        ends_at=row.ends_at,
        summary=summary,
        status=status,
        description="\n".join(lines),
        location=redact(location),
        url=url,
        categories=_categories(w, activity.kind, activity.sector_bits),
    )


# --- hybrid-teacher placements: one recurring event each (rule 11) --------------------------

PLACEMENT_COLUMNS = (
    Placement.id,
    Placement.status,
    Placement.revision,
    Placement.created_at,
    Placement.updated_at,
    Placement.agreed_at,
    Placement.subjects,
    Placement.hours_per_week,
    Placement.weekdays,
    Placement.start_time,
    Placement.end_time,
    Placement.first_date,
    Placement.last_date,
    Placement.ended_on,
    Placement.ended_early,
    Placement.end_reason,
    Placement.school_id,
    Placement.company_id,
    Professional.name.label("professional_name"),
    _school.name.label("school_name"),
    _school.address.label("school_address"),
    _school.postcode.label("school_postcode"),
    _school.city.label("school_city"),
    _school.holiday_region.label("school_region"),
    _company.name.label("company_name"),
)

CHANGE_COLUMNS = (
    PlacementLessonChange.placement_id,
    PlacementLessonChange.original_date,
    PlacementLessonChange.kind,
    PlacementLessonChange.new_date,
    PlacementLessonChange.new_start_time,
    PlacementLessonChange.new_end_time,
    PlacementLessonChange.reason,
    PlacementLessonChange.created_at,
    PlacementLessonChange.updated_at,
)


def placement_query(*conditions, as_of: datetime | None):
    query = (
        select(*PLACEMENT_COLUMNS)
        .join(Professional, Placement.professional_id == Professional.id)
        .join(_school, Placement.school_id == _school.id)
        .join(_company, Placement.company_id == _company.id)
        .where(Placement.status.in_(PLACEMENT_STATES), *conditions)
    )
    if as_of is not None:
        # Coarse: the last lesson (ended_on is never later than last_date)
        # not older than PAST_DAYS; placement_events looks closer.
        query = query.where(Placement.last_date >= (as_of - timedelta(days=PAST_DAYS)).date())
    return query


def placement_rows(*conditions, as_of: datetime | None):
    """Placements with their lesson changes and the holidays of their
    school's region: [(placement, (changes...), frozenset(holiday dates))]."""
    rows = records(
        placement_query(*conditions, as_of=as_of).order_by(Placement.first_date, Placement.id)
    )
    if not rows:
        return []
    changes = defaultdict(list)
    for change in records(
        select(*CHANGE_COLUMNS)
        .where(PlacementLessonChange.placement_id.in_([row.id for row in rows]))
        .order_by(PlacementLessonChange.placement_id, PlacementLessonChange.original_date)
    ):
        changes[change.placement_id].append(change)
    spans: dict[str, tuple[date, date]] = {}
    for row in rows:
        first, last = spans.get(row.school_region, (row.first_date, row.last_date))
        spans[row.school_region] = (min(first, row.first_date), max(last, row.last_date))
    holidays = {
        region: frozenset(holiday_dates(region, first, last))
        for region, (first, last) in spans.items()
    }
    return [(row, tuple(changes.get(row.id, ())), holidays[row.school_region]) for row in rows]


def _at(day: date, clock: time) -> datetime:
    """A wall-clock time at the school as naive UTC (so each date gets its
    own offset: a lesson at 10:30 stays at 10:30 across the clock change)."""
    return local_to_utc(datetime.combine(day, clock))


def _lesson_dates(weekdays, first: date, last: date) -> list[date]:
    wanted = {list(vocabulary.WEEKDAYS).index(code) for code in weekdays}
    days = []
    day = first
    while day <= last:
        if day.weekday() in wanted:
            days.append(day)
        day += timedelta(days=1)
    return days


def placement_events(
    row,
    changes: tuple,
    holidays: frozenset,
    w: Words,
    links: Links,
    *,
    as_of: datetime | None = None,
) -> list[CalendarEvent]:
    """The series (RRULE weekly on the placement's days, UNTIL its last
    lesson, an EXDATE for every lesson day in the school's holidays) and an
    override per changed lesson, with the lesson's original start as
    RECURRENCE-ID: a moved lesson at its new time, a cancelled one as
    STATUS:CANCELLED (rule 11). SEQUENCE is the placement's revision, which
    rises with every change of the placement or one of its lessons, for the
    series and the overrides alike, so no override is older than its series."""
    weekdays = [code for code in vocabulary.WEEKDAYS if code in row.weekdays]
    last = (
        row.ended_on if row.ended_on is not None and row.ended_on < row.last_date else row.last_date
    )
    cutoff = as_of - timedelta(days=PAST_DAYS) if as_of is not None else None
    days = _lesson_dates(weekdays, row.first_date, last)
    status = "CONFIRMED"
    if not days:
        # Ended before its first lesson: it was in calendars while agreed, so
        # it stays, cancelled, for a while (rule 3).
        days = _lesson_dates(weekdays, row.first_date, row.last_date)
        recent = cutoff is None or row.updated_at >= as_of - timedelta(days=CANCELLED_DAYS)
        if not days or row.status != "ended" or not recent:
            return []
        status = "CANCELLED"
    if cutoff is not None and _at(days[-1], row.end_time) < cutoff:
        return []
    school, company = redact(row.school_name), redact(row.company_name)
    summary = w.placement_summary % {
        "name": redact(row.professional_name),
        "company": company,
        "school": school,
    }
    url = links.placement(row.id)
    lines = [w.placement_kind, w.company % {"name": company}, w.school % {"name": school}]
    if row.subjects:
        lines.append(w.subjects % {"subjects": redact(row.subjects)})
    lines.append(w.hours % {"hours": row.hours_per_week})
    if row.ended_early and row.end_reason:
        lines.append(w.placement_ended % {"reason": redact(row.end_reason)})
    common = {
        "uid": f"placement-{row.id}@{links.uid_host}",
        "sequence": row.revision,
        "location": redact(_address(row.school_address, row.school_postcode, row.school_city)),
        "url": url,
        "categories": (w.placement_kind,),
    }
    stamp = _latest(row.created_at, row.updated_at, row.agreed_at)
    tail = ["", w.more_info % {"url": url}]
    events = [
        CalendarEvent(
            **common,
            stamp=stamp,
            starts_at=_at(days[0], row.start_time),
            ends_at=_at(days[0], row.end_time),
            summary=w.cancelled_prefix % {"summary": summary} if status == "CANCELLED" else summary,
            status=status,
            description="\n".join(lines + tail),
            recurrence=Recurrence(
                weekdays=tuple(code.upper() for code in weekdays),
                until=_at(days[-1], row.end_time),
                exdates=tuple(_at(day, row.start_time) for day in days if day in holidays),
            ),
        )
    ]
    if status == "CANCELLED":
        return events
    lesson_days = {day for day in days if day not in holidays}
    for change in changes:
        if change.original_date not in lesson_days:
            continue  # after an early end, or a date the rule no longer has
        original = _at(change.original_date, row.start_time)
        reason = redact(change.reason or "")
        change_stamp = _latest(stamp, change.created_at, change.updated_at)
        if change.kind == "cancelled":
            events.append(
                CalendarEvent(
                    **common,
                    stamp=change_stamp,
                    starts_at=original,
                    ends_at=_at(change.original_date, row.end_time),
                    summary=w.cancelled_prefix % {"summary": summary},
                    status="CANCELLED",
                    description="\n".join(lines + [w.lesson_cancelled % {"reason": reason}] + tail),
                    recurrence_id=original,
                )
            )
        else:
            moved = [w.lesson_moved % {"reason": reason}] if reason else []
            events.append(
                CalendarEvent(
                    **common,
                    stamp=change_stamp,
                    starts_at=_at(change.new_date, change.new_start_time),
                    ends_at=_at(change.new_date, change.new_end_time),
                    summary=summary,
                    status="CONFIRMED",
                    description="\n".join(lines + moved + tail),
                    recurrence_id=original,
                )
            )
    return events


def placement_filter_conditions(filters: dict) -> list:
    """Placements that a filtered feed shows: as for slots, with the company's
    region, sectors and id, the placement's profiles and school, and the kind
    "placement"."""
    kinds = filters.get("kinds")
    if kinds and PLACEMENT_KIND not in kinds:
        return [false()]
    conditions = []
    if filters.get("regions"):
        conditions.append(_company.holiday_region.in_(filters["regions"]))
    if filters.get("sectors"):
        conditions.append(_mask(_company.sectors, filters["sectors"]))
    if filters.get("profiles"):
        conditions.append(_mask(Placement.profiles, filters["profiles"]))
    if filters.get("companies"):
        conditions.append(Placement.company_id.in_(filters["companies"]))
    if filters.get("schools"):
        conditions.append(Placement.school_id.in_(filters["schools"]))
    return conditions


# --- a coordinator's filters, as SQL ---------------------------------------------------------

FILTER_KEYS = ("regions", "sectors", "profiles", "kinds", "schools", "companies")


def _mask(column, codes) -> object:
    wanted = column.type.mask(codes)
    return column.op("&", return_type=Integer)(literal(wanted, Integer)) != 0


def filter_conditions(filters: dict) -> list:
    """Slots that a filtered feed shows. Within one filter any value matches;
    all filters given must match. Region is the company's holiday region."""
    conditions = []
    if filters.get("regions"):
        conditions.append(_company.holiday_region.in_(filters["regions"]))
    if filters.get("sectors"):
        conditions.append(_mask(Activity.sectors, filters["sectors"]))
    if filters.get("profiles"):
        conditions.append(_mask(Activity.profiles, filters["profiles"]))
    if filters.get("kinds"):
        conditions.append(Activity.kind.in_(filters["kinds"]))
    if filters.get("companies"):
        conditions.append(Activity.company_id.in_(filters["companies"]))
    if filters.get("schools"):
        conditions.append(
            Slot.id.in_(
                select(Booking.slot_id).where(
                    Booking.school_id.in_(filters["schools"]), Booking.status != "declined"
                )
            )
        )
    return conditions
