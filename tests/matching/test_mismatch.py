"""The coordinators' mismatch figures: a small region worked out by hand, and
every figure recomputed in plain Python from the raw rows."""

from __future__ import annotations

import math
from collections import Counter
from datetime import timedelta

from sqlalchemy import select

from app.accounts.models import Organisation
from app.bookings.models import Booking
from app.catalogue.models import Activity, Slot
from app.insights.filters import SchoolYear
from app.matching import mismatch
from app.matching.ranking import PROFILE_SECTORS
from app.school_requests import service
from app.school_requests.models import RUNNING, SchoolRequest
from app.timeutil import to_local, utcnow
from tests import factories
from tests.school_requests.helpers import request_input

ENSCHEDE = {"latitude": 52.2215, "longitude": 6.8937, "city": "Enschede"}
GRONINGEN = {"latitude": 53.2194, "longitude": 6.5665, "city": "Groningen"}


def ask(teacher, school, days_ago=0, **changes):
    posted = service.post_request(teacher, school, request_input(**changes))
    posted.created_at = utcnow() - timedelta(days=days_ago)
    return posted


def region(db):
    near = factories.school(name="Near", **ENSCHEDE)
    far = factories.school(name="Far", **GRONINGEN)
    factories.school(name="Idle", **ENSCHEDE)
    asking = factories.school(name="Only asks", **ENSCHEDE)
    factories.school(name="Pending", status="pending", **ENSCHEDE)
    teachers = {s.name: factories.user(s, "teacher") for s in (near, far, asking)}

    metal = factories.company(name="Metal", **ENSCHEDE)
    pie = factories.activity(metal, profiles=frozenset({"PIE"}), years=frozenset({"3"}))
    factories.slot(pie, days_ahead=20)
    ict = factories.company(name="ICT", sectors=frozenset({"ict"}), **ENSCHEDE)
    neutral = factories.activity(
        ict, profiles=frozenset(), years=frozenset({"2", "3"}), venue="school"
    )
    factories.slot(neutral, days_ahead=25)
    # Offers, but nobody booked them.
    lonely = factories.company(name="Lonely", **ENSCHEDE)
    factories.slot(
        factories.activity(lonely, profiles=frozenset({"PIE"}), years=frozenset({"4"})),
        days_ahead=30,
    )
    # A draft does not count as supply, nor as an offer.
    drafty = factories.company(name="Drafty", **ENSCHEDE)
    factories.slot(
        factories.activity(drafty, status="draft", profiles=frozenset({"MVI"})), days_ahead=10
    )

    # Near books the PIE date and the neutral one: not idle; Metal and ICT are booked.
    from app.bookings import service as bookings

    teacher = teachers["Near"]
    for activity in (pie, neutral):
        bookings.request_booking(
            teacher,
            activity.slots[0],
            near,
            bookings.Group(
                size=10, year="3", path="KB", profile=None if not activity.profiles else "PIE"
            ),
        )

    ask(teacher, near, topic="served nearby", profile="PIE")  # served by Metal's date
    ask(teachers["Far"], far, topic="too far", profile="PIE", max_km=30)  # Metal is ~111 km
    ask(teachers["Far"], far, topic="far but travels", profile="PIE", max_km=None)  # served
    ask(teacher, near, topic="neutral is no MVI", profile="MVI")  # only a neutral offer
    ask(teacher, near, topic="year two", year="2", profile=None)  # served by the neutral one
    ask(teacher, near, days_ago=20, topic="old BWI", year="4", profile="BWI")  # unanswered
    ask(teacher, near, days_ago=16, topic="old MaT", profile="MaT")  # unanswered
    answered = ask(teacher, near, days_ago=20, topic="answered", profile="PIE")
    service.propose_slot(factories.user(metal, "contact"), answered, metal, pie.slots[0])
    ask(teacher, near, days_ago=5, topic="young", profile="PIE")
    gone = ask(teacher, near, days_ago=20, topic="withdrawn", profile="BWI")
    service.withdraw_request(teacher, gone)
    ask(teachers["Only asks"], asking, topic="only asks", profile="PIE")
    db.session.commit()


def km(a, b) -> float:
    # Written out again (not imported): the catalogue's equirectangular distance.
    x = (b[1] - a[1]) * 111.320 * math.cos(math.radians(a[0]))
    y = (b[0] - a[0]) * 110.574
    return math.hypot(x, y)


