"""iCalendar documents from plain data: data in, bytes out.

Nothing here reads the database, the clock, the request or the configuration:
the same data give the same bytes (docs/INTEROPERABILITY.md, rule 8), which is what makes
ETags, golden files and caching work. Text is escaped, lines are folded at
75 octets without splitting a UTF-8 character and end in CRLF (rule 4).
The calendar's frame is written by the `icalendar` library; each VEVENT is
written here directly, byte for byte as icalendar would write it, in a
fraction of the time (see "writing a VEVENT" below).

Times come in as naive UTC (as stored) and go out in Europe/Amsterdam with
its VTIMEZONE in the same file (rule 5); DTSTAMP and LAST-MODIFIED in UTC.

A recurring event (a hybrid teacher's weekly lessons, rule 11) is one
CalendarEvent with a Recurrence (RRULE plus EXDATEs for the holidays); one
moved or cancelled lesson is another CalendarEvent with the same uid and
`recurrence_id` set to the original start of that lesson.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from icalendar import (
    Calendar,
    Event,
    Timezone,
    TimezoneDaylight,
    TimezoneStandard,
    vDuration,
    vText,
)

TZID = "Europe/Amsterdam"
ZONE = ZoneInfo(TZID)
PRODID = "-//Techniekpoort//Calendar feeds//NL"
REFRESH = timedelta(hours=1)
STATUSES = ("TENTATIVE", "CONFIRMED", "CANCELLED")
WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
# SEQUENCE is an INTEGER (RFC 5545: signed 32 bit); a timestamp there breaks
# imports (rule 2), so anything that large is refused rather than written.
MAX_SEQUENCE = 2**31 - 1
# Events are immutable values, so each is serialised once per worker and its
# bytes reused until it changes (the key is the whole event: any change is a
# new key). Writing one costs some 15 µs; the memo matters for the many
# unchanged events of a large feed after one change.
EVENT_CACHE_SIZE = 30_000

# RFC 5545 TEXT allows no control characters but HTAB (line breaks are written
# escaped as \n); calendar clients differ in what they do with the others.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


@dataclass(frozen=True)
class Recurrence:
    """A weekly rule: on `weekdays` ("MO".."SU") every `interval` weeks, the
    last occurrence starting at or before `until` (naive UTC); `exdates` are
    the naive UTC starts of occurrences that do not happen (holidays)."""

    weekdays: tuple[str, ...]
    until: datetime
    interval: int = 1
    exdates: tuple[datetime, ...] = ()


@dataclass(frozen=True)
class CalendarEvent:
    """One VEVENT. `stamp` (DTSTAMP and LAST-MODIFIED) must come from the data
    (when the thing last changed), never from the clock."""

    uid: str
    sequence: int
    stamp: datetime
    starts_at: datetime
    ends_at: datetime
    summary: str
    status: str = "CONFIRMED"
    description: str = ""
    location: str = ""
    url: str = ""
    categories: tuple[str, ...] = ()
    recurrence: Recurrence | None = None
    # Set on an override of one occurrence of a recurring event: the original
    # start (naive UTC) of the occurrence it replaces.
    recurrence_id: datetime | None = None


@dataclass(frozen=True)
class CalendarDocument:
    """A VCALENDAR. `subscription` adds the refresh hints a feed needs and a
    single download does not."""

    name: str
    description: str
    events: tuple[CalendarEvent, ...]
    subscription: bool = True


def clean_text(value: str) -> str:
    """Text as it can be written: line breaks as \\n, other control characters
    removed. Everything else, any Unicode, survives a round trip."""
    if not _CONTROL.search(value):  # the common case: nothing to do (CR is a control)
        return value
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL.sub("", value)


def one_line(value: str) -> str:
    return " ".join(clean_text(value).split("\n")).strip()


def _local(instant: datetime) -> datetime:
    return instant.replace(tzinfo=UTC).astimezone(ZONE)


def _utc(instant: datetime) -> datetime:
    return instant.replace(tzinfo=UTC)


def _check(event: CalendarEvent) -> None:
    if not event.uid or _CONTROL.search(event.uid) or "\n" in event.uid:
        raise ValueError(f"invalid UID {event.uid!r}")
    if not isinstance(event.sequence, int) or not 0 <= event.sequence <= MAX_SEQUENCE:
        raise ValueError(f"SEQUENCE must be a small non-negative integer, not {event.sequence!r}")
    if event.status not in STATUSES:
        raise ValueError(f"unknown STATUS {event.status!r}")
    rule = event.recurrence
    instants = [event.stamp, event.starts_at, event.ends_at, event.recurrence_id]
    if rule is not None:
        instants += [rule.until, *rule.exdates]
    for instant in instants:
        if instant is not None and instant.tzinfo is not None:
            raise ValueError("times are naive UTC")
    if event.ends_at <= event.starts_at:
        raise ValueError("an event ends after it starts")
    if event.recurrence is not None:
        if event.recurrence_id is not None:
            raise ValueError("an override does not recur itself")
        if not rule.weekdays or not set(rule.weekdays) <= set(WEEKDAYS):
            raise ValueError(f"invalid weekdays {rule.weekdays!r}")
        if not isinstance(rule.interval, int) or rule.interval < 1:
            raise ValueError(f"invalid interval {rule.interval!r}")


# --- writing a VEVENT ------------------------------------------------------------------
#
# icalendar writes a VEVENT in about a millisecond (it folds each line
# character by character, through several layers of objects): a 10,000-event
# feed took ten seconds on a worker that had not written it before. The
# VEVENTs here are always the same few properties, so they are written
# directly, byte for byte as icalendar writes them (tests/calendar/test_ics.py
# compares the two on arbitrary events), in a few tens of microseconds.
# icalendar stays the reference, and writes the calendar's frame.

_TZ_PARAM = f";TZID={TZID}:"
# Text escaping (RFC 5545 3.3.11), in icalendar's order: backslash first.
_ESCAPES = (("\\", "\\\\"), (";", "\\;"), (",", "\\,"), ("\n", "\\n"))
_FOLD_AT = 74  # octets of content per line; with the leading space of a continuation, 75
_CONTINUATION = 0b1000_0000, 0b1100_0000  # a UTF-8 continuation byte is 10xxxxxx


def _escape(text: str) -> str:
    """TEXT as RFC 5545 writes it. Unlike icalendar, a backslash followed by
    N in the text stays two characters (icalendar turns it into a line break)."""
    for plain, escaped in _ESCAPES:
        if plain in text:
            text = text.replace(plain, escaped)
    return text


def _fold(line: str) -> bytes:
    """Lines of at most 75 octets (rule 4), folded as icalendar folds them:
    never inside a UTF-8 character, and never right after a backslash or a
    caret (the start of an escape), which moves to the next line instead."""
    data = line.encode()
    if len(data) <= _FOLD_AT:
        return data
    parts = []
    start, size = 0, len(data)
    while size - start > _FOLD_AT:
        end = start + _FOLD_AT
        while data[end] & _CONTINUATION[1] == _CONTINUATION[0]:
            end -= 1
        if end - start > 1 and data[end - 1] in b"\\^":
            end -= 1
        parts.append(data[start:end])
        start = end
    parts.append(data[start:])
    return b"\r\n ".join(parts)


def _stamp(i: datetime) -> str:
    # As icalendar writes DATE-TIME: whole seconds, the year in four digits.
    return f"{i.year:04d}{i.month:02d}{i.day:02d}T{i.hour:02d}{i.minute:02d}{i.second:02d}"


def _utc_text(instant: datetime) -> str:
    return _stamp(instant) + "Z"


def _local_text(instant: datetime) -> str:
    return _stamp(_local(instant))


@lru_cache(maxsize=EVENT_CACHE_SIZE)
def serialize_event(event: CalendarEvent) -> bytes:
    """BEGIN:VEVENT ... END:VEVENT with CRLF line ends. Properties in
    icalendar's order: its canonical ones first, then the others by name."""
    _check(event)
    stamp = _utc_text(event.stamp)
    lines = [
        "SUMMARY:" + _escape(clean_text(event.summary)),
        "DTSTART" + _TZ_PARAM + _local_text(event.starts_at),
        "DTEND" + _TZ_PARAM + _local_text(event.ends_at),
        "DTSTAMP:" + stamp,
        "UID:" + _escape(event.uid),
    ]
    if event.recurrence_id is not None:
        lines.append("RECURRENCE-ID" + _TZ_PARAM + _local_text(event.recurrence_id))
    lines.append(f"SEQUENCE:{event.sequence}")
    rule = event.recurrence
    if rule is not None:
        # UNTIL is UTC when DTSTART carries a TZID (RFC 5545 3.3.10).
        lines.append(
            f"RRULE:FREQ=WEEKLY;UNTIL={_utc_text(rule.until)};"
            f"INTERVAL={rule.interval};BYDAY={','.join(rule.weekdays)}"
        )
        if rule.exdates:
            lines.append("EXDATE" + _TZ_PARAM + ",".join(map(_local_text, rule.exdates)))
    if event.categories:
        lines.append("CATEGORIES:" + ",".join(_escape(clean_text(c)) for c in event.categories))
    if event.description:
        lines.append("DESCRIPTION:" + _escape(clean_text(event.description)))
    lines.append("LAST-MODIFIED:" + stamp)
    if event.location:
        lines.append("LOCATION:" + _escape(clean_text(event.location)))
    lines.append("STATUS:" + event.status)
    if event.url:
        lines.append("URL:" + event.url)
    return b"".join(
        (b"BEGIN:VEVENT\r\n", *(_fold(line) + b"\r\n" for line in lines), b"END:VEVENT\r\n")
    )


