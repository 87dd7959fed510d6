"""The public catalogue: filters, distance, sorting, pages, htmx, and a fixed
number of SQL queries whatever the number of results."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from app.accounts.models import Membership
from app.catalogue.models import Slot
from app.extensions import db as database
from app.timeutil import local_to_utc
from tests import factories
from tests.apps import login
from tests.catalogue.helpers import distances, result_ids
from tests.pages import dutch
from tests.queries import QueryCounter

# Known places. The teacher's school (the factory's default) is in Enschede.
ENSCHEDE = (52.2215, 6.8937)
HENGELO = (52.2659, 6.7931)  # about 8.4 km from Enschede
ALMELO = (52.3567, 6.6625)  # about 21.7 km
AMSTERDAM = (52.3700, 4.8900)  # about 137 km


def company_at(place, name, city, **values):
    return factories.company(name=name, city=city, latitude=place[0], longitude=place[1], **values)


def at_local(days: int, hour: int = 10) -> datetime:
    """Naive UTC of a local wall-clock hour, `days` from today."""
    return local_to_utc(datetime.combine(date.today() + timedelta(days=days), time(hour)))


@pytest.fixture
def offer(db):
    """Three bookable slots with different traits, and some that must never show."""
    metal = company_at(HENGELO, "Metaal Twente", "Hengelo", sectors=frozenset({"metal"}))
    data = company_at(ALMELO, "Data BV", "Almelo", sectors=frozenset({"ict"}))
    sun = company_at(AMSTERDAM, "Zon & Co", "Amsterdam", sectors=frozenset({"energy"}))
    a = factories.activity(
        metal,
        kind="workshop",
        title="Lassen voor beginners",
        sectors=frozenset({"metal"}),
        profiles=frozenset({"PIE"}),
        years=frozenset({"3", "4"}),
        paths=frozenset({"BB", "KB"}),
    )
    b = factories.activity(
        data,
        kind="company_visit",
        title="Kijkje bij de servers",
        sectors=frozenset({"ict"}),
        profiles=frozenset({"MVI"}),
        years=frozenset({"1", "2"}),
        paths=frozenset({"GL", "TL"}),
    )
    c = factories.activity(
        sun,
        kind="guest_lesson",
        title="Zonnepanelen in de klas",
        sectors=frozenset({"energy"}),
        profiles=frozenset(),
        years=frozenset({"2"}),
        paths=frozenset({"TL"}),
    )
    slots = {
        "a": factories.slot(a, starts_at=at_local(10), capacity=20, taken=20),
        "b": factories.slot(b, starts_at=at_local(20), capacity=20, taken=5),
        "c": factories.slot(c, starts_at=at_local(40), capacity=30),
    }
    # Never in the catalogue: a draft, an archived activity, a company not yet
    # approved, a cancelled slot, a past slot.
    factories.slot(factories.activity(metal, status="draft", title="Lassen concept"), days_ahead=12)
    factories.slot(factories.activity(metal, status="archived", title="Lassen oud"), days_ahead=13)
    pending = company_at(HENGELO, "Nog niet goedgekeurd", "Hengelo", status="pending")
    factories.slot(factories.activity(pending, title="Lassen wacht"), days_ahead=14)
    factories.slot(a, days_ahead=15, status="cancelled", cancel_reason="ziek")
    factories.slot(a, days_ahead=-3)
    return {name: slot.id for name, slot in slots.items()}


def listed(client, query: str = "", **headers) -> list[int]:
    response = client.get(f"/catalogue{query}", headers=headers)
    assert response.status_code == 200
    return result_ids(response.get_data(as_text=True))


def test_only_bookable_slots_are_listed_by_date(client, offer):
    assert listed(client) == [offer["a"], offer["b"], offer["c"]]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("?kind=workshop", "a"),
        ("?kind=workshop&kind=guest_lesson", "ac"),
        ("?sector=ict", "b"),
        ("?sector=metal&sector=energy", "ac"),
        ("?profile=MVI", "bc"),  # c suits every profile
        ("?profile=PIE", "ac"),
        ("?year=3", "a"),
        ("?year=2", "bc"),
        ("?path=TL", "bc"),
        ("?path=BB", "a"),
        ("?free=1", "bc"),
        ("?q=lassen", "a"),
        ("?q=DATA+bv", "b"),  # the company's name, any case
        ("?q=amsterdam", "c"),  # the town
        ("?q=%25", ""),  # a literal percent sign, not a wildcard
        ("?sector=ict&year=3", ""),
        ("?kind=nonsense", "abc"),  # unknown values are dropped, not refused
    ],
)
def test_each_filter_narrows_the_results(client, offer, query, expected):
    assert listed(client, query) == [offer[name] for name in expected]


def test_the_period_filter(client, offer):
    today = date.today()
    assert listed(client, f"?date_from={today + timedelta(days=15)}") == [offer["b"], offer["c"]]
    assert listed(client, f"?date_to={today + timedelta(days=25)}") == [offer["a"], offer["b"]]
    assert listed(
        client, f"?date_from={today + timedelta(days=20)}&date_to={today + timedelta(days=20)}"
    ) == [offer["b"]]


def test_each_row_shows_when_what_who_where_and_free_places(client, offer, db):
    page = client.get("/catalogue").get_data(as_text=True)
    row_a = page.split(f'data-slot="{offer["a"]}"')[1].split("</li>")[0]
    slot_a = database.session.get(Slot, offer["a"])
    assert f'href="/activities/{slot_a.activity_id}">Lassen voor beginners</a>' in row_a
    assert "10:00–12:00" in row_a  # local wall-clock time
    assert str((date.today() + timedelta(days=10)).day) in row_a
    assert dutch("Workshop") in row_a and "Metaal Twente" in row_a and "Hengelo" in row_a
    assert 'class="badge badge-full"' in row_a  # no free place left
    row_b = page.split(f'data-slot="{offer["b"]}"')[1].split("</li>")[0]
    assert '<span class="free-places">15 ' in row_b
    row_c = page.split(f'data-slot="{offer["c"]}"')[1].split("</li>")[0]
    assert "Zon &amp; Co" in row_c
    # Without a school location there is no distance.
    assert distances(page) == [] and 'name="max_km"' not in page


def test_distance_from_the_teachers_school(teacher_client, offer):
    page = teacher_client.get("/catalogue").get_data(as_text=True)
    assert 'name="max_km"' in page
    shown_km = [float(d.removesuffix(" km").replace(",", ".")) for d in distances(page)]
    assert shown_km[0] == pytest.approx(8.4, abs=0.3)
    assert shown_km[1] == pytest.approx(21.7, abs=0.5)
    assert shown_km[2] == pytest.approx(137, abs=3)

    assert listed(teacher_client, "?max_km=10") == [offer["a"]]
    assert listed(teacher_client, "?max_km=25") == [offer["a"], offer["b"]]
    assert listed(teacher_client, "?max_km=5") == []


def test_the_distance_filter_needs_a_school_location(client, offer, db):
    # Anonymous: nothing to measure from, so max_km has no effect.
    assert listed(client, "?max_km=5") == [offer["a"], offer["b"], offer["c"]]


def test_sorting_by_distance(teacher_client, offer, db):
    far_first = factories.slot(database.session.get(Slot, offer["c"]).activity, days_ahead=2)
    no_place = factories.activity(
        factories.company(latitude=None, longitude=None), title="Zonder coordinaten"
    )
    nowhere = factories.slot(no_place, days_ahead=1)
    by_date = listed(teacher_client)
    assert by_date == [nowhere.id, far_first.id, offer["a"], offer["b"], offer["c"]]
    by_distance = listed(teacher_client, "?sort=distance")
    # Nearest first; the same place by date; unknown places last.
    assert by_distance == [offer["a"], offer["b"], far_first.id, offer["c"], nowhere.id]


def test_a_teacher_at_two_schools_chooses_where_to_measure_from(app, offer, db):
    enschede = factories.school(name="Enschede College")
    amsterdam = factories.school(
        name="Amsterdam College", latitude=AMSTERDAM[0], longitude=AMSTERDAM[1]
    )
    teacher = factories.user(enschede, "teacher")
    database.session.add(Membership(user=teacher, organisation=amsterdam, role="teacher"))
    database.session.commit()
    client = login(app.test_client(), teacher, factories.PASSWORD)

    page = client.get("/catalogue").get_data(as_text=True)
    assert '<select id="school" name="school">' in page
    assert listed(client, "?sort=distance") == [offer["a"], offer["b"], offer["c"]]
    assert listed(client, f"?sort=distance&school={amsterdam.id}") == [
        offer["c"],
        offer["b"],
        offer["a"],
    ]
    assert listed(client, f"?max_km=10&school={amsterdam.id}") == [offer["c"]]
    # A school the teacher does not belong to is not an origin.
    other = factories.school(latitude=AMSTERDAM[0], longitude=AMSTERDAM[1])
    assert listed(client, f"?max_km=10&school={other.id}") == [offer["a"]]


def test_results_come_in_pages(client, db):
    activity = factories.activity(factories.company())
    slots = [factories.slot(activity, days_ahead=3 + i) for i in range(21)]

    first = client.get("/catalogue?kind=company_visit").get_data(as_text=True)
    assert result_ids(first) == [s.id for s in slots[:20]]
    assert 'rel="prev"' not in first
    next_href = re.search(r'href="([^"]+)" rel="next"', first).group(1).replace("&amp;", "&")
    assert parse_qs(urlsplit(next_href).query) == {"kind": ["company_visit"], "page": ["2"]}

    second = client.get(next_href).get_data(as_text=True)
    assert result_ids(second) == [slots[20].id]
    assert 'rel="next"' not in second
    prev_href = re.search(r'href="([^"]+)" rel="prev"', second).group(1).replace("&amp;", "&")
    assert parse_qs(urlsplit(prev_href).query) == {"kind": ["company_visit"]}


def test_the_filter_state_lives_in_the_url(teacher_client, db):
    activity = factories.activity(
        factories.company(), kind="workshop", title="Lasrobot", sectors=frozenset({"metal"})
    )
    for i in range(21):
        factories.slot(activity, days_ahead=20 + i)
    date_from = date.today() + timedelta(days=10)
    query = (
        f"?kind=workshop&sector=metal&free=1&q=lasrobot&date_from={date_from}"
        "&max_km=50&sort=distance"
    )
    page = teacher_client.get(f"/catalogue{query}").get_data(as_text=True)

    assert len(result_ids(page)) == 20
    assert re.search(r'name="kind" value="workshop" checked', page)
    assert not re.search(r'name="kind" value="event" checked', page)
    assert re.search(r'name="sector" value="metal" checked', page)
    assert re.search(r'name="free" value="1" checked', page)
    assert 'name="q" value="lasrobot"' in page
    assert f'name="date_from" value="{date_from}"' in page
    assert re.search(
        r'name="max_km" min="1" max="1000" step="1" inputmode="numeric"\s+value="50"', page
    )
    assert '<option value="distance" selected>' in page
    next_href = re.search(r'href="([^"]+)" rel="next"', page).group(1).replace("&amp;", "&")
    assert parse_qs(urlsplit(next_href).query) == {
        "kind": ["workshop"],
        "sector": ["metal"],
        "free": ["1"],
        "q": ["lasrobot"],
        "date_from": [str(date_from)],
        "max_km": ["50"],
        "sort": ["distance"],
        "page": ["2"],
    }


def test_the_form_works_with_and_without_htmx(client, db):
    page = client.get("/catalogue").get_data(as_text=True)
    form = page.split('<form method="get"')[1].split(">")[0]
    assert 'action="/catalogue"' in form and 'hx-get="/catalogue"' in form
    assert 'hx-trigger="submit, change, keyup changed delay:300ms from:input[name=q]"' in form
    assert 'hx-target="#results"' in form and 'hx-push-url="true"' in form
    assert '<button type="submit">' in page  # without JavaScript
    assert '<section id="results"' in page


def test_an_htmx_request_gets_only_the_results(client, offer):
    full = client.get("/catalogue?kind=workshop")
    partial = client.get("/catalogue?kind=workshop", headers={"HX-Request": "true"})
    for response in (full, partial):
        assert response.status_code == 200
        assert "HX-Request" in response.headers["Vary"]
    body = partial.get_data(as_text=True)
    assert "<html" not in body and "<form" not in body and 'id="results"' not in body
    assert result_ids(body) == [offer["a"]]
    assert "<html" in full.get_data(as_text=True)
    # htmx restoring its history asks for the whole page.
    restored = client.get(
        "/catalogue?kind=workshop",
        headers={"HX-Request": "true", "HX-History-Restore-Request": "true"},
    )
    assert "<html" in restored.get_data(as_text=True)


@pytest.mark.parametrize(
    "query",
    [
        "?page=1e30",
        "?page=-4",
        "?page=abc",
        "?max_km=1e300",
        "?max_km=nan",
        "?date_from=0001-01-01",
        "?date_to=9999-12-31",
        "?date_from=gisteren",
        "?sort=price",
        "?school=abc",
        "?q=" + "x" * 500,
        "?free=maybe",
    ],
)
def test_nonsense_in_the_url_is_ignored(teacher_client, offer, query):
    response = teacher_client.get(f"/catalogue{query}")
    assert response.status_code == 200


def test_a_fixed_number_of_queries_whatever_the_number_of_results(app, teacher_client, db):
    # The page as it is rendered when it is not in the cache (app/catalogue/cache.py).
    app.config["CATALOGUE_CACHE_SECONDS"] = 0

    def count_queries(expected_rows: int) -> int:
        database.session.remove()  # nothing cached from setting up the data
        with QueryCounter(database.engine) as counter:
            page = teacher_client.get("/catalogue?sort=distance").get_data(as_text=True)
        assert len(result_ids(page)) == expected_rows
        return counter.count

    # Every slot of its own activity of its own company: lazy loading of
    # either would cost a query per row.
    def add_offer():
        company = factories.company()
        factories.slot(factories.activity(company, contact_id=None), days_ahead=10)
        database.session.commit()

    add_offer()
    one = count_queries(1)
    for _ in range(19):
        add_offer()
    twenty = count_queries(20)
    assert one == twenty
    # The signed-in user, their schools and memberships, the unread count, the
    # search (nearest first, at most 8 statements, app/catalogue/search.py) and
    # the count of the results (decision 0010, at most 2 statements).
    assert one <= 4 + 8 + 2


def test_unreadable_filters_get_a_message_beside_them(teacher_client, offer):
    page = teacher_client.get("/catalogue?date_from=2026-13-45&max_km=-3").get_data(as_text=True)
    assert re.search(r'id="filter-error-date_from">Dit is geen datum', page)
    assert re.search(r'id="filter-error-max_km">Geef de afstand', page)
    assert 'aria-invalid="true" aria-describedby="filter-error-date_from"' in page
    later = date.today() + timedelta(days=30)
    page = teacher_client.get(f"/catalogue?date_from={later}&date_to={date.today()}").get_data(
        as_text=True
    )
    assert re.search(
        r'id="filter-error-date_to">Het einde van de periode ligt voor het begin', page
    )
    # The end is left out, so the dates after the start still show.
    assert len(result_ids(page)) == 1


def test_the_results_say_how_many_and_show_the_chosen_filters_as_chips(client, offer):
    page = client.get("/catalogue?kind=workshop&kind=guest_lesson").get_data(as_text=True)
    assert "2 tijdsloten gevonden" in page
    chips = re.findall(r'<a class="chip" data-filter="kind" href="([^"]+)"', page)
    assert [c.replace("&amp;", "&") for c in chips] == [
        "/catalogue?kind=guest_lesson",
        "/catalogue?kind=workshop",
    ]
    assert "Filters (2)" in page
    one = client.get("/catalogue?kind=workshop").get_data(as_text=True)
    assert "1 tijdslot gevonden" in one
    # htmx gets the count and the pieces of the form that follow the results.
    block = client.get("/catalogue?kind=workshop", headers={"HX-Request": "true"})
    body = block.get_data(as_text=True)
    assert '<span id="filter-count" hx-swap-oob="true">Filters (1)</span>' in body


def test_the_map_view_shows_the_list_too_with_places_for_the_map(client, offer, app):
    page = client.get("/catalogue?view=map").get_data(as_text=True)
    assert f'data-tiles="{app.config["MAP_TILES_URL"]}"' in page
    assert (
        len(re.findall(r'class="result" data-slot="\d+" data-lat="[\d.]+" data-lng="[\d.]+"', page))
        == 3
    )
    assert "vendor/leaflet/leaflet.js" in page
