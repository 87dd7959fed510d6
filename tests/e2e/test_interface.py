"""The interface across pages: every role's main pages at the narrowest and
widest screens (the page checks of conftest.py run on each: no sideways
scrolling, axe, the Content-Security-Policy), the menu without JavaScript,
paging that moves the focus, a failed htmx request that says so and keeps what
was typed, an expired session that brings the typed text back, and the map."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import PHONE, TileHandler
from tests.e2e.journeys_helpers import COMPANY, COORDINATOR, TEACHER, menu, sign_in

pytestmark = pytest.mark.e2e

MAIN_PAGES = {
    TEACHER: [
        "/",
        "/catalogue",
        "/bookings",
        "/bookings?tab=past",
        "/requests",
        "/placements/",
        "/evaluations",
        "/calendar",
        "/insights",
        "/account",
    ],
    COMPANY: [
        "/",
        "/our-activities",
        "/company/bookings",
        "/requests/for-you",
        "/placements/",
        "/insights",
    ],
    COORDINATOR: [
        "/",
        "/organisations",
        "/requests/all",
        "/mismatch",
        "/insights",
        "/notifications/mail-queue",
        "/holidays",
    ],
}


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_every_roles_main_pages_fit_the_screen(browsers, javascript):
    """With JavaScript, in Dutch, each page at 320 pixels and again at 1440;
    without, in English, at 375. The page checks run on each page as well."""
    widths = [320, 1440] if javascript else [375]
    for email, paths in MAIN_PAGES.items():
        page = browsers.open(
            javascript=javascript,
            viewport={"width": widths[0], "height": 800},
            language="nl" if javascript else "en",
        )
        sign_in(page, email)
        for path in paths:
            response = page.goto(path)
            assert response.status == 200, (email, path, response.status)
            if javascript:  # checked at the first width before it changes
                page.evaluate("window.__e2eCheck()")
            for width in widths[1:]:
                page.set_viewport_size({"width": width, "height": 800})
                assert page.evaluate("document.documentElement.scrollWidth") <= width, (
                    email,
                    path,
                    width,
                )
                page.set_viewport_size({"width": widths[0], "height": 800})
        # The account and language controls stay reachable from every page.
        page.locator("header summary.menu-button").click()
        expect(page.locator("header form[action='/logout'] button")).to_be_visible()
        expect(page.locator("header .language-switch button")).to_be_visible()


def test_the_menu_opens_without_javascript_and_the_skip_link_leads_to_the_content(browsers):
    page = browsers.open(javascript=False, viewport=PHONE)
    sign_in(page, TEACHER)
    link = page.locator("header a[href='/bookings']")
    expect(link).to_be_hidden()
    menu(page, "/bookings")
    page.wait_for_url("**/bookings")
    expect(page.locator("a.skip-link")).to_have_attribute("href", "#main")
    expect(page.locator("main#main")).to_have_count(1)


def test_paging_moves_the_focus_to_the_top_of_the_results(browsers):
    page = browsers.open(viewport=PHONE)
    page.goto("/catalogue")
    page.locator("#results a[rel=next]").click()
    expect(page).to_have_url(re.compile(r"page=2"))
    expect(page.locator("#results-heading")).to_be_focused()
    expect(page.locator("#results-heading")).to_contain_text("pagina 2")
    top = page.evaluate("document.getElementById('results-heading').getBoundingClientRect().top")
    assert top >= 0
    # The count is announced by the one small live region, not the list.
    expect(page.locator("#status")).to_contain_text("gevonden")
    assert page.locator("#results[aria-live]").count() == 0


def test_a_failed_htmx_request_says_so_and_keeps_what_was_typed(browsers):
    page = browsers.open()
    page.goto("/catalogue")

    def fail(route):
        if route.request.headers.get("hx-request"):
            route.fulfill(
                status=500,
                body="<main><p data-error-message>Kapot.</p></main>",
                content_type="text/html",
            )
        else:
            route.continue_()

    page.route("**/catalogue?*", fail)
    page.locator("#q").press_sequentially("lassen")
    error = page.locator("#request-error")
    expect(error).to_be_visible()
    expect(error).to_have_attribute("role", "alert")
    expect(error).to_contain_text("fout 500")
    expect(page.locator("#q")).to_have_value("lassen")
    # No connection at all says so too.
    page.unroute("**/catalogue?*")
    page.route("**/catalogue?*", lambda route: route.abort())
    page.locator("#q").press_sequentially(" draaien")
    expect(error).to_contain_text("Geen verbinding")
    # Both words typed are still there (the alert took the focus in between).
    expect(page.locator("#q")).to_have_value(re.compile(r"^(?=.*lassen)(?=.*draaien)"))


def test_an_expired_session_brings_the_typed_reason_back_after_signing_in(browsers):
    page = browsers.open()
    sign_in(page, COMPANY)
    page.goto("/company/bookings")
    row = page.locator("#requested article.booking-row").first
    reason = row.locator("input[name=decline-reason]")
    reason.fill("Die week is de hal dicht")
    page.context.clear_cookies()  # the session ran out
    row.locator("form.decline button").click()
    error = page.locator("#request-error")
    expect(error).to_be_visible()
    expect(reason).to_have_value("Die week is de hal dicht")  # nothing was swapped
    error.locator("a").click()
    page.wait_for_url(re.compile(r"/login\?next="))
    page.fill("input[name=email]", COMPANY)
    page.fill("input[name=password]", "techniek")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/company/bookings")
    values = page.locator("input[name=decline-reason]").evaluate_all(
        "inputs => inputs.map(i => i.value)"
    )
    assert "Die week is de hal dicht" in values
    expect(page.locator("#request-error")).to_contain_text("weer in het formulier")


def test_the_map_draws_the_results_on_tiles_of_the_configured_server(browsers, tile_server):
    page = browsers.open()
    page.goto("/catalogue")
    before = len(TileHandler.served)
    page.locator("#results .view-switch a[href*='view=map']").click()
    expect(page).to_have_url(re.compile(r"view=map"))
    expect(page.locator("#results-map .leaflet-marker-icon").first).to_be_visible()
    expect(
        page.locator(f"#results-map img.leaflet-tile[src^='{tile_server}']").first
    ).to_be_attached()
    assert len(TileHandler.served) > before
    expect(page.locator("#results li.result").first).to_be_visible()  # the list stays


def test_without_tiles_the_map_view_still_lists_the_results(browsers, tile_server):
    page = browsers.open()
    page.route(f"{tile_server}/**", lambda route: route.abort())
    page.goto("/catalogue?view=map")
    expect(page.locator("#results-map .leaflet-marker-icon").first).to_be_attached()
    expect(page.locator("#results li.result").first).to_be_visible()
    nojs = browsers.open(javascript=False)
    nojs.goto("/catalogue?view=map")
    expect(nojs.locator("#results-map")).to_contain_text("JavaScript")
    expect(nojs.locator("#results li.result").first).to_be_visible()
