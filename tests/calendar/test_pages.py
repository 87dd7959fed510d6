"""The Calendar page, the "add to calendar" downloads and `flask feeds create`."""

from __future__ import annotations

from app.calendar import service as feeds
from app.calendar.models import CalendarFeed
from tests import factories
from tests.apps import login
from tests.calendar.helpers import CONTACT_EMAIL, CONTACT_PHONE, book, make_feed
from tests.calendar.parsers import read_all


def _feeds_of(db, user) -> list[CalendarFeed]:
    db.session.expire_all()
    return feeds.feeds_of(user)


def test_calendar_page_explains_how_to_subscribe(app, world, db):
    client = login(app.test_client(), world.teacher)
    page = client.get("/calendar")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    for words in ("Outlook", "Google Calendar", "Apple Calendar", "8 to 24 hours"):
        assert words in text
    assert 'href="/calendar"' in text  # in the navigation


def test_the_page_needs_a_signed_in_person(client):
    assert client.get("/calendar").status_code == 302
    assert client.post("/calendar/feeds", data={"feed-kind": "personal"}).status_code == 302


def test_create_rotate_and_revoke_without_javascript(app, world, db):
    client = login(app.test_client(), world.teacher)
    response = client.post(
        "/calendar/feeds",
        data={
            "feed-kind": "organisation",
            "feed-organisation_id": str(world.school.id),
            "feed-name": "Our school",
        },
    )
    assert response.status_code == 303
    (feed,) = _feeds_of(db, world.teacher)
    assert (feed.kind, feed.organisation_id, feed.name) == (
        "organisation",
        world.school.id,
        "Our school",
    )
    page = client.get("/calendar").get_data(as_text=True)
    token = feeds.feed_token(feed)
    assert f"http://techniekpoort.test/calendar/{token}.ics" in page
    assert f"webcal://techniekpoort.test/calendar/{token}.ics" in page
    assert client.get(f"/calendar/{token}.ics").status_code == 200

    assert client.post(f"/calendar/feeds/{feed.id}/rotate").status_code == 303
    assert client.get(f"/calendar/{token}.ics").status_code == 404
    (feed,) = _feeds_of(db, world.teacher)
    new_token = feeds.feed_token(feed)
    assert new_token in client.get("/calendar").get_data(as_text=True)

    assert client.post(f"/calendar/feeds/{feed.id}/revoke").status_code == 303
    assert _feeds_of(db, world.teacher) == []
    assert client.get(f"/calendar/{new_token}.ics").status_code == 404
    assert client.post(f"/calendar/feeds/{feed.id}/rotate").status_code == 404


def test_with_htmx_the_page_block_comes_back(app, world, db):
    client = login(app.test_client(), world.teacher)
    htmx = {"HX-Request": "true"}
    response = client.post(
        "/calendar/feeds", data={"feed-kind": "personal", "feed-name": "Mine"}, headers=htmx
    )
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert text.lstrip().startswith('<section id="calendar"')
    assert "<html" not in text and "Mine" in text and "webcal://" in text
    assert response.headers["HX-Trigger"] == "CalendarFeedsChanged"
    (feed,) = _feeds_of(db, world.teacher)
    revoked = client.post(f"/calendar/feeds/{feed.id}/revoke", headers=htmx)
    assert revoked.status_code == 200 and "webcal://" not in revoked.get_data(as_text=True)


def test_refusals_show_at_the_field(app, world, db):
    client = login(app.test_client(), world.teacher)
    cases = [
        (
            {"feed-kind": "organisation", "feed-organisation_id": str(world.other_school.id)},
            "Choose a school or company you are a member of.",
        ),
        ({"feed-kind": "organisation"}, "Choose an organisation."),
        ({"feed-kind": "filtered"}, "Not a valid choice"),
        ({"feed-kind": "personal", "feed-name": "x" * 101}, "100"),
        ({"feed-kind": "nonsense"}, "Not a valid choice"),
        ({"feed-kind": "organisation", "feed-organisation_id": "abc"}, "Invalid Choice"),
    ]
    for data, message in cases:
        response = client.post("/calendar/feeds", data=data, headers={"Accept-Language": "en"})
        assert response.status_code == 422, data
        assert message in response.get_data(as_text=True), (data, message)
        htmx = client.post("/calendar/feeds", data=data, headers={"HX-Request": "true"})
        assert htmx.status_code == 200 and 'class="field-error"' in htmx.get_data(as_text=True)
    assert _feeds_of(db, world.teacher) == []


def test_coordinators_make_filtered_feeds(app, world, db):
    client = login(app.test_client(), world.coordinator)
    page = client.get("/calendar").get_data(as_text=True)
    assert "Bataafs College" in page and "Elektro Oost" in page  # school and company filters
    response = client.post(
        "/calendar/feeds",
        data={
            "feed-kind": "filtered",
            "feed-sectors": ["metal", "energy"],
            "feed-regions": ["noord"],
            "feed-schools": [str(world.school.id)],
            "feed-name": "Metal in the north",
        },
    )
    assert response.status_code == 303
    (feed,) = _feeds_of(db, world.coordinator)
    assert feed.filters == {
        "regions": ["noord"],
        "sectors": ["metal", "energy"],
        "profiles": [],
        "kinds": [],
        "schools": [world.school.id],
        "companies": [],
    }
    bad = client.post(
        "/calendar/feeds", data={"feed-kind": "filtered", "feed-schools": [str(world.company.id)]}
    )
    assert bad.status_code == 422
    assert len(_feeds_of(db, world.coordinator)) == 1