def recompute(db, now):
    """Every figure from the raw rows, in plain Python."""
    today = to_local(now).date()
    organisations = {o.id: o for o in db.session.scalars(select(Organisation))}
    activities = {a.id: a for a in db.session.scalars(select(Activity))}
    slots = list(db.session.scalars(select(Slot)))
    bookings = list(db.session.scalars(select(Booking)))
    requests = list(db.session.scalars(select(SchoolRequest)))

    unanswered = [
        r for r in requests if r.status == "open" and r.created_at <= now - timedelta(days=14)
    ]
    by_profile = Counter(r.profile for r in unanswered)
    by_sector = Counter(s for r in unanswered for s in PROFILE_SECTORS.get(r.profile, ()))

    supply = []
    for a in activities.values():
        company = organisations[a.company_id]
        if (
            a.status == "published"
            and company.status == "approved"
            and any(
                s.activity_id == a.id and s.status == "open" and s.starts_at > now for s in slots
            )
        ):
            supply.append(a)

    def served(r) -> bool:
        school = organisations[r.school_id]
        for a in supply:
            if r.year not in a.years or (r.profile and r.profile not in a.profiles):
                continue
            if a.venue != "company" or r.max_km is None or a.latitude is None:
                return True
            if km((school.latitude, school.longitude), (a.latitude, a.longitude)) <= r.max_km:
                return True
        return False

    running = [r for r in requests if r.status in RUNNING and r.last_day >= today]
    unserved = [r for r in running if not served(r)]

    year = SchoolYear.containing(today)
    start, end = year.bounds
    in_year = [b for b in bookings if b.status in ("requested", "confirmed", "completed")]
    slot_of = {s.id: s for s in slots}
    busy_schools = {b.school_id for b in in_year if start <= slot_of[b.slot_id].starts_at < end}
    asking = {r.school_id for r in requests if start <= r.created_at < end}
    idle_schools = [
        o
        for o in organisations.values()
        if o.kind == "school" and o.status == "approved" and o.id not in busy_schools | asking
    ]
    booked_companies = {
        activities[slot_of[b.slot_id].activity_id].company_id
        for b in in_year
        if start <= slot_of[b.slot_id].starts_at < end
    }
    offering = {
        a.company_id
        for a in activities.values()
        if a.status == "published"
        and any(
            s.activity_id == a.id and s.status == "open" and start <= s.starts_at < end
            for s in slots
        )
    }
    idle_companies = [
        o
        for o in organisations.values()
        if o.kind == "company" and o.status == "approved" and o.id in offering - booked_companies
    ]
    return {
        "unanswered": len(unanswered),
        "by_profile": by_profile,
        "by_sector": by_sector,
        "unserved": sorted(r.topic for r in unserved),
        "unserved_pairs": Counter((r.profile, r.year) for r in unserved),
        "idle_schools": sorted(o.name for o in idle_schools),
        "idle_companies": sorted(o.name for o in idle_companies),
    }


def test_the_figures_are_those_worked_out_by_hand_and_from_the_raw_rows(db):
    region(db)
    now = utcnow()
    figures = mismatch.figures(now)
    # By hand.
    assert figures.unanswered == 2
    # In the vocabulary's order of profiles.
    assert [(r.args["profile"], r.count) for r in figures.unanswered_by_profile] == [
        ("BWI", 1),
        ("MaT", 1),
    ]
    assert {r.args["sector"]: r.count for r in figures.unanswered_by_sector} == {
        "construction": 1,
        "maritime": 1,
        "metal": 1,
    }
    unserved_topics = sorted(
        db.session.get(SchoolRequest, i).topic for i in mismatch.unserved_request_ids(now)
    )
    assert unserved_topics == ["neutral is no MVI", "old BWI", "old MaT", "too far"]
    assert figures.unserved == 4
    assert figures.idle_schools == 1 and figures.idle_companies == 1
    assert [o.name for o in mismatch.idle_organisations("schools", figures.school_year)] == ["Idle"]
    assert [o.name for o in mismatch.idle_organisations("companies", figures.school_year)] == [
        "Lonely"
    ]
    # From the raw rows.
    raw = recompute(db, now)
    assert figures.unanswered == raw["unanswered"]
    assert {r.args["profile"]: r.count for r in figures.unanswered_by_profile} == dict(
        raw["by_profile"]
    )
    assert {r.args["sector"]: r.count for r in figures.unanswered_by_sector} == dict(
        raw["by_sector"]
    )
    assert unserved_topics == raw["unserved"]
    assert {
        (r.args["profile"], r.args["year"]): r.count for r in figures.unserved_by_profile_and_year
    } == dict(raw["unserved_pairs"])
    assert figures.idle_schools == len(raw["idle_schools"])
    assert figures.idle_companies == len(raw["idle_companies"])


def test_each_figure_links_to_the_list_behind_it(db, coordinator_client):
    region(db)
    page = coordinator_client.get("/mismatch").get_data(as_text=True)
    figures = mismatch.figures()
    for row in [
        *figures.unanswered_by_profile,
        *figures.unanswered_by_sector,
        *figures.unserved_by_profile_and_year,
    ]:
        listing = coordinator_client.get("/requests/all", query_string=row.args)
        body = listing.get_data(as_text=True)
        assert body.count('data-request="') == row.count, row
    for figure, count in (("unanswered", figures.unanswered), ("unserved", figures.unserved)):
        assert f'href="/requests/all?figure={figure}" data-figure="{figure}">{count}<' in page
        body = coordinator_client.get(f"/requests/all?figure={figure}").get_data(as_text=True)
        assert body.count('data-request="') == count
    schools = coordinator_client.get("/mismatch/schools").get_data(as_text=True)
    assert schools.count('data-organisation="') == figures.idle_schools
    companies = coordinator_client.get("/mismatch/companies").get_data(as_text=True)
    assert companies.count('data-organisation="') == figures.idle_companies
