"""Hybrid-teacher placements in calendar feeds (docs/INTEROPERABILITY.md, rule 11): one
VEVENT per agreed placement with a weekly RRULE, an EXDATE for every lesson
day in the school region's holidays, and an override with RECURRENCE-ID for
each moved or cancelled lesson. Read by three parsers and expanded as a
client would (recurring-ical-events, vobject, ical.js).

Dates are fixed in 2041, so the series crosses the change to summer time
(31 March 2041) whatever day the tests run; the service is told "today"."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
import recurring_ical_events
import vobject

from app.calendar.models import CalendarFeed
from app.holidays.models import SchoolHoliday
from app.placements import schedule
from app.placements import service as placements
from app.placements.models import Placement
from tests.apps import login
from tests.calendar.helpers import make_feed
from tests.calendar.parsers import node_available, read_all, read_icaljs_raw

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
TODAY = date(2040, 12, 1)
FIRST, LAST = date(2041, 2, 25), date(2041, 5, 16)  # a Monday, a Thursday
START, END = time(10, 30), time(12, 0)
SPRING = (date(2041, 3, 11), date(2041, 3, 15))  # a holiday week in region noord
MAY = (date(2041, 4, 29), date(2041, 5, 3))
ELSEWHERE = (date(2041, 3, 25), date(2041, 3, 29))  # region zuid only
CANCELLED = date(2041, 3, 21)
MOVED, MOVED_TO = date(2041, 4, 8), date(2041, 4, 10)
MOVED_START, MOVED_END = time(13, 15), time(14, 45)


def _days(first: date, last: date) -> set[date]:
    return {first + timedelta(days=n) for n in range((last - first).days + 1)}


HOLIDAYS = _days(*SPRING) | _days(*MAY)
RULE_DAYS = [d for d in sorted(_days(FIRST, LAST)) if d.weekday() in (0, 3)]
LESSON_DAYS = [d for d in RULE_DAYS if d not in HOLIDAYS]


@pytest.fixture
def placement(db, world):
    db.session.add_all(
        [
            SchoolHoliday(
                region="noord", name="Voorjaarsvakantie", start_date=SPRING[0], end_date=SPRING[1]
            ),
            SchoolHoliday(region="noord", name="Meivakantie", start_date=MAY[0], end_date=MAY[1]),
            SchoolHoliday(
                region="zuid",
                name="Voorjaarsvakantie",
                start_date=ELSEWHERE[0],
                end_date=ELSEWHERE[1],
            ),
        ]
    )
    professional = placements.register_candidate(
        None,
        company=world.company,
        name="Ellen Draaier",
        expertise="CNC, PLC",
        subjects="Metaaltechniek",
        profiles=["PIE"],
        weekdays=["mo", "th"],
        hours_per_week=4,
        town="Hengelo",
        consent=True,
        email="ellen@example.test",
    )
    terms = placements.Terms(
        hours_per_week=3,
        weekdays={"mo", "th"},
        start_time=START,
        end_time=END,
        first_date=FIRST,
        last_date=LAST,
    )
    proposal = placements.propose(
        world.contact,
        company=world.company,
        school=world.school,
        professional=professional,
        terms=terms,
        subjects="Metaaltechniek",
        profiles=["PIE"],
        today=TODAY,
    )
    db.session.commit()
    return proposal


def agree(db, world, placement):
    placements.accept(world.teacher, placement)
    db.session.commit()


def change_lessons(db, world, placement):
    placements.cancel_lesson(
        world.teacher, placement, CANCELLED, "Toetsweek, bel 06-12345678", today=TODAY
    )
    placements.move_lesson(
        world.contact,
        placement,
        MOVED,
        MOVED_TO,
        MOVED_START,
        MOVED_END,
        "Machine in onderhoud",
        today=TODAY,
    )
    db.session.commit()


def _local(value) -> datetime:
    return value.astimezone(AMSTERDAM)


def expanded(body: bytes) -> list:
    """Every occurrence of the placement between its first and last day, as
    a client expands the series with its overrides."""
    calendar = icalendar.Calendar.from_ical(body)
    return [
        o
        for o in recurring_ical_events.of(calendar).between(
            datetime(2041, 1, 1), datetime(2041, 6, 30)
        )
        if str(o["uid"]).startswith("placement-")
    ]


def taking_place(body: bytes) -> dict[date, list[tuple[time, time]]]:
    lessons: dict[date, list[tuple[time, time]]] = {}
    for occurrence in expanded(body):
        if str(occurrence.get("status")) == "CANCELLED":
            continue
        start, end = (_local(occurrence.decoded(k)) for k in ("dtstart", "dtend"))
        lessons.setdefault(start.date(), []).append((start.time(), end.time()))
    return lessons


def test_an_agreed_placement_is_one_weekly_series_without_the_holidays(db, world, placement, fetch):
    feed = make_feed(db, world.teacher)
    assert "placement-" not in fetch(feed).get_data(as_text=True)  # proposed: not yet

    agree(db, world, placement)
    body = fetch(feed).data
    read = read_all(body)
    series = [e for e in read if e["uid"].startswith("placement-")]
    assert len(series) == 1 and series[0]["recurrence_id"] is None
    assert series[0]["status"] == "CONFIRMED"
    assert "Ellen Draaier" in series[0]["summary"]
    assert "Metaalbedrijf Twente" in series[0]["summary"]
    assert "ellen@example.test" not in body.decode()

    vevent = next(
        v
        for v in icalendar.Calendar.from_ical(body).walk("VEVENT")
        if str(v["uid"]).startswith("placement-")
    )
    rule = vevent["rrule"]
    assert rule["FREQ"] == ["WEEKLY"] and rule["BYDAY"] == ["MO", "TH"]
    assert rule["UNTIL"][0].tzinfo is not None  # UTC, as RFC 5545 wants with a TZID start
    assert _local(vevent.decoded("dtstart")) == datetime.combine(FIRST, START, AMSTERDAM)

    lessons = taking_place(body)
    assert sorted(lessons) == LESSON_DAYS
    assert not set(lessons) & HOLIDAYS
    # 10:30 in Amsterdam before and after the change to summer time.
    assert all(times == [(START, END)] for times in lessons.values())
    assert date(2041, 3, 28) in lessons  # region zuid's holiday is not this school's

    by_vobject = next(
        v
        for v in vobject.readOne(body.decode()).vevent_list
        if v.uid.value.startswith("placement-")
    )
    assert sorted(_local(d).date() for d in by_vobject.getrruleset()) == LESSON_DAYS
    assert {_local(d).time() for d in by_vobject.getrruleset()} == {START}

    if node_available():
        by_icaljs = next(
            e for e in read_icaljs_raw(body)["events"] if e["uid"].startswith("placement-")
        )
        occurrences = [
            _local(datetime.fromisoformat(o.replace("Z", "+00:00")))
            for o in by_icaljs["occurrences"]
        ]
        assert [o.date() for o in occurrences] == LESSON_DAYS
        assert {o.time() for o in occurrences} == {START}


def test_a_moved_lesson_is_there_once_at_its_new_time_and_a_cancelled_one_not_at_all(
    db, world, placement, fetch
):
    agree(db, world, placement)
    feed = make_feed(db, world.teacher)
    before = fetch(feed)
    change_lessons(db, world, placement)
    after = fetch(feed)
    assert after.headers["ETag"] != before.headers["ETag"]
    body = after.data

    read = read_all(body)
    mine = [e for e in read if e["uid"].startswith("placement-")]
    assert len({e["uid"] for e in mine}) == 1  # the UID never changes
    old_series = next(e for e in read_all(before.data) if e["uid"].startswith("placement-"))
    series = next(e for e in mine if e["recurrence_id"] is None)
    assert series["uid"] == old_series["uid"]
    assert series["sequence"] > old_series["sequence"]
    overrides = {_local(e["recurrence_id"]).date(): e for e in mine if e["recurrence_id"]}
    assert sorted(overrides) == [CANCELLED, MOVED]
    assert all(e["sequence"] >= series["sequence"] for e in overrides.values())
    assert overrides[CANCELLED]["status"] == "CANCELLED"
    assert "Toetsweek" in overrides[CANCELLED]["description"]
    assert "06-12345678" not in body.decode()  # free text is redacted in feeds (rule 10)
    assert _local(overrides[MOVED]["start"]) == datetime.combine(MOVED_TO, MOVED_START, AMSTERDAM)

    lessons = taking_place(body)
    # What a client makes of the feed is what the placements domain says.
    db.session.expire_all()
    expected: dict[date, list[tuple[time, time]]] = {}
    for lesson in schedule.lessons(
        db.session.get(Placement, placement.id), include_cancelled=False
    ):
        expected.setdefault(lesson.date, []).append((lesson.start_time, lesson.end_time))
    assert lessons == expected
    assert CANCELLED not in lessons
    assert MOVED not in lessons
    assert lessons[MOVED_TO] == [(MOVED_START, MOVED_END)]
    assert sorted(lessons) == sorted(set(LESSON_DAYS) - {CANCELLED, MOVED} | {MOVED_TO})
    # The cancelled lesson is still in the feed, as cancelled (rule 3).
    cancelled = [o for o in expanded(body) if str(o.get("status")) == "CANCELLED"]
    assert [_local(o.decoded("dtstart")).date() for o in cancelled] == [CANCELLED]

    if node_available():
        by_icaljs = [
            e for e in read_icaljs_raw(body)["events"] if e["uid"].startswith("placement-")
        ]
        assert {e["status"] for e in by_icaljs if e["recurrence_id"]} == {"CANCELLED", "CONFIRMED"}


def test_ending_early_cuts_the_series_and_raises_sequence(db, world, placement, fetch):
    agree(db, world, placement)
    feed = make_feed(db, world.contact)
    before = next(e for e in read_all(fetch(feed).data) if e["uid"].startswith("placement-"))
    ended_on = date(2041, 4, 4)
    placements.end_early(world.contact, placement, "Project elders", ended_on=ended_on, today=TODAY)
    db.session.commit()
    body = fetch(feed).data
    after = next(e for e in read_all(body) if e["uid"].startswith("placement-"))
    assert after["uid"] == before["uid"] and after["sequence"] > before["sequence"]
    assert sorted(taking_place(body)) == [d for d in LESSON_DAYS if d <= ended_on]


def test_ended_before_the_first_lesson_it_stays_as_cancelled(db, world, placement, fetch):
    agree(db, world, placement)
    feed = make_feed(db, world.teacher)
    placements.end_early(
        world.teacher, placement, "Geen budget", ended_on=date(2041, 1, 10), today=TODAY
    )
    db.session.commit()
    body = fetch(feed).data
    series = [e for e in read_all(body) if e["uid"].startswith("placement-")]
    assert [e["status"] for e in series] == ["CANCELLED"]
    assert taking_place(body) == {}


def test_who_sees_the_placement(db, world, placement, fetch):
    agree(db, world, placement)
    shows = {
        "teacher's own": make_feed(db, world.teacher),
        "school": make_feed(db, world.teacher, "organisation", organisation=world.school),
        "contact's own": make_feed(db, world.contact),
        "company": make_feed(db, world.contact, "organisation", organisation=world.company),
        "coordinator, everything": make_feed(db, world.coordinator, "filtered"),
        "coordinator, placements": make_feed(
            db, world.coordinator, "filtered", filters={"kinds": ["placement"]}
        ),
        "coordinator, this school": make_feed(
            db,
            world.coordinator,
            "filtered",
            filters={"schools": [world.school.id], "profiles": ["PIE"]},
        ),
    }
    hides = {
        "other teacher": make_feed(db, world.other_teacher),
        "other school": make_feed(
            db, world.other_teacher, "organisation", organisation=world.other_school
        ),
        "other company": make_feed(
            db, world.other_contact, "organisation", organisation=world.other_company
        ),
        "coordinator, company visits": make_feed(
            db, world.coordinator, "filtered", filters={"kinds": ["company_visit"]}
        ),
        "coordinator, region zuid": make_feed(
            db, world.coordinator, "filtered", filters={"regions": ["zuid"]}
        ),
        "coordinator, other profile": make_feed(
            db, world.coordinator, "filtered", filters={"profiles": ["BWI"]}
        ),
    }
    uid = f"placement-{placement.id}@"
    for name, feed in shows.items():
        assert uid in fetch(feed).get_data(as_text=True), name
    for name, feed in hides.items():
        assert uid not in fetch(feed).get_data(as_text=True), name


def test_placement_events_raise_exactly_the_feeds_that_show_it(db, world, placement):
    showing = [
        make_feed(db, world.teacher),
        make_feed(db, world.contact, "organisation", organisation=world.company),
        make_feed(db, world.coordinator, "filtered", filters={"kinds": ["placement"]}),
    ]
    other = [
        make_feed(db, world.other_teacher),
        make_feed(db, world.coordinator, "filtered", filters={"kinds": ["workshop"]}),
    ]

    def versions(feeds):
        db.session.expire_all()
        return [db.session.get(CalendarFeed, f.id).version for f in feeds]

    before, before_other = versions(showing), versions(other)
    agree(db, world, placement)
    agreed = versions(showing)
    assert all(a > b for a, b in zip(agreed, before, strict=True))
    change_lessons(db, world, placement)
    assert all(a > b for a, b in zip(versions(showing), agreed, strict=True))
    assert versions(other) == before_other


def test_the_kind_filter_offers_placements(app, db, world):
    client = login(app.test_client(), world.coordinator)
    page = client.get("/calendar").get_data(as_text=True)
    assert 'value="placement"' in page
    response = client.post(
        "/calendar/feeds",
        data={
            "feed-kind": "filtered",
            "feed-kinds": ["placement"],
            "feed-name": "Hybride docenten",
        },
    )
    assert response.status_code == 303
    feed = db.session.query(CalendarFeed).filter_by(name="Hybride docenten").one()
    assert feed.filters["kinds"] == ["placement"]


def test_lessons_are_in_utc_by_the_series_zone(db, world, placement, fetch):
    """Every EXDATE names a lesson start of the rule, at 10:30 local (a wrong
    offset would leave the holiday lessons in place)."""
    agree(db, world, placement)
    body = fetch(make_feed(db, world.teacher)).data
    vevent = next(
        v
        for v in icalendar.Calendar.from_ical(body).walk("VEVENT")
        if str(v["uid"]).startswith("placement-")
    )
    found = vevent["exdate"]
    exdates = [
        _local(d.dt) for item in (found if isinstance(found, list) else [found]) for d in item.dts
    ]
    assert sorted(d.date() for d in exdates) == sorted(d for d in RULE_DAYS if d in HOLIDAYS)
    assert {d.time() for d in exdates} == {START}


def _sequence(body: bytes) -> int:
    return next(
        int(v["sequence"])
        for v in icalendar.Calendar.from_ical(body).walk("VEVENT")
        if str(v["uid"]).startswith("placement-") and "recurrence-id" not in v
    )


def test_a_holiday_added_or_deleted_moves_the_series_and_its_sequence(db, world, placement, fetch):
    from app.holidays import service as holidays

    agree(db, world, placement)
    feed = make_feed(db, world.teacher)
    first = fetch(feed)
    week = (date(2041, 4, 15), date(2041, 4, 19))  # a Monday and a Thursday with lessons
    assert {date(2041, 4, 15), date(2041, 4, 18)} <= set(taking_place(first.data))

    # Another region's holiday changes nothing.
    holidays.add_holiday("zuid", "Studiedagen", *week)
    db.session.commit()
    assert fetch(feed, **{"If-None-Match": first.headers["ETag"]}).status_code == 304

    added = holidays.add_holiday("noord", "Studieweek", *week)
    db.session.commit()
    closed = fetch(feed)
    assert closed.headers["ETag"] != first.headers["ETag"]
    assert _sequence(closed.data) > _sequence(first.data)
    assert not {date(2041, 4, 15), date(2041, 4, 18)} & set(taking_place(closed.data))

    holidays.delete_holiday(added)
    db.session.commit()
    reopened = fetch(feed)
    assert _sequence(reopened.data) > _sequence(closed.data)
    assert {date(2041, 4, 15), date(2041, 4, 18)} <= set(taking_place(reopened.data))