def serialize_event_with_icalendar(event: CalendarEvent) -> bytes:
    """The same VEVENT written by icalendar: the reference the tests hold
    serialize_event to."""
    _check(event)
    vevent = Event()
    vevent.add("uid", event.uid)
    vevent.add("dtstamp", _utc(event.stamp))
    vevent.add("last-modified", _utc(event.stamp))
    vevent.add("sequence", event.sequence)
    vevent.add("dtstart", _local(event.starts_at))
    vevent.add("dtend", _local(event.ends_at))
    if event.recurrence_id is not None:
        vevent.add("recurrence-id", _local(event.recurrence_id))
    if event.recurrence is not None:
        rule = event.recurrence
        vevent.add(
            "rrule",
            {
                "freq": "weekly",
                "interval": rule.interval,
                "byday": list(rule.weekdays),
                "until": _utc(rule.until),
            },
        )
        if rule.exdates:
            vevent.add("exdate", [_local(day) for day in rule.exdates])
    vevent.add("summary", clean_text(event.summary))
    vevent.add("status", event.status)
    if event.location:
        vevent.add("location", clean_text(event.location))
    if event.description:
        vevent.add("description", clean_text(event.description))
    if event.url:
        vevent.add("url", event.url)
    if event.categories:
        vevent.add("categories", [clean_text(c) for c in event.categories])
    return vevent.to_ical()


