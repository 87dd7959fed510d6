"""The coverage and still-to-come panels: loaded after the first paint, kept
per school year under a version that the booking, slot and activity events
raise when their transaction commits (app/insights/cache.py)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from app.bookings import service as bookings
from app.insights.filters import SchoolYear
from app.insights.models import FiguresVersion
from app.timeutil import to_local
from tests import factories

HTMX = {"HX-Request": "true"}


@pytest.fixture
def cast() -> dict:
    return {"activity": {"kind": "workshop"}, "slot": {"days_ahead": 10}}


@pytest.fixture
def school_year(world) -> SchoolYear:
    return SchoolYear.containing(to_local(world.slot.starts_at).date())


def version(db, school_year):
    return db.session.scalar(
        select(FiguresVersion.version).where(FiguresVersion.school_year == school_year.start)
    )


def coverage_is_inline(page: str) -> bool:
    return 'id="figure-idle-schools"' in page


def planned_text(page: str) -> str:
    match = re.search(r'<p id="planned" class="muted">(.*?)</p>', page, re.S)
    assert match, "no still-to-come panel"
    return match.group(1)


def book(db, world, size=12):
    outcome = bookings.request_booking(
        world.teacher,
        world.slot,
        world.school,
        bookings.Group(size=size, year="3", path="KB", profile="PIE"),
    )
    db.session.commit()
    return outcome.booking


def test_a_kept_panel_shows_at_once_until_a_booking_changes_it(
    app, db, world, school_year, coordinator_client
):
    start = school_year.start
    dashboard = f"/insights?school_year={start}"
    panel = f"/insights/panels/coverage?school_year={start}"
    school = world.school.name

    # Nothing raised a version yet: computed on request, never kept.
    assert version(db, school_year) is None
    assert school in coordinator_client.get(panel).get_data(as_text=True)  # idle
    assert not coverage_is_inline(coordinator_client.get(dashboard).get_data(as_text=True))

    booking = book(db, world)
    first = version(db, school_year)
    assert first is not None
    assert school not in coordinator_client.get(panel).get_data(as_text=True)
    page = coordinator_client.get(dashboard).get_data(as_text=True)
    assert coverage_is_inline(page) and school not in page
    assert 'hx-get="/insights/panels/coverage' not in page

    # The school cancels: the version rises, the kept panel is not served again.
    bookings.cancel_booking(world.teacher, booking, "Ziek")
    db.session.commit()
    assert version(db, school_year) == first + 1
    assert not coverage_is_inline(coordinator_client.get(dashboard).get_data(as_text=True))
    assert school in coordinator_client.get(panel).get_data(as_text=True)


def test_a_rolled_back_change_raises_nothing(app, db, world, school_year):
    book(db, world)
    before = version(db, school_year)
    bookings.request_booking(
        world.teacher,
        world.slot,
        world.school,
        bookings.Group(size=3, year="1", path="BB"),
    )
    db.session.rollback()
    assert version(db, school_year) == before


def test_the_still_to_come_panel_follows_the_filters(
    app, db, world, school_year, coordinator_client
):
    booking = book(db, world, size=12)
    bookings.confirm_booking(world.contact, booking)
    db.session.commit()
    start = school_year.start
    page = coordinator_client.get(f"/insights?school_year={start}").get_data(as_text=True)
    assert f'hx-get="/insights/panels/planned?school_year={start}" hx-trigger="load"' in page
    answer = coordinator_client.get(f"/insights/panels/planned?school_year={start}", headers=HTMX)
    body = answer.get_data(as_text=True)
    assert body.lstrip().startswith('<p id="planned"') and "<html" not in body
    assert "12" in planned_text(body)
    assert "HX-Request" in answer.headers["Vary"]
    other = coordinator_client.get(
        f"/insights/panels/planned?school_year={start}&kind=company_visit", headers=HTMX
    ).get_data(as_text=True)
    assert planned_text(other) == ""
    # Kept now: the next dashboard has it inline.
    page = coordinator_client.get(f"/insights?school_year={start}").get_data(as_text=True)
    assert "/insights/panels/planned" not in page and "12" in planned_text(page)
    # Without JavaScript the panel is a page of its own.
    full = coordinator_client.get(f"/insights/panels/planned?school_year={start}")
    assert "<html" in full.get_data(as_text=True)


def test_nothing_is_kept_when_the_cache_is_off(app, db, world, school_year, coordinator_client):
    app.config["INSIGHTS_CACHE_SECONDS"] = 0
    book(db, world)
    start = school_year.start
    coordinator_client.get(f"/insights/panels/coverage?school_year={start}")
    page = coordinator_client.get(f"/insights?school_year={start}").get_data(as_text=True)
    assert not coverage_is_inline(page)


def test_panels_of_other_people(app, db, world, client):
    stranger = factories.user(email="nobody@example.test")
    db.session.commit()
    from tests.apps import login

    login(client, stranger)
    assert client.get("/insights/panels/coverage").status_code == 404
    assert client.get("/insights/panels/nothing").status_code == 404