def test_another_persons_feed_is_404_on_every_method(app, world, db):
    feed = make_feed(db, world.contact)
    client = login(app.test_client(), world.teacher)
    for action in ("rotate", "revoke"):
        assert client.post(f"/calendar/feeds/{feed.id}/{action}").status_code == 404
    assert client.get(f"/calendar/feeds/{feed.id}/rotate").status_code == 405
    db.session.expire_all()
    assert db.session.get(CalendarFeed, feed.id).revoked_at is None


def test_posts_without_a_csrf_token_are_refused(app, world, db, csrf_enabled):
    feed = make_feed(db, world.teacher)
    client = login_with_csrf(app, world.teacher)
    assert client.post("/calendar/feeds", data={"feed-kind": "personal"}).status_code == 400
    assert client.post(f"/calendar/feeds/{feed.id}/revoke").status_code == 400
    assert len(_feeds_of(db, world.teacher)) == 1


def login_with_csrf(app, user):
    import re

    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page) or re.search(
        r'name="csrf_token" value="([^"]+)"', page
    )
    response = client.post(
        "/login",
        data={"email": user.email, "password": factories.PASSWORD, "csrf_token": token.group(1)},
    )
    assert response.status_code == 302
    return client


# --- "Zet in agenda" ------------------------------------------------------------------------


def test_a_party_downloads_a_booking_with_the_other_partys_contact(app, world, db):
    booking = book(db, world)
    client = login(app.test_client(), world.teacher)
    response = client.get(f"/bookings/{booking.id}.ics")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    disposition = response.headers["Content-Disposition"]
    assert disposition == f'attachment; filename="booking-{booking.id}.ics"'
    (event,) = read_all(response.data)
    assert event["uid"] == f"booking-{booking.id}@techniekpoort.test"
    assert CONTACT_EMAIL in event["description"] and CONTACT_PHONE in event["description"]
    assert b"REFRESH-INTERVAL" not in response.data

    company_side = login(app.test_client(), world.contact)
    (theirs,) = read_all(company_side.get(f"/bookings/{booking.id}.ics").data)
    assert theirs["uid"] == event["uid"]
    assert theirs["summary"].endswith("Het Stedelijk Lyceum")
    assert "docent@school.test" in theirs["description"]


def test_another_organisations_booking_ics_is_404(app, world, db):
    booking = book(db, world)
    for outsider in (world.other_teacher, world.other_contact):
        client = login(app.test_client(), outsider)
        assert client.get(f"/bookings/{booking.id}.ics").status_code == 404
    assert app.test_client().get(f"/bookings/{booking.id}.ics").status_code == 302
    assert login(app.test_client(), world.teacher).get("/bookings/999999.ics").status_code == 404


def test_slot_downloads(app, world, db):
    book(db, world)
    public = app.test_client().get(f"/slots/{world.slot.id}.ics")
    assert public.status_code == 200
    (event,) = read_all(public.data)
    assert event["uid"] == f"slot-{world.slot.id}@techniekpoort.test"
    assert "Het Stedelijk Lyceum" not in event["description"]  # who booked is not public

    company = login(app.test_client(), world.contact).get(f"/slots/{world.slot.id}.ics")
    assert "Het Stedelijk Lyceum" in read_all(company.data)[0]["description"]
    coordinator = login(app.test_client(), world.coordinator).get(f"/slots/{world.slot.id}.ics")
    assert "Het Stedelijk Lyceum" in read_all(coordinator.data)[0]["description"]

    draft = factories.activity(world.company, status="draft")
    hidden = factories.slot(draft)
    db.session.commit()
    assert app.test_client().get(f"/slots/{hidden.id}.ics").status_code == 404
    mine = login(app.test_client(), world.contact).get(f"/slots/{hidden.id}.ics")
    assert mine.status_code == 200 and read_all(mine.data)


# --- flask feeds create ---------------------------------------------------------------------


def test_cli_prints_a_working_feed_url(app, world, db):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["feeds", "create", world.teacher.email])
    assert result.exit_code == 0, result.output
    url = result.stdout.strip().splitlines()[0]
    assert url.startswith("http://techniekpoort.test/calendar/") and url.endswith(".ics")
    db.session.expire_all()
    assert app.test_client().get(url.removeprefix("http://techniekpoort.test")).status_code == 200

    result = runner.invoke(args=["feeds", "create", world.contact.email, "--kind", "organisation"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    (feed,) = feeds.feeds_of(world.contact)
    assert (feed.kind, feed.organisation_id) == ("organisation", world.company.id)

    assert runner.invoke(args=["feeds", "create", "nobody@example.test"]).exit_code != 0
    refused = runner.invoke(
        args=["feeds", "create", world.coordinator.email, "--kind", "organisation"]
    )
    assert refused.exit_code != 0 and "not a member" in refused.output
