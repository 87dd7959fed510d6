"""GET /api/v1/activities answers what it answered before it chose the page's
activities first (app/catalogue/search.py, search_activities).

The reference below is the statement the list used before: every upcoming
slot grouped per activity, joined to the filtered activities, sorted and cut
into pages by the database. It is slow at national scale and obviously right,
which makes it the yardstick for the fast version, for a set of filter
combinations and every page of each."""

from __future__ import annotations

import math
from datetime import datetime, time, timedelta
from urllib.parse import urlencode

import pytest
from sqlalchemy import Integer, and_, func, literal, or_, select
from sqlalchemy.orm import aliased

from app.accounts.models import Organisation
from app.catalogue import search as catalogue_search
from app.catalogue.models import Activity, Slot
from app.catalogue.search import Filters, Origin, distance_expression
from app.timeutil import LOCAL_TZ, local_to_utc, utcnow
from tests import factories
from tests.api.helpers import api_as

ENSCHEDE = (52.2215, 6.8937)  # the factories' default place
HENGELO = (52.2659, 6.7931)
AMSTERDAM = (52.3700, 4.8900)


def reference(db, filters: Filters, origin: Origin | None, per_page: int):
    """The list as the old statement made it: (ids with their summary, has_next)."""
    company = aliased(Organisation)
    slot_conditions = [Slot.status == "open", Slot.starts_at > utcnow()]
    if filters.date_from:
        first = datetime.combine(filters.date_from, time.min, LOCAL_TZ)
        slot_conditions.append(Slot.starts_at >= local_to_utc(first))
    if filters.date_to:
        last = datetime.combine(filters.date_to, time.max, LOCAL_TZ)
        slot_conditions.append(Slot.starts_at <= local_to_utc(last))
    if filters.free:
        slot_conditions.append(Slot.taken < Slot.capacity)
    upcoming = (
        select(
            Slot.activity_id.label("activity_id"),
            func.min(Slot.starts_at).label("next_starts_at"),
            func.count(Slot.id).label("open_slots"),
            func.max(Slot.capacity - Slot.taken).label("max_free_places"),
        )
        .where(*slot_conditions)
        .group_by(Slot.activity_id)
        .subquery("upcoming")
    )
    slot_filtered = bool(filters.date_from or filters.date_to or filters.free)
    conditions = [Activity.status == "published", company.status == "approved"]
    if filters.kind:
        conditions.append(Activity.kind.in_(filters.kind))
    for name, column in (
        ("sector", Activity.sectors),
        ("profile", Activity.profiles),
        ("year", Activity.years),
        ("path", Activity.paths),
    ):
        codes = getattr(filters, name)
        if codes:
            wanted = literal(column.type.mask(codes), Integer)
            condition = column.op("&", return_type=Integer)(wanted) != 0
            if name == "profile":
                condition = or_(condition, Activity.profiles == frozenset())
            conditions.append(condition)
    if filters.q:
        escaped = filters.q.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        pattern = f"%{escaped}%"
        conditions.append(
            or_(
                *(
                    func.lower(column).like(pattern, escape="\\")
                    for column in (
                        Activity.title,
                        Activity.description,
                        company.name,
                        Activity.city,
                    )
                )
            )
        )
    distance = None
    if origin is not None:
        distance = distance_expression(origin)
        if filters.max_km:
            conditions.append(
                or_(
                    Activity.venue == "online",
                    and_(Activity.latitude.is_not(None), distance <= filters.max_km**2),
                )
            )
    query = (
        select(
            Activity.id,
            upcoming.c.next_starts_at,
            upcoming.c.open_slots,
            upcoming.c.max_free_places,
            distance.label("distance2") if distance is not None else literal(None),
        )
        .join(company, Activity.company)
        .join(upcoming, upcoming.c.activity_id == Activity.id, isouter=not slot_filtered)
        .where(*conditions)
    )
    by_date = upcoming.c.next_starts_at.asc().nulls_last()
    if filters.sort == "distance" and distance is not None:
        query = query.order_by(distance.nulls_last(), by_date, Activity.id)
    else:
        query = query.order_by(by_date, Activity.id)
    offset = (filters.page - 1) * per_page
    rows = db.session.execute(query.offset(offset).limit(per_page + 1)).all()
    return [
        {
            "id": activity_id,
            "next_starts_at": next_starts_at.isoformat() + "Z" if next_starts_at else None,
            "open_slots": open_slots or 0,
            "max_free_places": max_free,
            "distance_km": round(math.sqrt(d2), 1) if d2 is not None else None,
        }
        for activity_id, next_starts_at, open_slots, max_free, d2 in rows[:per_page]
    ], len(rows) > per_page


