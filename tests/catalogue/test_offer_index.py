"""The offer's index (app/catalogue/offer_index.py): it chooses exactly the
activities the catalogue's filters choose in SQL, and each process keeps it
until the offer changes, through any process, or it is older than the
catalogue cache's age limit."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from app.bookings import service as bookings
from app.catalogue import offer_index
from app.catalogue import search as catalogue_search
from app.catalogue import service as catalogue
from app.catalogue.models import Activity, CatalogueVersion, Slot
from app.catalogue.search import Origin, conditions
from app.extensions import cache as store
from app.extensions import db as database
from app.versioned_cache import VersionedCache
from tests import factories
from tests.api.test_activities_search import ENSCHEDE, as_filters
from tests.api.test_activities_search import offers as offers  # noqa: F401  (the fixture)
from tests.catalogue.helpers import result_ids
from tests.catalogue.test_search_paths import QUERIES
from tests.clock import Clock
from tests.queries import QueryCounter

BUILDS = "activity.sectors AS sectors"  # the index's own statement


@pytest.mark.parametrize("place", [None, "enschede"])
def test_the_index_chooses_what_the_filters_choose_in_sql(app, db, offers, place):
    origin = Origin(*ENSCHEDE) if place else None
    index = offer_index.current()
    more = [{"profile": ["MVI", "BWI"], "year": "4"}, {"sector": "ict"}, {"path": "TL"}]
    for query in [*QUERIES, *more]:
        filters, _ = as_filters(query, 1)
        for online in (None, True, False):
            where = conditions(filters, origin)
            sql = (
                select(Activity.id)
                .join(catalogue_search._COMPANY, Activity.company)
                .where(*where.offer)
                .order_by(Activity.id)
            )
            if online is not None:
                sql = sql.where((Activity.venue == "online") == online)
            chosen = index.choose(filters, origin, online=online)
            if filters.q:  # the words are left to the statements
                assert set(db.session.scalars(sql)) <= set(chosen.ids.tolist())
            else:
                assert chosen.ids.tolist() == list(db.session.scalars(sql)), (query, online)


@pytest.fixture
def versioned(app, db):
    """Both version rows, as a migrated database has them, and an empty cache."""
    db.session.add_all([CatalogueVersion(id=1, version=1), CatalogueVersion(id=2, version=1)])
    db.session.commit()
    store.clear()
    offer_index.forget()
    app.config["CATALOGUE_CACHE_SECONDS"] = 300
    yield
    offer_index.forget()


def listed(client, query: str) -> tuple[list[int], bool]:
    """The slots on a catalogue page, and whether the page built the index."""
    with QueryCounter(database.engine) as counter:
        response = client.get(f"/catalogue?{query}")
    assert response.status_code == 200
    return result_ids(response.get_data(as_text=True)), any(
        BUILDS in statement for statement in counter.statements
    )


def test_a_process_keeps_its_index_until_the_offer_changes(app, client, db, versioned):
    company = factories.company()
    contact = factories.user(company, "contact")
    school = factories.school()
    teacher = factories.user(school, "teacher")
    lassen = factories.slot(factories.activity(company, kind="workshop"))
    bezoek = factories.slot(factories.activity(company, kind="company_visit"))
    db.session.commit()

    # Another address each time: the rendered pages are cached by address.
    assert listed(client, "kind=workshop") == ([lassen.id], True)
    assert listed(client, "kind=company_visit") == ([bezoek.id], False)

    # A booking changes the places, not the offer: the index stays.
    bookings.request_booking(
        teacher, lassen, school, bookings.Group(size=10, year="3", path="KB", profile="PIE")
    )
    db.session.commit()
    assert listed(client, "kind=workshop&free=1") == ([lassen.id], False)

    catalogue.archive_activity(db.session.get(Slot, bezoek.id).activity, contact)
    db.session.commit()
    assert listed(client, "kind=company_visit&free=1") == ([], True)
    assert listed(client, "free=1") == ([lassen.id], False)


def test_changes_without_events_show_once_the_index_is_older_than_the_cache_allows(
    app, client, db, versioned, monkeypatch
):
    clock = Clock()
    monkeypatch.setattr(VersionedCache, "clock", clock)
    app.config["CATALOGUE_CACHE_SECONDS"] = 60
    slot = factories.slot(factories.activity(factories.company(), kind="workshop"))
    db.session.commit()
    assert listed(client, "kind=workshop") == ([slot.id], True)

    # A repair by hand in the database: no event, no new version.
    db.session.execute(update(Activity).where(Activity.id == slot.activity_id).values(kind="event"))
    db.session.commit()
    clock.advance(59)
    assert listed(client, "kind=event") == ([], False)
    clock.advance(1)
    assert listed(client, "kind=event&free=1") == ([slot.id], True)
