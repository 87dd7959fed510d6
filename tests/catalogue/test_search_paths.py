"""The catalogue's pages are the same whichever way search() finds them
(app/catalogue/search.py): the bounded date walk, the slots of the activities
the offer's index chose, the nearest of those merged with the online
activities, or one statement that sorts every match.

The reference is the statement the list used before those paths: every match
joined, sorted and cut into pages by the database. Slow at national scale and
obviously right. The walk's bound and the steps are made small here, so that
the small catalogue of tests/api/test_activities_search.py reaches every path,
on every page, at 5 and at 20 per page."""

from __future__ import annotations

import pytest
from sqlalchemy import func, literal, select

from app.catalogue import search as catalogue_search
from app.catalogue.models import Activity, Slot
from app.catalogue.search import Filters, Origin, conditions, distance_expression, search
from tests.api.test_activities_search import AMSTERDAM, ENSCHEDE, TODAY, as_filters
from tests.api.test_activities_search import offers as offers  # noqa: F401  (the fixture)
from tests.queries import QueryCounter

HENGELO_STATION = (52.262, 6.794)


def reference(db, filters: Filters, origin: Origin | None, per_page: int):
    """(slot id, distance in m) of the page, and whether a next page exists."""
    company = catalogue_search._COMPANY
    where = conditions(filters, origin)
    distance = distance_expression(origin) if origin is not None else None
    query = (
        select(Slot.id, distance.label("d2") if distance is not None else literal(None))
        .join(Slot.activity)
        .join(company, Activity.company)
        .where(*where.slot, *where.offer)
    )
    if filters.sort == "distance" and distance is not None:
        query = query.order_by(distance.nulls_last(), Slot.starts_at, Slot.id)
    else:
        query = query.order_by(Slot.starts_at, Slot.id)
    rows = db.session.execute(query.offset((filters.page - 1) * per_page).limit(per_page + 1)).all()
    return [
        (slot_id, _metres(d2**0.5 if d2 is not None else None)) for slot_id, d2 in rows[:per_page]
    ], len(rows) > per_page


def _metres(km: float | None) -> int | None:
    return None if km is None else round(km * 1000)


ORIGINS = {"enschede": ENSCHEDE, "amsterdam": AMSTERDAM, "hengelo": HENGELO_STATION}
QUERIES = [
    {},
    {"kind": "workshop"},
    {"kind": ["workshop", "event"]},
    {"profile": "PIE"},
    {"year": "3", "path": "BB"},
    {"free": "true"},
    {"date_from": str(TODAY.replace(day=1)), "date_to": str(TODAY)},
    {"q": "lassen"},
    {"q": "amsterdam"},
    {"max_km": 20},
    {"max_km": 3},
    {"max_km": 200, "kind": "guest_lesson"},
]


@pytest.fixture
def small_paths(monkeypatch):
    """A walk of 3 slots; the slots of up to 2 activities read through the
    index, a walk with the ids up to 4, nearest first from 1 activity: every
    path is taken."""
    monkeypatch.setattr(catalogue_search, "WALK_SLOTS", 3)
    monkeypatch.setattr(catalogue_search, "PROBED_ACTIVITIES", 2)
    monkeypatch.setattr(catalogue_search, "WALKED_WITH_IDS", 4)
    monkeypatch.setattr(catalogue_search, "NEAREST_ACTIVITIES", 1)
    monkeypatch.setattr(catalogue_search, "COUNTED_ACTIVITIES", 2)


def pages(db, filters_for, origin, per_page):
    """Every page in turn, until the last, each compared with the reference."""
    for page in range(1, 60):
        filters = filters_for(page)
        found = search(filters, origin, per_page=per_page)
        answered = [(row.slot_id, _metres(row.distance_km)) for row in found.rows]
        yield (answered, found.has_next), reference(db, filters, origin, per_page)
        if not found.has_next:
            return
    pytest.fail("no last page")


# Sorted by date a place only matters for the distance filter; sorted by
# distance every origin sees the small catalogue differently.
@pytest.mark.parametrize(
    ("sort", "place"),
    [("date", None), ("date", "enschede"), *(("distance", place) for place in ORIGINS)],
)
def test_every_page_is_the_page_of_the_one_statement(app, db, offers, small_paths, sort, place):
    origin = Origin(*ORIGINS[place]) if place else None
    # Pages of 5 reach every path on page after page; one query in pages of 20.
    for query, per_page in [*((query, 5) for query in QUERIES), ({}, 20)]:

        def filters_for(page, query=query):
            return as_filters({**query, "sort": sort}, page)[0]

        for page, (answered, expected) in enumerate(pages(db, filters_for, origin, per_page), 1):
            assert answered == expected, (query, per_page, page)


def test_deep_pages_by_distance_are_sorted_whole(app, db, offers, small_paths, monkeypatch):
    monkeypatch.setattr(catalogue_search, "DEEPEST_MERGED_OFFSET", 2)
    origin = Origin(*ENSCHEDE)
    for page in (1, 2, 3, 5, 8):
        filters, _ = as_filters({"sort": "distance"}, page)
        found = search(filters, origin, per_page=2)
        answered = [(row.slot_id, _metres(row.distance_km)) for row in found.rows]
        assert (answered, found.has_next) == reference(db, filters, origin, 2)


def test_the_paths_are_reached(app, db, offers, small_paths):
    """The data reaches each path: the walk alone, the chosen activities'
    slots after the walk, nearest first from all placed activities at once
    and in growing steps, and the count's three steps."""
    origin = Origin(*ENSCHEDE)
    with QueryCounter(db.engine) as soonest:
        search(Filters(), origin, per_page=2)
    with QueryCounter(db.engine) as sparse:
        search(Filters(q="amsterdam"), origin, per_page=2)
    with QueryCounter(db.engine) as nearest:
        search(Filters(sort="distance"), Origin(*AMSTERDAM), per_page=100)
    with QueryCounter(db.engine) as stepped:
        search(Filters(sort="distance", free=True), Origin(*AMSTERDAM), per_page=1)
    # Every search here builds the offer's index (one statement: a test that
    # rolls back has no version row to keep it by), and counts its matches up
    # to 500 (decision 0010): among the first 2 chosen activities, then among
    # all of them: + 2.
    assert soonest.count == 1 + 1 + 2  # the walk found the page
    assert sparse.count == 1 + 2 + 2  # the walk, then the chosen activities
    # Online by date, the 101 nearest (all of them), those without a place.
    assert nearest.count == 1 + 1 + 1 + 1 + 2
    # Online by date, then the 2 nearest hold the page.
    assert stepped.count == 1 + 1 + 1 + 2


@pytest.mark.parametrize("place", [None, "enschede"])
@pytest.mark.parametrize("limit", [2, 500])
def test_the_count_is_the_one_statement_s_count_up_to_the_limit(
    app, db, offers, small_paths, monkeypatch, place, limit
):
    """Within the walk's bound or past it, through the matching activities:
    the number of matching slots, or "more than" the limit."""
    monkeypatch.setattr(catalogue_search, "COUNT_LIMIT", limit)
    origin = Origin(*ORIGINS[place]) if place else None
    for query in QUERIES:
        filters = as_filters(query, 1)[0]
        where = conditions(filters, origin)
        every = db.session.scalar(
            select(func.count(Slot.id))
            .join(Slot.activity)
            .join(catalogue_search._COMPANY, Activity.company)
            .where(*where.slot, *where.offer)
        )
        expected = (limit, True) if every > limit else (every, False)
        found = search(filters, origin, per_page=5).total
        assert (found.value, found.more) == expected, query
