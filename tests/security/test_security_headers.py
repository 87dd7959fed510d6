"""Every response carries the security headers: pages, error pages, static
files, the API, calendar feeds (answered before Flask), PDFs and exports."""

from __future__ import annotations

import pytest

from app.calendar import service as feeds
from app.web.security_headers import content_security_policy, tile_origin
from tests import factories

POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; "
    "img-src 'self' data: https://tile.openstreetmap.org; connect-src 'self'; "
    "font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'"
)


def assert_secured(response, *, https=False):
    headers = response.headers
    assert headers["Content-Security-Policy"] == POLICY, response.request.path
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert headers["X-Frame-Options"] == "DENY"
    if https:
        assert headers["Strict-Transport-Security"].startswith("max-age=63072000")
    else:
        assert "Strict-Transport-Security" not in headers


def test_the_policy_is_the_contract_of_the_templates():
    assert content_security_policy("https://tile.openstreetmap.org/{z}/{x}/{y}.png") == POLICY
    assert tile_origin("https://tiles.example.test:8443/osm/{z}/{x}/{y}.png") == (
        "https://tiles.example.test:8443"
    )
    with pytest.raises(ValueError, match="TECHNIEKPOORT_MAP_TILES_URL"):
        tile_origin("javascript:alert(1)")


def test_pages_errors_static_files_and_the_api_are_secured(client, teacher_client):
    for response in (
        client.get("/"),
        client.get("/login"),
        client.get("/no-such-page"),
        client.post("/logout"),
        client.get("/static/app.css"),
        client.get("/api/v1/openapi.json"),
        client.get("/api/v1/me"),
        teacher_client.get("/catalogue"),
        teacher_client.get("/account/export.json"),
    ):
        assert_secured(response)
        response.close()  # the static file's handle


def test_https_adds_hsts_by_the_request_or_by_the_public_address(app, client):
    assert_secured(client.get("/", base_url="https://techniekpoort.test"), https=True)
    app.config["BASE_URL"] = "https://techniekpoort.example"
    assert_secured(client.get("/"), https=True)


def test_the_tile_server_setting_moves_into_img_src(app, client):
    app.config["MAP_TILES_URL"] = "https://kaart.example.test/{z}/{x}/{y}.png"
    policy = client.get("/").headers["Content-Security-Policy"]
    assert "img-src 'self' data: https://kaart.example.test;" in policy


def test_calendar_feeds_answered_before_flask_are_secured(app, db, client):
    teacher = factories.user(factories.school(), "teacher")
    feed = feeds.create_feed(teacher, kind="personal")
    db.session.commit()
    path = f"/calendar/{feeds.feed_token(feed)}.ics"

    full = client.get(path)
    assert full.status_code == 200 and full.mimetype == "text/calendar"
    assert_secured(full)
    unchanged = client.get(path, headers={"If-None-Match": full.headers["ETag"]})
    assert unchanged.status_code == 304
    assert_secured(unchanged)
    assert_secured(client.head(path, base_url="https://techniekpoort.test"), https=True)
    # An unknown token goes on to Flask's 404 page, secured the same way.
    assert_secured(client.get("/calendar/0-unknown.ics"))


def test_pdfs_and_exports_are_secured(app, db, coordinator_client):
    school = factories.school()
    db.session.commit()
    pdf = coordinator_client.get(f"/schools/{school.id}/programme.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert_secured(pdf)
    export = coordinator_client.get("/insights/export/kind.csv")
    assert export.status_code == 200
    assert_secured(export)
