"""The serializer on its own: plain data in, bytes out
(docs/INTEROPERABILITY.md, rules 2, 4-7, 11)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import pytest
import recurring_ical_events
import vobject
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.calendar import ics
from app.calendar.ics import CalendarDocument, CalendarEvent, Recurrence, clean_text, serialize
from tests.calendar.parsers import read_all, read_icaljs, read_icaljs_raw, read_vobject

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def event(**values) -> CalendarEvent:
    defaults = {
        "uid": "booking-1@techniekpoort.test",
        "sequence": 0,
        "stamp": datetime(2040, 1, 10, 12, 0),
        "starts_at": datetime(2041, 3, 14, 8, 0),
        "ends_at": datetime(2041, 3, 14, 10, 0),
        "summary": "CNC milling · Metaalbedrijf Twente",
    }
    defaults.update(values)
    return CalendarEvent(**defaults)


def document(*events, **values) -> CalendarDocument:
    defaults = {"name": "Het Stedelijk Lyceum", "description": "Bookings", "events": events}
    defaults.update(values)
    return CalendarDocument(**defaults)


def lines_of(body: bytes) -> list[bytes]:
    assert body.endswith(b"\r\n")
    lines = body[:-2].split(b"\r\n")
    for line in lines:
        assert b"\r" not in line and b"\n" not in line, "a line ends in a bare CR or LF"
    return lines


def unfolded(body: bytes) -> list[str]:
    return body.decode().replace("\r\n ", "").split("\r\n")


# --- rule 4 ---------------------------------------------------------------------------------


def test_rule_4_every_vevent_has_uid_and_dtstamp_and_lines_end_in_crlf():
    body = serialize(document(event(), event(uid="booking-2@techniekpoort.test")))
    lines_of(body)
    calendar = icalendar.Calendar.from_ical(body)
    vevents = calendar.walk("VEVENT")
    assert len(vevents) == 2
    for vevent in vevents:
        assert vevent["uid"] and vevent.decoded("dtstamp").tzinfo is not None


def test_rule_4_long_lines_fold_at_75_octets_without_splitting_a_character():
    # Three-byte characters, so that a fold at a fixed 75 bytes would cut one.
    summary = "€" * 100 + "ë" * 50 + "🔧" * 30
    body = serialize(document(event(summary=summary, description="x" * 500)))
    for line in lines_of(body):
        assert len(line) <= 75
        line.decode("utf-8")  # raises on a split character
    assert read_all(body)[0]["summary"] == summary


_text = st.text(min_size=0, max_size=300)


@settings(
    max_examples=150, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(
    summary=_text,
    description=_text,
    location=_text,
    name=_text,
    categories=st.lists(st.text(min_size=1, max_size=40), max_size=4),
)
def test_arbitrary_unicode_is_folded_safely_and_round_trips(
    summary, description, location, name, categories
):
    categories = [c for c in categories if clean_text(c)]
    vevent = event(
        summary=summary, description=description, location=location, categories=tuple(categories)
    )
    body = serialize(document(vevent, name=name, description=description))
    if not _icalendar_misreads(summary, description, location, *categories):
        assert ics.serialize_event(vevent) == ics.serialize_event_with_icalendar(vevent)
    for line in lines_of(body):
        assert len(line) <= 75
        line.decode("utf-8")
    by_vobject = vobject.readOne(body.decode())
    assert by_vobject.contents["name"][0].value == ics.one_line(name)
    assert by_vobject.contents["x-wr-calname"][0].value == ics.one_line(name)
    parsed = icalendar.Calendar.from_ical(body).walk("VEVENT")[0]
    assert str(parsed["summary"]) == clean_text(summary)
    assert str(parsed.get("description", "")) == clean_text(description)
    assert str(parsed.get("location", "")) == clean_text(location)
    assert [str(c) for c in parsed.categories] == [clean_text(c) for c in categories]
    read = read_vobject(body)[0]
    assert (read["summary"], read["description"], read["location"]) == (
        clean_text(summary),
        clean_text(description),
        clean_text(location),
    )


# --- the writer against icalendar, the reference -------------------------------------------
#
# VEVENTs are written directly, not through icalendar, which took a millisecond
# each (app/calendar/ics.py). The bytes must be icalendar's, for any event.


def _icalendar_misreads(*texts: str) -> bool:
    """icalendar's writer turns a backslash followed by N in the text into a
    line break; ours keeps the two characters (see the test below)."""
    return any("\\N" in text for text in texts)


_instants = st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2200, 1, 1))
# Text that stresses escaping and folding: every escape, multi-byte and
# astral characters, control characters, and anything else Unicode has.
_tricky = st.text(
    st.one_of(st.sampled_from('\\;,:"^\r\n\t €ë🔧x'), st.characters(codec="utf-8")),
    max_size=250,
)


@st.composite
def calendar_events(draw) -> CalendarEvent:
    starts_at = draw(_instants)
    recurrence = recurrence_id = None
    kind = draw(st.sampled_from(["single", "series", "override"]))
    if kind == "series":
        recurrence = Recurrence(
            tuple(
                draw(st.lists(st.sampled_from(ics.WEEKDAYS), min_size=1, max_size=7, unique=True))
            ),
            until=draw(_instants),
            interval=draw(st.integers(1, 52)),
            exdates=tuple(draw(st.lists(_instants, max_size=12))),
        )
    elif kind == "override":
        recurrence_id = draw(_instants)
    return CalendarEvent(
        uid=draw(
            st.text(
                st.characters(codec="utf-8", exclude_categories=("Cc",)), min_size=1, max_size=120
            )
        ),
        sequence=draw(st.integers(0, ics.MAX_SEQUENCE)),
        stamp=draw(_instants),
        starts_at=starts_at,
        ends_at=starts_at + draw(st.timedeltas(timedelta(seconds=1), timedelta(days=400))),
        summary=draw(_tricky),
        status=draw(st.sampled_from(ics.STATUSES)),
        description=draw(_tricky),
        location=draw(_tricky),
        url=draw(st.sampled_from(["", "https://techniekpoort.test/bookings/7"]))
        + draw(st.text("abcdefghij/?=&%-_.~0123456789", max_size=120)),
        categories=tuple(draw(st.lists(_tricky, max_size=4))),
        recurrence=recurrence,
        recurrence_id=recurrence_id,
    )


@settings(
    max_examples=400, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(calendar_events())
def test_vevents_are_written_byte_for_byte_as_icalendar_writes_them(vevent):
    if _icalendar_misreads(
        vevent.uid, vevent.summary, vevent.description, vevent.location, *vevent.categories
    ):
        return
    assert ics.serialize_event(vevent) == ics.serialize_event_with_icalendar(vevent)


@pytest.mark.parametrize("tail", ["\\", ";", ",", "\n", "€", "🔧", "^", "ë\\"])
def test_folding_at_every_position_matches_icalendar(tail):
    """A fold lands before, inside and after a multi-byte character or an
    escape, for each offset around the 75-octet limit."""
    for width in range(55, 160):
        text = "x" * width + tail * 9
        vevent = event(summary=text, description=tail + text, location=text[::-1])
        written = ics.serialize_event(vevent)
        assert written == ics.serialize_event_with_icalendar(vevent), width
        for line in lines_of(written):
            assert len(line) <= 75
            line.decode("utf-8")


def test_a_backslash_before_n_stays_two_characters():
    """RFC 5545 escapes a backslash as \\\\; icalendar's writer instead turns
    backslash-N in the text into a line break. Ours keeps the text, and every
    parser reads it back as written."""
    text = "Map: C:\\New\\n folder \\N;\\,x"
    body = serialize(document(event(summary=text, description=text)))
    assert "SUMMARY:Map: C:\\\\New\\\\n folder \\\\N\\;\\\\\\,x" in unfolded(body)
    read = read_all(body)[0]
    assert read["summary"] == read["description"] == text


def test_awkward_text_reads_the_same_in_ical_js():
    texts = [
        "a;b,c\\d",
        "line one\r\nline two\rthree\nfour",
        "tab\there",
        "\x00\x07bell",
        "€" * 80,
        "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 " * 20,
        "ends in backslash \\",
        ":colon; semi",
        "זה עברית",
    ]
    events = [
        event(uid=f"e-{n}@t", summary=t, description=t, location=t) for n, t in enumerate(texts)
    ]
    read = read_icaljs(serialize(document(*events)))
    for text, item in zip(texts, read, strict=True):
        assert item["summary"] == item["description"] == item["location"] == clean_text(text)


# --- rule 2 --------------------------------------------------------------------------------


@pytest.mark.parametrize("sequence", [-1, 1_764_324_000_000, 2.5, "3"])
def test_rule_2_sequence_must_be_a_small_integer(sequence):
    with pytest.raises(ValueError):
        serialize(document(event(sequence=sequence)))


def test_rule_2_sequence_is_written_as_given():
    body = serialize(document(event(sequence=7)))
    assert b"\r\nSEQUENCE:7\r\n" in body


# --- rule 5 --------------------------------------------------------------------------------


def test_rule_5_times_carry_a_tzid_whose_vtimezone_is_in_the_same_file():
    body = serialize(
        document(
            event(),
            event(uid="b-2@t", starts_at=datetime(2041, 7, 1, 6), ends_at=datetime(2041, 7, 1, 7)),
        )
    )
    text = unfolded(body)
    starts = [
        line
        for line in text
        if line.startswith(("DTSTART", "DTEND")) and not line.startswith("DTSTART:1970")
    ]
    assert starts and all(line.split(":")[0].endswith(";TZID=Europe/Amsterdam") for line in starts)
    assert "TZID:Europe/Amsterdam" in text
    assert not any("TZID=UTC" in line for line in text)
    stamps = [line for line in text if line.startswith(("DTSTAMP", "LAST-MODIFIED"))]
    assert stamps and all(line.endswith("Z") for line in stamps)
    # 08:00 UTC in March is 09:00 in Amsterdam, 06:00 UTC in July is 08:00.
    assert "DTSTART;TZID=Europe/Amsterdam:20410314T090000" in text
    assert "DTSTART;TZID=Europe/Amsterdam:20410701T080000" in text
    read = read_all(body)
    assert [e["start"] for e in read] == [
        datetime(2041, 3, 14, 8, tzinfo=UTC),
        datetime(2041, 7, 1, 6, tzinfo=UTC),
    ]


def test_rule_5_vtimezone_agrees_with_tzdata():
    """The VTIMEZONE is written as yearly rules (which Outlook reads); as vobject
    turns it into a tzinfo, it gives tzdata's offset at every hour around each
    change from 2000 to 2037 and at noon on every day in between."""
    body = serialize(document(event()))
    zone = vobject.readOne(body.decode()).vtimezone.gettzinfo()
    instants = []
    day = datetime(2000, 1, 1, 12, tzinfo=UTC)
    while day.year < 2038:
        instants.append(day)
        day += timedelta(days=1)
    for year in range(2000, 2038):
        for month in (3, 10):
            last_sunday = max(
                date(year, month, d) for d in range(25, 32) if date(year, month, d).weekday() == 6
            )
            start = datetime.combine(last_sunday, datetime.min.time(), tzinfo=UTC)
            instants += [start + timedelta(minutes=30 * n) for n in range(-2, 8)]
    for instant in instants:
        expected = instant.astimezone(AMSTERDAM).utcoffset()
        assert instant.astimezone(zone).utcoffset() == expected, instant


# --- rules 6 and 7 ---------------------------------------------------------------------------


def test_rule_6_calendar_is_named_with_name_and_x_wr_calname():
    text = unfolded(serialize(document(name="Bookings; Het Stedelijk")))
    assert "NAME:Bookings\\; Het Stedelijk" in text
    assert "X-WR-CALNAME:Bookings\\; Het Stedelijk" in text
    named = vobject.readOne(serialize(document(name="a\\b\nc;")).decode())
    assert named.contents["name"][0].value == "a\\b c;"
    assert "X-WR-CALDESC:Bookings" in text and "DESCRIPTION:Bookings" in text
    # ical.js keeps NAME and X-WR-CALNAME as it finds them (no unescaping).
    read = read_icaljs_raw(serialize(document(name="Bookings of Het Stedelijk")))
    assert read["name"] == read["x_wr_calname"] == "Bookings of Het Stedelijk"


def test_rule_7_refresh_hints_are_written_unquoted_with_value_duration():
    body = serialize(document(event()))
    assert b"\r\nREFRESH-INTERVAL;VALUE=DURATION:PT1H\r\n" in body
    assert b"\r\nX-PUBLISHED-TTL:PT1H\r\n" in body
    single = ics.serialize_events([event()], name="One booking")
    assert b"REFRESH-INTERVAL" not in single and b"X-PUBLISHED-TTL" not in single


# --- rule 8 (the serializer's part) -------------------------------------------------------


def test_same_data_give_identical_bytes():
    first = serialize(document(event(), event(uid="b-2@t")))
    ics.serialize_event.cache_clear()
    ics._frame.cache_clear()
    assert serialize(document(event(), event(uid="b-2@t"))) == first


@pytest.mark.parametrize(
    "bad",
    [
        {"status": "MAYBE"},
        {"ends_at": datetime(2041, 3, 14, 8, 0)},
        {"uid": ""},
        {"uid": "a\nb"},
        {"starts_at": datetime(2041, 3, 14, 8, 0, tzinfo=UTC)},
    ],
)
def test_events_that_clients_would_misread_are_refused(bad):
    with pytest.raises(ValueError):
        serialize(document(event(**bad)))


# --- rule 11 ---------------------------------------------------------------------------------


def _holiday_dates(region: str, first: date, last: date) -> set[date]:
    """The reference holidays the app ships (fixtures/holidays.json), as dates."""
    data = json.loads((Path(__file__).parents[2] / "fixtures" / "holidays.json").read_text())
    days = set()
    for entry in data["holidays"]:
        if entry["region"] != region:
            continue
        day, end = date.fromisoformat(entry["start"]), date.fromisoformat(entry["end"])
        while day <= end:
            if first <= day <= last:
                days.add(day)
            day += timedelta(days=1)
    return days


def test_rule_11_weekly_lessons_are_one_rrule_with_holidays_excluded_and_one_cancelled_override():
    """A hybrid teacher's Thursday lessons for a school year: one VEVENT with an
    RRULE, an EXDATE for every Thursday in region noord's holidays, and one
    lesson cancelled as an override with RECURRENCE-ID. Expanded as a client
    would (recurring-ical-events, vobject, ical.js): no lesson in a holiday,
    the cancelled one is there as CANCELLED and the series is intact."""
    first_day, last_day = date(2025, 9, 4), date(2026, 7, 2)
    holidays = _holiday_dates("noord", first_day, last_day)
    assert holidays, "the reference holidays cover this school year"

    def lesson_start(day: date) -> datetime:
        local = datetime(day.year, day.month, day.day, 10, 30, tzinfo=AMSTERDAM)
        return local.astimezone(UTC).replace(tzinfo=None)

    thursdays = [
        first_day + timedelta(weeks=n)
        for n in range(60)
        if first_day + timedelta(weeks=n) <= last_day
    ]
    skipped = [d for d in thursdays if d in holidays]
    assert skipped
    series = event(
        uid="placement-7@techniekpoort.test",
        sequence=1,
        starts_at=lesson_start(first_day),
        ends_at=lesson_start(first_day) + timedelta(minutes=50),
        summary="Technology lesson (hybrid teacher)",
        recurrence=Recurrence(
            ("TH",), until=lesson_start(last_day), exdates=tuple(lesson_start(d) for d in skipped)
        ),
    )
    cancelled_day = date(2026, 3, 12)
    override = event(
        uid=series.uid,
        sequence=2,
        status="CANCELLED",
        starts_at=lesson_start(cancelled_day),
        ends_at=lesson_start(cancelled_day) + timedelta(minutes=50),
        summary="Technology lesson (hybrid teacher)",
        recurrence_id=lesson_start(cancelled_day),
    )
    body = serialize(document(series, override))
    assert unfolded(body).count("BEGIN:VEVENT") == 2

    expanded = recurring_ical_events.of(icalendar.Calendar.from_ical(body)).between(
        datetime(2025, 9, 1), datetime(2026, 7, 31)
    )
    days = {
        o.decoded("dtstart").astimezone(AMSTERDAM).date(): str(o.get("status", "CONFIRMED"))
        for o in expanded
    }
    expected = [d for d in thursdays if d not in holidays]
    assert sorted(days) == expected
    assert not set(days) & holidays
    assert days[cancelled_day] == "CANCELLED"
    assert all(status == "CONFIRMED" for day, status in days.items() if day != cancelled_day)
    assert all(o.decoded("dtstart").astimezone(AMSTERDAM).hour == 10 for o in expanded)

    vseries = next(
        v for v in vobject.readOne(body.decode()).vevent_list if "recurrence_id" not in v.contents
    )
    by_vobject = {d.astimezone(AMSTERDAM).date() for d in vseries.getrruleset()}
    assert sorted(by_vobject) == expected

    by_icaljs = read_icaljs_raw(body)["events"]
    series_js = next(e for e in by_icaljs if e["recurrence_id"] is None)
    occurrences = {
        datetime.fromisoformat(o.replace("Z", "+00:00")).astimezone(AMSTERDAM).date()
        for o in series_js["occurrences"]
    }
    assert sorted(occurrences) == expected
    override_js = next(e for e in by_icaljs if e["recurrence_id"] is not None)
    assert override_js["status"] == "CANCELLED" and override_js["uid"] == series.uid