@pytest.fixture
def offers(db):
    """A small catalogue with what makes the list hard: ties in date and
    distance, activities without dates, one with many dates close together,
    full and cancelled and past slots, and offers that must never show."""
    enschede = factories.company(name="Draaierij Enschede")
    hengelo = factories.company(
        name="Lasbedrijf Hengelo",
        city="Hengelo",
        latitude=HENGELO[0],
        longitude=HENGELO[1],
        sectors=frozenset({"metal", "ict"}),
    )
    amsterdam = factories.company(
        name="Zon & Co",
        city="Amsterdam",
        latitude=AMSTERDAM[0],
        longitude=AMSTERDAM[1],
        sectors=frozenset({"energy"}),
    )
    nowhere = factories.company(name="Zonder adres", latitude=None, longitude=None)
    pending = factories.company(status="pending")

    def offer(company, days: list[int], **values):
        activity = factories.activity(company, **values)
        for n, day in enumerate(days):
            taken = 30 if n % 3 == 2 else 5 * n % 30  # every third date is full
            factories.slot(activity, days_ahead=day, taken=taken)
        return activity

    # Every day for 60 days: a walk in date order finds only this one for long.
    offer(enschede, list(range(1, 61)), kind="workshop", title="Lassen elke dag")
    offer(enschede, [65], kind="workshop", title="Lassen elke dag, vervolg")
    offer(
        enschede,
        [3, 10, 17],
        kind="workshop",
        title="Lassen voor beginners",
        profiles=frozenset({"PIE"}),
        years=frozenset({"3", "4"}),
    )
    offer(
        enschede,
        [3, 24],
        kind="company_visit",
        title="Rondleiding",  # same day as above
        profiles=frozenset(),
        paths=frozenset({"TL", "GL"}),
    )
    offer(
        hengelo,
        [5, 6, 40],
        kind="guest_lesson",
        title="Programmeren in Python",
        sectors=frozenset({"ict"}),
        profiles=frozenset({"MVI"}),
        years=frozenset({"1", "2"}),
    )
    offer(
        hengelo,
        [12],
        kind="workshop",
        title="50% korting op lassen",
        years=frozenset({"3"}),
        paths=frozenset({"BB"}),
    )
    offer(hengelo, [], kind="event", title="Open dag zonder datum")
    offer(
        amsterdam,
        [8, 30, 31, 32],
        kind="event",
        title="Zonnepanelen leggen",
        sectors=frozenset({"energy"}),
        description="Op het dak in Amsterdam",
    )
    offer(
        amsterdam,
        [9],
        kind="guest_lesson",
        title="Online: energie",
        venue="online",
        latitude=None,
        longitude=None,
    )
    offer(
        enschede,
        [9, 70],
        kind="guest_lesson",
        title="Online: metaal",
        venue="online",
        latitude=None,
        longitude=None,
    )
    offer(
        nowhere,
        [15, 16],
        kind="company_visit",
        title="Ergens in Twente",
        latitude=None,
        longitude=None,
    )
    offer(nowhere, [], kind="company_visit", title="Nog geen datum")
    # Listed by nobody: a draft, an archived offer, a company not yet approved.
    offer(enschede, [4], status="draft")
    offer(hengelo, [4], status="archived")
    offer(pending, [4])
    # Dates that never count: cancelled and past.
    cancelled = offer(amsterdam, [], kind="job_shadowing", title="Alleen afgezegd")
    factories.slot(cancelled, days_ahead=2, status="cancelled")
    factories.slot(cancelled, days_ahead=-2)
    db.session.commit()


