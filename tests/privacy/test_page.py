"""The privacy page: Dutch and English, the periods in force, linked from every page."""

from __future__ import annotations

from tests import factories
from tests.apps import login
from tests.pages import dutch


def test_the_privacy_page_says_what_why_and_how_long_in_dutch_by_default(app, client, db):
    factories.network(name="Techniekpact Twente")
    app.config.update(RETENTION_INACTIVE_DAYS=400, RETENTION_LOG_DAYS=60, RETENTION_DELETED_DAYS=14)
    response = client.get("/privacy")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert '<html lang="nl">' in page
    assert dutch("What is stored, why, and for how long") in page
    assert "Techniekpact Twente" in page
    for section in (
        "account",
        "memberships",
        "bookings",
        "history",
        "mails",
        "links",
        "tokens",
        "sign-ins",
        "cookies",
        "pool",
        "pupils",
        "rights",
    ):
        assert f'id="{section}"' in page
    # The periods are the settings in force.
    assert "400" in page and "60" in page and "14" in page


def test_the_privacy_page_in_english(client, db):
    client.post("/language", data={"language": "en"})
    page = client.get("/privacy").get_data(as_text=True)
    assert '<html lang="en">' in page
    assert "What is stored, why, and for how long" in page
    assert "never anything about pupils" in page


def test_every_page_links_to_the_privacy_page(app, client, db, teacher):
    for path in ("/", "/login", "/register", "/catalogue", "/does-not-exist"):
        assert 'href="/privacy"' in client.get(path).get_data(as_text=True), path
    signed_in = login(app.test_client(), teacher)
    for path in ("/", "/account", "/notifications"):
        assert 'href="/privacy"' in signed_in.get(path).get_data(as_text=True), path
    account = signed_in.get("/account").get_data(as_text=True)
    assert 'href="/account/export.json"' in account and 'href="/account/delete"' in account
