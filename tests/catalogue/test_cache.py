"""The catalogue's cache (app/catalogue/cache.py): pages come from it until
something they show changes, in any process; no two pages that may differ
share an entry; nothing of one visitor's session reaches another."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import delete, select, update

from app.bookings import service as bookings
from app.catalogue import cache
from app.catalogue import service as catalogue
from app.catalogue.models import CatalogueVersion, Slot
from app.extensions import cache as store
from app.extensions import db as database
from app.versioned_cache import VersionedCache
from tests import factories
from tests.apps import login, make_app
from tests.catalogue.helpers import distances, result_ids
from tests.clock import Clock
from tests.pages import dutch
from tests.queries import QueryCounter

AMSTERDAM = (52.3700, 4.8900)


@pytest.fixture
def cached(app, db):
    """The cache as a migrated database has it: a version row, an empty cache,
    and entries that live long enough not to expire during a test."""
    db.session.add(CatalogueVersion(id=1, version=1))
    db.session.commit()
    store.clear()
    app.config["CATALOGUE_CACHE_SECONDS"] = 300


@pytest.fixture
def offer(db):
    company = factories.company(name="Metaal Twente", city="Hengelo")
    contact = factories.user(company, "contact")
    activity = factories.activity(company, kind="workshop", title="Lassen")
    slot = factories.slot(activity, capacity=30)
    db.session.commit()
    return {"contact": contact, "activity": activity, "slot": slot}


def free_places(client, query: str = "", **headers) -> dict[int, str]:
    response = client.get(f"/catalogue{query}", headers=headers)
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    places = re.findall(r'<span class="free-places">(.*?)</span>\s*</p>', body)
    # The number of free places, or the "Full" badge.
    places = [re.sub(r"^(\d+) .*", r"\1", place) for place in places]
    return dict(zip(result_ids(body), places, strict=True))


def change_behind_the_cache(slot_id: int, **values) -> None:
    """A change made without events, as a repair by hand in the database would be."""
    database.session.execute(update(Slot).where(Slot.id == slot_id).values(**values))
    database.session.commit()


def version() -> int | None:
    database.session.rollback()
    return database.session.scalar(select(CatalogueVersion.version))


def teacher_at(school, app):
    teacher = factories.user(school, "teacher")
    return login(app.test_client(), teacher), teacher


@pytest.mark.parametrize("visitor", ["anonymous", "anonymous, htmx", "teacher"])
def test_a_page_is_served_from_the_cache_until_a_booking_changes_it(app, cached, offer, visitor):
    school = factories.school()
    client, teacher = teacher_at(school, app)
    if visitor.startswith("anonymous"):
        client = app.test_client()
    headers = {"HX-Request": "true"} if visitor.endswith("htmx") else {}
    slot_id = offer["slot"].id
    assert free_places(client, **headers) == {slot_id: "30"}

    change_behind_the_cache(slot_id, taken=5)
    assert free_places(client, **headers) == {slot_id: "30"}  # from the cache

    bookings.request_booking(
        teacher,
        database.session.get(Slot, slot_id),
        school,
        bookings.Group(size=10, year="3", path="KB", profile="PIE"),
    )
    database.session.commit()
    assert free_places(client, **headers) == {slot_id: "15"}  # 30 - 5 - 10, fresh


@pytest.mark.commits
def test_every_process_sees_a_change_made_through_another(app, cached, offer, tmp_path):
    """Two apps on one database are two gunicorn workers: each its own cache,
    one catalogue version."""
    other = make_app(app.config["SQLALCHEMY_DATABASE_URI"], tmp_path)
    try:
        with other.app_context():
            worker = other.test_client()
            slot_id = offer["slot"].id
            assert free_places(worker) == {slot_id: "30"}
            change_behind_the_cache(slot_id, taken=5)
            assert free_places(worker) == {slot_id: "30"}

        # The booking is made in this app (process); the other one notices.
        school = factories.school()
        _, teacher = teacher_at(school, app)
        bookings.request_booking(
            teacher,
            database.session.get(Slot, slot_id),
            school,
            bookings.Group(size=10, year="3", path="KB", profile="PIE"),
        )
        database.session.commit()
        with other.app_context():
            assert free_places(worker) == {slot_id: "15"}
    finally:
        with other.app_context():
            database.session.remove()
            database.engine.dispose()
            cache.dispose()


def test_new_moved_and_cancelled_dates_show_on_the_next_request(client, cached, offer):
    contact, activity, first = offer["contact"], offer["activity"], offer["slot"]
    assert list(free_places(client)) == [first.id]

    starts_at = first.starts_at + timedelta(days=7)
    second = catalogue.add_slot(
        activity, starts_at, starts_at + timedelta(hours=2), 20, contact
    ).value
    database.session.commit()
    assert list(free_places(client)) == [first.id, second.id]

    catalogue.reschedule_slot(
        first,
        contact,
        starts_at=first.starts_at + timedelta(days=14),
        ends_at=first.ends_at + timedelta(days=14),
        reason="Verbouwing",
    )
    database.session.commit()
    assert list(free_places(client)) == [second.id, first.id]

    catalogue.cancel_slot(second, "Ziek", contact)
    database.session.commit()
    assert list(free_places(client)) == [first.id]

    catalogue.archive_activity(activity, contact)
    database.session.commit()
    assert free_places(client) == {}


def test_filters_pages_locales_and_origins_never_share_an_entry(app, client, cached, db):
    company = factories.company()
    workshop = factories.slot(factories.activity(company, kind="workshop"), days_ahead=10)
    visit = factories.slot(factories.activity(company, kind="company_visit"), days_ahead=11)
    far = factories.slot(
        factories.activity(
            company, kind="company_visit", latitude=AMSTERDAM[0], longitude=AMSTERDAM[1]
        ),
        days_ahead=12,
    )
    db.session.commit()

    assert list(free_places(client, "?kind=workshop")) == [workshop.id]
    assert list(free_places(client, "?kind=company_visit")) == [visit.id, far.id]
    assert list(free_places(client, "?kind=company_visit&page=2")) == []
    assert list(free_places(client, "?kind=company_visit", **{"HX-Request": "true"})) == [
        visit.id,
        far.id,
    ]
    full = client.get("/catalogue?kind=workshop").get_data(as_text=True)
    block = client.get("/catalogue?kind=workshop", headers={"HX-Request": "true"}).get_data(
        as_text=True
    )
    assert "<html" in full and "<html" not in block

    dutch_page = client.get("/catalogue").get_data(as_text=True)
    with client.session_transaction() as session:
        session["language"] = "en"
    english = client.get("/catalogue").get_data(as_text=True)
    assert dutch("Only with free places") in dutch_page
    assert "Only with free places" not in dutch_page
    assert "Only with free places" in english

    # Distances from each teacher's own school; none for anonymous visitors.
    enschede, _ = teacher_at(factories.school(), app)
    amsterdam, _ = teacher_at(factories.school(latitude=AMSTERDAM[0], longitude=AMSTERDAM[1]), app)
    from_enschede = km(enschede.get("/catalogue?kind=company_visit"))
    from_amsterdam = km(amsterdam.get("/catalogue?kind=company_visit"))
    assert from_enschede[0] == 0 and from_enschede[1] == pytest.approx(137, abs=3)
    assert from_amsterdam[0] == pytest.approx(137, abs=3) and from_amsterdam[1] == 0
    assert distances(english) == []


def km(response) -> list[float]:
    return [
        float(d.removesuffix(" km").replace(",", "."))
        for d in distances(response.get_data(as_text=True))
    ]


def test_a_visitor_page_carries_each_visitors_own_token(app, cached, offer, csrf_enabled):
    first, second = app.test_client(), app.test_client()

    def alone(call):
        # Requests in a test share the test's `g`, where Flask-WTF keeps the
        # signed token of the request: each visitor's request gets its own.
        with app.app_context():
            return call()

    pages = [alone(lambda c=c: c.get("/catalogue").get_data(as_text=True)) for c in (first, second)]
    tokens = [
        set(re.findall(r'"X-CSRFToken": "([^"]+)"', page))
        | set(re.findall(r'name="csrf_token" value="([^"]+)"', page))
        for page in pages
    ]
    assert [len(t) for t in tokens] == [1, 1]  # one token per page, in every place
    (mine,), (theirs,) = tokens
    assert mine != theirs
    # Apart from the token, what every visitor sees is the same page.
    assert pages[0].replace(mine, "TOKEN") == pages[1].replace(theirs, "TOKEN")

    # The token in the (cached) page is the visitor's own: it works for them
    # and for nobody else.
    refused = alone(lambda: second.post("/language", data={"language": "en", "csrf_token": mine}))
    assert refused.status_code == 400
    accepted = alone(lambda: first.post("/language", data={"language": "en", "csrf_token": mine}))
    assert accepted.status_code == 302


def test_messages_for_one_visitor_are_shown_to_them_once_and_never_cached(app, cached, offer):
    visitor, other = app.test_client(), app.test_client()
    other.get("/catalogue")  # the page is in the cache
    with visitor.session_transaction() as session:
        session["_flashes"] = [("info", "Only for you")]
    assert "Only for you" in visitor.get("/catalogue").get_data(as_text=True)
    assert "Only for you" not in visitor.get("/catalogue").get_data(as_text=True)
    assert "Only for you" not in other.get("/catalogue").get_data(as_text=True)


def test_the_visitor_page_is_only_for_those_nobody_signed_in(app, cached, offer, db):
    """Whether a visitor is anonymous is read from the session and cookies
    (app/catalogue/views.py): whoever a session or remember cookie names
    gets their own page, never the one cached for anonymous visitors."""
    anonymous = app.test_client()
    assert 'action="/logout"' not in anonymous.get("/catalogue").get_data(as_text=True)

    # Signed in for longer, back after the browser threw its session away.
    teacher = factories.user(factories.school(), "teacher")
    returning = app.test_client()
    response = returning.post(
        "/login", data={"email": teacher.email, "password": factories.PASSWORD, "remember": "y"}
    )
    assert response.status_code == 302
    returning.delete_cookie("session")
    page = returning.get("/catalogue").get_data(as_text=True)
    assert 'action="/logout"' in page

    # A session of somebody who may no longer sign in is nobody's: no cached
    # page of anybody, and the ordinary path shows the visitor's page.
    teacher.active = False
    db.session.commit()
    with returning.session_transaction() as session:
        session["_user_id"] = str(teacher.id)
    page = returning.get("/catalogue").get_data(as_text=True)
    assert 'action="/logout"' not in page


def test_the_visitor_page_follows_the_language_of_the_address(client, cached, offer):
    dutch_page = client.get("/catalogue").get_data(as_text=True)
    english = client.get("/catalogue?lang=en").get_data(as_text=True)
    assert dutch("Only with free places") in dutch_page and "Only with free places" in english
    assert dutch("Only with free places") in client.get("/catalogue").get_data(as_text=True)


def test_a_cache_hit_runs_no_catalogue_query(client, cached, offer):
    slot_id = offer["slot"].id
    client.get("/catalogue?kind=workshop")
    with QueryCounter(database.engine) as counter:
        assert list(free_places(client, "?kind=workshop")) == [slot_id]
    assert not [s for s in counter.statements if "slot" in s.lower()]


def test_the_version_rises_once_per_committed_change_and_never_on_a_rollback(cached, offer, db):
    contact, activity, slot = offer["contact"], offer["activity"], offer["slot"]
    before = version()

    catalogue.cancel_slot(slot, "Ziek", contact)
    db.session.rollback()
    assert version() == before

    for days in (30, 31):  # two changes, one transaction
        starts_at = slot.starts_at + timedelta(days=days)
        catalogue.add_slot(activity, starts_at, starts_at + timedelta(hours=2), 20, contact)
    db.session.commit()
    assert version() == before + 1

    # Without its row (tables emptied), the next change brings it back.
    db.session.execute(delete(CatalogueVersion))
    db.session.commit()
    catalogue.cancel_slot(slot, "Ziek", contact)
    db.session.commit()
    assert version() is not None


def test_without_the_version_row_or_with_the_cache_off_nothing_is_cached(
    app, client, cached, offer, db
):
    slot_id = offer["slot"].id
    db.session.execute(delete(CatalogueVersion))
    db.session.commit()
    assert free_places(client) == {slot_id: "30"}
    change_behind_the_cache(slot_id, taken=5)
    assert free_places(client) == {slot_id: "25"}

    db.session.add(CatalogueVersion(id=1, version=7))
    db.session.commit()
    app.config["CATALOGUE_CACHE_SECONDS"] = 0
    assert free_places(client) == {slot_id: "25"}
    change_behind_the_cache(slot_id, taken=6)
    assert free_places(client) == {slot_id: "24"}


def test_entries_expire_so_changes_without_events_show_soon(
    app, client, cached, offer, monkeypatch
):
    clock = Clock()
    monkeypatch.setattr(VersionedCache, "clock", clock)
    app.config["CATALOGUE_CACHE_SECONDS"] = 60
    slot_id = offer["slot"].id
    assert free_places(client) == {slot_id: "30"}
    change_behind_the_cache(slot_id, taken=5)
    clock.advance(59)
    assert free_places(client) == {slot_id: "30"}
    clock.advance(1)
    assert free_places(client) == {slot_id: "25"}


@pytest.mark.commits
def test_with_a_redis_store_every_process_shares_the_entries(
    app, cached, offer, tmp_path, redis_url
):
    """TECHNIEKPOORT_CACHE_REDIS_URL is the only difference: two apps (two
    gunicorn workers) then serve each other's entries, and a change made
    through either shows in both."""
    shared = {
        "CACHE_TYPE": "RedisCache",
        "CACHE_REDIS_URL": redis_url,
        "CATALOGUE_CACHE_SECONDS": 300,
    }
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    workers = [make_app(url, tmp_path / name, **shared) for name in ("one", "two")]
    slot_id = offer["slot"].id
    try:
        with workers[0].app_context():
            store.clear()
            assert free_places(workers[0].test_client()) == {slot_id: "30"}
        change_behind_the_cache(slot_id, taken=5)
        with workers[1].app_context():
            # Rendered by the other worker: no query for the slots at all.
            with QueryCounter(database.engine) as counter:
                assert free_places(workers[1].test_client()) == {slot_id: "30"}
            assert not [s for s in counter.statements if "slot" in s.lower()]
        # A change with its event raises the version: both render afresh.
        catalogue.cancel_slot(database.session.get(Slot, slot_id), "Ziek", offer["contact"])
        database.session.commit()
        for worker in workers:
            with worker.app_context():
                assert free_places(worker.test_client()) == {}
    finally:
        for worker in workers:
            with worker.app_context():
                store.clear()
                database.session.remove()
                database.engine.dispose()
                cache.dispose()