TODAY = utcnow().date()
QUERIES = [
    {},
    {"kind": "workshop"},
    {"kind": ["workshop", "event"]},
    {"sector": "ict"},
    {"profile": "PIE"},
    {"profile": "MVI"},
    {"year": "3", "path": "BB"},
    {"path": ["TL", "GL"]},
    {"free": "true"},
    {"free": "true", "kind": "workshop"},
    {"date_from": str(TODAY + timedelta(days=9))},
    {"date_to": str(TODAY + timedelta(days=9))},
    {"date_from": str(TODAY + timedelta(days=30)), "date_to": str(TODAY + timedelta(days=45))},
    {"q": "lassen"},
    {"q": "elke dag"},
    {"q": "amsterdam"},
    {"q": "50%"},
    {"lat": ENSCHEDE[0], "lon": ENSCHEDE[1]},
    {"lat": ENSCHEDE[0], "lon": ENSCHEDE[1], "sort": "distance"},
    {"lat": ENSCHEDE[0], "lon": ENSCHEDE[1], "sort": "distance", "free": "true"},
    {"lat": AMSTERDAM[0], "lon": AMSTERDAM[1], "sort": "distance", "kind": "guest_lesson"},
    {"lat": ENSCHEDE[0], "lon": ENSCHEDE[1], "max_km": 20},
    {"lat": ENSCHEDE[0], "lon": ENSCHEDE[1], "max_km": 20, "sort": "distance"},
]


def as_filters(query: dict, page: int) -> tuple[Filters, Origin | None]:
    lists = {
        name: value if isinstance(value, list) else [value]
        for name, value in query.items()
        if name in Filters.LISTS
    }
    filters = Filters(
        **lists,
        date_from=datetime.fromisoformat(query["date_from"]).date()
        if "date_from" in query
        else None,
        date_to=datetime.fromisoformat(query["date_to"]).date() if "date_to" in query else None,
        free="free" in query,
        max_km=query.get("max_km"),
        q=query.get("q", ""),
        sort=query.get("sort", "date"),
        page=page,
    )
    origin = Origin(query["lat"], query["lon"]) if "lat" in query else None
    return filters, origin


@pytest.mark.parametrize("walk", [None, 3], ids=["walk", "short-walk"])
@pytest.mark.parametrize("per_page", [2, 20])
@pytest.mark.parametrize("query", QUERIES, ids=lambda q: urlencode(q, doseq=True) or "all")
def test_every_page_answers_what_the_old_statement_answered(
    app, db, offers, query, per_page, walk, monkeypatch
):
    if walk:
        # The date walk meets its bound (the activities are chosen first); by
        # distance every ring is tried and deep pages are sorted whole.
        monkeypatch.setattr(catalogue_search, "WALK_SLOTS", walk)
        monkeypatch.setattr(catalogue_search, "PROBED_ACTIVITIES", 2)
        monkeypatch.setattr(catalogue_search, "WALKED_WITH_IDS", 4)
        monkeypatch.setattr(catalogue_search, "NEAREST_ACTIVITIES", 1)
        monkeypatch.setattr(catalogue_search, "DEEPEST_MERGED_OFFSET", 4)
    anonymous = api_as(app, db)
    pages = 0
    for page in range(1, 40):
        response = anonymous.get(
            "/activities?" + urlencode({**query, "page": page, "per_page": per_page}, doseq=True)
        )
        assert response.status_code == 200, response.get_data(as_text=True)
        body = response.get_json()
        answered = [
            {
                key: item[key]
                for key in ("id", "next_starts_at", "open_slots", "max_free_places", "distance_km")
            }
            for item in body["items"]
        ]
        expected, has_next = reference(db, *as_filters(query, page), per_page)
        assert (answered, body["has_next"]) == (expected, has_next), f"page {page}"
        pages += 1
        if not has_next:
            break
    assert pages < 39


def test_the_reference_sees_what_the_tests_need(app, db, offers):
    """The data above reaches the fallbacks: dateless offers after the dated
    ones, and pages beyond what a short walk in date order finds."""
    everything, _ = reference(db, Filters(), None, 100)
    assert len(everything) == 13
    assert [row["next_starts_at"] for row in everything[-4:]] == [
        everything[-4]["next_starts_at"],
        None,
        None,
        None,
    ]
    daily, _ = reference(db, Filters(q="elke dag"), None, 100)
    assert [row["open_slots"] for row in daily] == [60, 1]
