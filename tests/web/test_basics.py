import re

import pytest

from tests import factories
from tests.apps import login

OPERATOR = {"Authorization": "Bearer health-token-for-the-tests"}


@pytest.fixture
def health_token(app):
    app.config["HEALTH_TOKEN"] = "health-token-for-the-tests"


def test_healthz_tells_anonymous_callers_only_that_it_is_up(client, db, health_token):
    for headers in ({}, {"Authorization": "Bearer a-wrong-token"}):
        response = client.get("/healthz", headers=headers)
        assert response.status_code == 200
        assert response.get_json() == {"status": "ok"}


def test_healthz_shows_details_to_people_who_see_the_mail_queue(app, db, client):
    teacher = factories.user(factories.school(), "teacher")
    administrator = factories.user(factories.network(), "administrator")
    db.session.commit()
    assert login(app.test_client(), teacher).get("/healthz").get_json() == {"status": "ok"}
    body = login(app.test_client(), administrator).get("/healthz").get_json()
    assert body["database"]["ok"] is True and "mail_queue" in body


def test_healthz_reports_database_and_scheduler(client, db, health_token):
    response = client.get("/healthz", headers=OPERATOR)
    assert response.status_code == 200
    body = response.get_json()
    assert body["database"]["ok"] is True
    assert body["database"]["dialect"] in ("sqlite", "postgresql")
    assert body["scheduler"] == {"ok": False, "last_heartbeat": None}
    assert body["mail_queue"]["due"] == 0


def test_healthz_sees_a_heartbeat(client, app, db, health_token):
    from app.scheduler import heartbeat

    heartbeat()
    body = client.get("/healthz", headers=OPERATOR).get_json()
    assert body["scheduler"]["ok"] is True
    assert body["scheduler"]["seconds_ago"] < 5


def test_pages_are_dutch_by_default_and_english_on_request(client, db):
    page = client.get("/login").get_data(as_text=True)
    assert '<html lang="nl">' in page
    assert "Inloggen" in page
    response = client.post("/language", data={"language": "en", "next": "/login"})
    assert response.status_code == 302 and response.location == "/login"
    page = client.get("/login").get_data(as_text=True)
    assert '<html lang="en">' in page
    assert "Sign in" in page


def test_language_switch_ignores_foreign_next_urls(client, db):
    response = client.post("/language", data={"language": "en", "next": "https://evil.test/"})
    assert response.location == "/"


def test_unknown_page_is_a_dutch_404(client, db):
    response = client.get("/bestaat-niet")
    assert response.status_code == 404
    assert "Pagina niet gevonden" in response.get_data(as_text=True)


def test_post_without_csrf_token_comes_back_to_its_form_with_what_was_typed(
    client, db, csrf_enabled
):
    response = client.post("/login", data={"email": "a@b.test", "password": "x"})
    assert response.status_code == 400
    assert "Formulier verlopen" in response.get_data(as_text=True)
    assert 'href="/login"' in response.get_data(as_text=True)
    page = client.get("/login").get_data(as_text=True)
    assert 'value="a@b.test"' in page
    assert 'value="x"' not in page  # passwords are never kept


def test_htmx_post_with_the_csrf_header_is_accepted(app, db, csrf_enabled):
    coordinator = factories.user(factories.network(), "coordinator")
    pending = factories.school(status="pending")
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    client.post(
        "/login",
        data={"email": coordinator.email, "password": factories.PASSWORD, "csrf_token": token},
    )
    overview = client.get("/organisations").get_data(as_text=True)
    header_token = re.search(r'"X-CSRFToken": "([^"]+)"', overview).group(1)
    refused = client.post(f"/organisations/{pending.id}/approve", headers={"HX-Request": "true"})
    assert refused.status_code == 400
    accepted = client.post(
        f"/organisations/{pending.id}/approve",
        headers={"HX-Request": "true", "X-CSRFToken": header_token},
    )
    assert accepted.status_code == 200
    assert accepted.headers["HX-Trigger"] == "OrganisationApproved"
    assert "HX-Request" in accepted.headers["Vary"]
    assert "<html" not in accepted.get_data(as_text=True)


def test_navigation_depends_on_the_role(app, db):
    coordinator = factories.user(factories.network(), "coordinator")
    teacher = factories.user(factories.school(), "teacher")
    coordinator_page = login(app.test_client(), coordinator).get("/").get_data(as_text=True)
    teacher_page = login(app.test_client(), teacher).get("/").get_data(as_text=True)
    assert 'href="/organisations"' in coordinator_page
    assert 'href="/organisations"' not in teacher_page


def test_session_cookie_is_httponly_and_lax(app, db):
    teacher = factories.user(factories.school(), "teacher")
    client = app.test_client()
    response = client.post("/login", data={"email": teacher.email, "password": factories.PASSWORD})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