def amsterdam_timezone() -> Timezone:
    """Europe/Amsterdam as the two yearly rules, the form Outlook reads: it
    shifts events by an hour when a VTIMEZONE lists its changes as RDATEs
    (iCalcreator/iCalcreator#86, #106). The EU rule (last Sunday of March and
    of October) has held since 1996; a test checks it against tzdata."""
    zone = Timezone()
    zone.add("tzid", TZID)
    daylight = TimezoneDaylight()
    daylight.add("dtstart", datetime(1970, 3, 29, 2, 0))
    daylight.add("rrule", {"freq": "yearly", "bymonth": 3, "byday": "-1su"})
    daylight.add("tzname", "CEST")
    daylight.add("tzoffsetfrom", timedelta(hours=1))
    daylight.add("tzoffsetto", timedelta(hours=2))
    standard = TimezoneStandard()
    standard.add("dtstart", datetime(1970, 10, 25, 3, 0))
    standard.add("rrule", {"freq": "yearly", "bymonth": 10, "byday": "-1su"})
    standard.add("tzname", "CET")
    standard.add("tzoffsetfrom", timedelta(hours=2))
    standard.add("tzoffsetto", timedelta(hours=1))
    zone.add_component(daylight)
    zone.add_component(standard)
    return zone


_END = b"END:VCALENDAR\r\n"


@lru_cache(maxsize=256)
def _frame(name: str, description: str, subscription: bool) -> tuple[bytes, bytes]:
    calendar = Calendar()
    calendar.add("version", "2.0")
    calendar.add("prodid", PRODID)
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    # icalendar takes NAME and the X-WR- properties for unknown types and
    # would write them unescaped; they are TEXT. Clients show them on one
    # line, and some read them without unescaping, so no line breaks.
    name, description = vText(one_line(name)), vText(one_line(description))
    # Google reads only X-WR-CALNAME, RFC 7986 clients NAME (rule 6).
    calendar.add("name", name)
    calendar.add("x-wr-calname", name)
    if description:
        calendar.add("description", description)
        calendar.add("x-wr-caldesc", description)
    calendar.add("x-wr-timezone", TZID)
    if subscription:
        # RFC 7986 requires VALUE=DURATION; some clients skip the hint
        # without it (rule 7, nextcloud/server#43249).
        calendar.add("refresh-interval", vDuration(REFRESH), parameters={"VALUE": "DURATION"})
        calendar.add("x-published-ttl", vDuration(REFRESH))
    calendar.add_component(amsterdam_timezone())
    whole = calendar.to_ical()
    assert whole.endswith(_END)
    return whole[: -len(_END)], _END


def serialize(document: CalendarDocument) -> bytes:
    head, tail = _frame(document.name, document.description, document.subscription)
    return b"".join((head, *map(serialize_event, document.events), tail))


def serialize_events(events: Sequence[CalendarEvent], *, name: str, description: str = "") -> bytes:
    """A single download or a mail attachment: no refresh hints."""
    return serialize(CalendarDocument(name, description, tuple(events), subscription=False))
