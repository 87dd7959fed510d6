"""The catalogue and booking journeys of the three roles, in a real browser,
each once with JavaScript (htmx changes pages in place) and once without (every
action is a plain form post or link, docs/ARCHITECTURE.md).

Each journey makes what it needs through the pages themselves, with titles no
other journey uses, so the journeys share the demo database in any order.
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page, expect

from tests.e2e.conftest import DESKTOP, PHONE
from tests.e2e.journeys_helpers import (
    COMPANY,
    COORDINATOR,
    TEACHER,
    VARIANTS,
    Variant,
    add_slot,
    assert_same_document,
    book,
    create_activity,
    fill_booking_form,
    id_from_url,
    mark_document,
    menu,
    offer,
    publish,
    school_day,
    series_days,
    sign_in,
    slot_ids,
    suffix_of,
    unique,
)

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="session")
def signed_in_states(browser, live_server):
    """Cookies of a signed-in session per demo account, made once: the people a
    journey does not follow need not sign in through the form every time."""
    states: dict[str, dict] = {}

    def state_of(email: str) -> dict:
        if email not in states:
            context = browser.new_context(
                java_script_enabled=False, base_url=live_server, locale="nl-NL"
            )
            try:
                sign_in(context.new_page(), email)
                states[email] = context.storage_state()
            finally:
                context.close()
        return states[email]

    return state_of


@dataclass
class Journey:
    page: Page  # the person the journey follows, not signed in yet
    variant: Variant
    # Another person's browser, with the same JavaScript setting and language;
    # signed in as the given demo account, if any.
    open: Callable[..., Page]

    @property
    def javascript(self) -> bool:
        return self.variant.javascript

    def says(self, dutch: str, english: str) -> str:
        return dutch if self.variant.language == "nl" else english


@pytest.fixture(params=VARIANTS, ids=str)
def journey(request, browsers, signed_in_states):
    variant = request.param

    def open_page(email: str | None = None) -> Page:
        return browsers.open(
            javascript=variant.javascript,
            viewport=DESKTOP,
            language=variant.language,
            storage_state=signed_in_states(email) if email else None,
        )

    return Journey(variant.open(browsers), variant, open_page)


def slot_row(page: Page, slot_id: int):
    return page.locator(f"tr[data-slot='{slot_id}']")


# --- 1. the company offers an activity --------------------------------------------------


def test_company_contact_creates_publishes_and_dates_an_activity(journey):
    page = journey.page
    sign_in(page, COMPANY)
    menu(page, "/our-activities")
    page.wait_for_url("**/our-activities")

    # Sent empty, the form comes back (a full page, also with JavaScript) with
    # one summary at its top that has the focus and lists every missing
    # field at once, each a link to its field.
    page.locator("main a[href$='/activities/new']").first.click()
    page.wait_for_url(re.compile(r"/companies/\d+/activities/new$"))
    page.locator("form.activity-form button[type=submit]").click()
    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()
    assert summary.bounding_box()["y"] < page.viewport_size["height"] / 2
    expect(summary.locator("h2")).to_have_text(re.compile(r"^\d+ "))
    for missing in ("title", "years", "paths"):
        expect(summary.locator(f"a[href='#{missing}']")).to_have_count(1)
    summary.locator("a[href='#title']").click()
    expect(page).to_have_url(re.compile(r"#title$"))
    expect(page.locator("#title")).to_be_in_viewport()

    title = unique("Aandrijvingen van dichtbij")
    activity_id = create_activity(
        page,
        title,
        kind="company_visit",
        years=("3", "4"),
        paths=("BB", "KB", "GL"),
        profiles=("PIE", "M&T"),
        sectors=("metal", "mobility"),
        venue="company",
        max_group_size=24,
        min_notice_days=1,
        requires_approval=True,
    )
    expect(page.locator("main hgroup h1")).to_have_text(title)
    expect(page.locator("main hgroup .badge-draft")).to_be_visible()

    publish(page, activity_id)
    expect(page.locator("form[action$='/publish']")).to_have_count(0)

    day = school_day()
    slot_id = add_slot(page, activity_id, day, "09:00", "11:30", capacity=40)
    row = slot_row(page, slot_id)
    expect(row).to_contain_text(str(day.year))
    expect(row).to_contain_text("09:00")
    expect(row).to_contain_text("11:30")
    expect(row.locator("td").nth(1)).to_have_text("40")
    expect(row.locator(".badge-open")).to_be_visible()

    # Tuesdays and Thursdays for three weeks; holidays (if any fall in it) skipped.
    first, last = day + timedelta(days=1), day + timedelta(days=21)
    expected = series_days(first, last, {1, 3})
    before = slot_ids(page)
    series = page.locator("#add-series form")
    series.locator("input[name=series-first_day]").fill(first.isoformat())
    series.locator("input[name=series-last_day]").fill(last.isoformat())
    for weekday in ("1", "3"):
        series.locator(f"input[name=series-weekdays][value='{weekday}']").check()
    series.locator("input[name=series-start]").fill("13:00")
    series.locator("input[name=series-end]").fill("15:00")
    series.locator("input[name=series-capacity]").fill("20")
    expect(series.locator("input[name=series-skip_holidays]")).to_be_checked()
    series.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(rf"/activities/{activity_id}/slots$"))
    expect(page.locator(".flash-success")).to_be_visible()
    added = slot_ids(page) - before
    assert len(added) == len(expected)
    for new_id in added:
        expect(slot_row(page, new_id)).to_contain_text("13:00")
        expect(slot_row(page, new_id).locator("td").nth(1)).to_have_text("20")

    page.goto("/our-activities")
    listed = page.locator(f"section.activities-published tr[data-activity='{activity_id}']")
    expect(listed).to_contain_text(title)
    expect(listed.locator("td").nth(2)).to_have_text(str(1 + len(expected)))

    # What schools see: the activity with every date.
    page.goto(f"/activities/{activity_id}")
    expect(page.locator("main h1")).to_have_text(title)
    expect(page.locator("#slots tr[data-slot]")).to_have_count(1 + len(expected))
    expect(slot_row(page, slot_id)).to_contain_text("40")


# --- 2. the teacher finds and books it --------------------------------------------------


def filter_state(page: Page) -> dict[str, list[str]]:
    """What the catalogue's filter form shows, as query-string lists."""
    return page.evaluate("""() => {
        const form = document.querySelector("form.catalogue-filters");
        const found = {};
        for (const [name, value] of new FormData(form)) {
            if (value === "" || (name === "sort" && value === "date")) continue;
            (found[name] = found[name] || []).push(value);
        }
        return found;
    }""")


def url_state(page: Page) -> dict[str, list[str]]:
    """The address's filters, without the defaults the form leaves out."""
    query = parse_qs(urlsplit(page.url).query)
    return {k: v for k, v in query.items() if k != "page" and v not in (["date"],)}


def expect_filters_match_address(page: Page, timeout_ms: int = 5000) -> None:
    """Wait until the filter form shows the address's filters.

    Back and Forward change the address at once, then htmx (with no history
    cache) reloads the page: until that load lands, the old page is still on
    screen, so one look right after the navigation can see the old form.
    """
    deadline = time.monotonic() + timeout_ms / 1000
    while True:
        try:
            page.wait_for_load_state("load")
            shown, wanted = filter_state(page), url_state(page)
        except PlaywrightError:  # the reload replaced the page while we looked
            shown, wanted = None, {}
        if shown == wanted or time.monotonic() > deadline:
            break
        page.wait_for_timeout(50)
    assert shown == wanted


def open_filters(page: Page) -> None:
    """On a phone the filters sit behind the "Filters (n)" button."""
    summary = page.locator("#filter-panel summary")
    if summary.is_visible():
        summary.click()


def test_teacher_finds_an_activity_and_books_it_once(journey):
    company = journey.open(COMPANY)
    title = unique("Lasrobot programmeren")
    activity_id, slot_id = offer(
        company,
        title,
        school_day(),
        kind="job_shadowing",
        years=("3",),
        paths=("KB",),
        profiles=("PIE",),
        sectors=("metal",),
    )

    page = journey.page
    sign_in(page, TEACHER)
    menu(page, "/catalogue")
    page.wait_for_url("**/catalogue")
    # Results first: the first one is on screen without scrolling, on a phone
    # (375x700) and on a desktop (1280x800) alike.
    own = page.viewport_size
    for size in (PHONE, DESKTOP):
        page.set_viewport_size(size)
        first = page.locator("#results .result").first.bounding_box()
        assert first["y"] + 40 < size["height"], (size, first)
    page.set_viewport_size(own)
    filters = page.locator("form.catalogue-filters")
    results = page.locator("#results li.result")
    open_filters(page)
    if journey.javascript:
        mark_document(page)
        filters.locator("input[name=kind][value=job_shadowing]").check()
        expect(page.locator("#results .chip[data-filter=kind]")).to_have_count(1)
        filters.locator("input[name=year][value='3']").check()
        expect(page.locator("#results .chip[data-filter=year]")).to_have_count(1)
        filters.locator("input[name=path][value=KB]").check()
        expect(page.locator("#filter-count")).to_contain_text("(3)")
        # Typing, not filling: the search reacts to key presses.
        page.locator("#q").press_sequentially(suffix_of(title))
        expect(results).to_have_count(1)
        assert_same_document(page)
    else:
        filters.locator("input[name=kind][value=job_shadowing]").check()
        filters.locator("input[name=year][value='3']").check()
        filters.locator("input[name=path][value=KB]").check()
        page.locator("#q").fill(suffix_of(title))
        filters.locator("button[type=submit]").first.click()
        page.wait_for_url(re.compile(r"/catalogue\?.*q="))
        expect(page.locator("#filter-count")).to_contain_text("(3)")
    # The filter state is in the address, to share or reload.
    for part in (f"q={suffix_of(title)}", "kind=job_shadowing", "year=3", "path=KB"):
        expect(page).to_have_url(re.compile(re.escape(part)))
    expect(results).to_have_count(1)
    expect(results).to_have_attribute("data-slot", str(slot_id))
    expect(page.locator("#results-heading")).to_have_text(
        journey.says("1 tijdslot gevonden", "1 date found")
    )
    expect(page.locator("#results .chip")).to_have_count(4)  # three filters and the words

    # Back shows exactly the filters and results of the address before, and
    # Forward those of this one; a change after Back keeps the other filters.
    found = page.url
    page.go_back()
    expect(page).not_to_have_url(found)
    expect(page.locator("#results-heading")).to_be_visible()
    expect_filters_match_address(page)
    page.go_forward()
    expect(page).to_have_url(found)
    expect_filters_match_address(page)
    expect(results).to_have_count(1)

    results.locator(f"a[href='/activities/{activity_id}']").click()
    page.wait_for_url(f"**/activities/{activity_id}")
    expect(page.locator("main h1")).to_have_text(title)
    slot_row(page, slot_id).locator(f"a[href^='/slots/{slot_id}/book?token=']").click()
    page.wait_for_url(re.compile(rf"/slots/{slot_id}/book\?token=\w+$"))

    # Twelve of thirty places: a second booking of the same group would fit.
    fill_booking_form(page, 12, year="3", path="KB", profile="PIE")
    submit = page.locator("form[action$='/book'] button[type=submit]")
    if journey.javascript:
        # A slow answer tempts a second click. The first post reaches the
        # server while the page still shows the form (sent here beside the
        # page, with its cookies and the form's own fields), then the teacher
        # clicks: two posts of one form, one booking.
        fields = page.evaluate("""() => Object.fromEntries(
            new FormData(document.querySelector("form[action$='/book']")))""")
        first_post = page.context.request.post(
            f"/slots/{slot_id}/book", form=fields, max_redirects=0
        )
        assert first_post.status == 302, first_post.status
        submit.click()
        page.wait_for_url(re.compile(r"/bookings/\d+$"))
        booking_id = id_from_url(page, r"/bookings/(\d+)$")
        assert first_post.headers["location"].endswith(f"/bookings/{booking_id}")
        expect(page.locator(".flash-info")).to_be_visible()
    else:
        submit.click()
        page.wait_for_url(re.compile(r"/bookings/\d+$"))
        booking_id = id_from_url(page, r"/bookings/(\d+)$")
        # Back to the filled-in form, and send it again.
        page.go_back()
        page.wait_for_url(re.compile(rf"/slots/{slot_id}/book\?token=\w+$"))
        expect(page.locator("input[name=group_size]")).to_have_value("12")
        page.locator("form[action$='/book'] button[type=submit]").click()
        page.wait_for_url(re.compile(r"/bookings/\d+$"))
        assert id_from_url(page, r"/bookings/(\d+)$") == booking_id
        expect(page.locator(".flash-info")).to_be_visible()

    state = page.locator("#booking-state")
    expect(state).to_have_text(journey.says("Aangevraagd", "Requested"))
    expect(state).to_have_class(re.compile(r"\bbadge-requested\b"))
    expect(page.locator("#history ol.history li")).to_have_count(1)

    # One booking of 12 students, not two.
    company.goto(f"/activities/{activity_id}/slots")
    expect(slot_row(company, slot_id).locator("td").nth(2)).to_have_text("12")
    company.goto("/company/bookings")
    expect(company.locator("#requested article.booking-row", has_text=title)).to_have_count(1)
    expect(company.locator(f"#booking-{booking_id}")).to_be_visible()


# --- 3. the company answers incoming bookings -------------------------------------------


def test_company_confirms_one_booking_and_declines_another(journey):
    page = journey.page
    sign_in(page, COMPANY)
    title = unique("Motoren demonteren")
    _activity_id, slot_id = offer(page, title, school_day(), requires_approval=True)

    teacher = journey.open(TEACHER)
    first = book(teacher, slot_id, 12)
    second = book(teacher, slot_id, 9, year="2", path="BB", profile="")

    menu(page, "/company/bookings")
    page.wait_for_url("**/company/bookings")
    confirming, declining = page.locator(f"#booking-{first}"), page.locator(f"#booking-{second}")
    expect(confirming.locator(".badge-requested")).to_be_visible()
    expect(declining.locator(".badge-requested")).to_be_visible()
    reason = f"Die week staat de werkplaats stil {uuid.uuid4().hex[:6]}"
    if journey.javascript:
        mark_document(page)
        waiting = int(page.locator("#count-requested").inner_text())
        confirming.locator("form[action$='/confirm'] button").click()
        # The answered booking leaves "waiting for your answer", the count follows.
        expect(page.locator(f"#confirmed #booking-{first} .badge-confirmed")).to_be_visible()
        expect(page.locator(f"#requested #booking-{first}")).to_have_count(0)
        expect(page.locator("#count-requested")).to_have_text(str(waiting - 1))
        expect(page.locator("#incoming-notice")).to_be_focused()
        expect(confirming.locator("form")).to_have_count(0)
        declining.locator("input[name=decline-reason]").fill(reason)
        declining.locator("form.decline button").click()
        expect(page.locator(f"#booking-{second}")).to_have_count(0)
        expect(page.locator("#count-requested")).to_have_text(str(waiting - 2))
        expect(page.locator("#incoming-notice")).to_be_visible()
        assert_same_document(page)
        expect(page).to_have_url(re.compile(r"/company/bookings$"))
    else:
        confirming.locator("form[action$='/confirm'] button").click()
        page.wait_for_url("**/company/bookings")
        expect(page.locator(".flash-success")).to_be_visible()
        expect(page.locator(f"#confirmed #booking-{first} .badge-confirmed")).to_be_visible()
        declining.locator("input[name=decline-reason]").fill(reason)
        declining.locator("form.decline button").click()
        page.wait_for_url("**/company/bookings")
        expect(page.locator(f"#booking-{second}")).to_have_count(0)

    # What the school sees.
    teacher.goto(f"/bookings/{first}")
    expect(teacher.locator("#booking-state")).to_have_class(re.compile(r"\bbadge-confirmed\b"))
    teacher.goto(f"/bookings/{second}")
    expect(teacher.locator("#booking-state")).to_have_class(re.compile(r"\bbadge-declined\b"))
    expect(teacher.locator("main")).to_contain_text(reason)
    expect(teacher.locator("#history ol.history li")).to_have_count(2)
    # The declined group's places are free again.
    page.goto(f"/activities/{_activity_id}/slots")
    expect(slot_row(page, slot_id).locator("td").nth(2)).to_have_text("12")


# --- 4. the teacher cancels ------------------------------------------------------------


def test_teacher_cancels_a_confirmed_booking(journey):
    company = journey.open(COMPANY)
    title = unique("Elektromotor wikkelen")
    activity_id, slot_id = offer(company, title, school_day(), requires_approval=False)

    page = journey.page
    sign_in(page, TEACHER)
    booking_id = book(page, slot_id, 15)
    expect(page.locator("#booking-state")).to_have_class(re.compile(r"\bbadge-confirmed\b"))

    menu(page, "/bookings")
    page.wait_for_url("**/bookings")
    row = page.locator(f"#upcoming #booking-{booking_id}")
    expect(row).to_contain_text(title)
    expect(row.locator(".badge-confirmed")).to_be_visible()
    reason = f"De bus is niet beschikbaar {uuid.uuid4().hex[:6]}"
    row.locator("details summary").click()
    row.locator("input[name=cancel-reason]").fill(reason)
    if journey.javascript:
        mark_document(page)
        row.locator("form[action$='/cancel'] button[type=submit]").click()
        expect(row.locator(".badge-cancelled")).to_be_visible()
        assert_same_document(page)
    else:
        row.locator("form[action$='/cancel'] button[type=submit]").click()
        page.wait_for_url("**/bookings")
        expect(page.locator(".flash-success")).to_be_visible()
        expect(page.locator(f"#booking-{booking_id} .badge-cancelled")).to_be_visible()
    expect(page.locator(f"#booking-{booking_id} form")).to_have_count(0)

    page.goto(f"/bookings/{booking_id}")
    expect(page.locator("#booking-state")).to_have_class(re.compile(r"\bbadge-cancelled\b"))
    expect(page.locator("main")).to_contain_text(reason)
    expect(page.locator("#history ol.history li")).to_have_count(2)
    expect(page.locator("#actions")).to_have_count(0)

    # The places are free again.
    company.goto(f"/activities/{activity_id}/slots")
    expect(slot_row(company, slot_id).locator("td").nth(2)).to_have_text("0")


# --- 5. the company changes and cancels dates -------------------------------------------


def test_company_reschedules_a_date_and_cancels_another(journey):
    page = journey.page
    sign_in(page, COMPANY)
    title = unique("Tandwielen meten")
    day = school_day()
    activity_id, moved = offer(page, title, day, requires_approval=False)
    dropped = add_slot(page, activity_id, school_day(after=day, days_ahead=1))

    teacher = journey.open(TEACHER)
    on_moved = book(teacher, moved, 10)
    on_dropped = book(teacher, dropped, 10)

    new_day = school_day(after=day, days_ahead=7)
    page.goto(f"/activities/{activity_id}/slots")
    slot_row(page, moved).locator(f"a[href='/slots/{moved}/reschedule']").click()
    page.wait_for_url(f"**/slots/{moved}/reschedule")
    page.fill("input[name=day]", new_day.isoformat())
    page.fill("input[name=start]", "13:15")
    page.fill("input[name=end]", "15:45")
    page.fill("textarea[name=reason]", "De machinehal is die ochtend bezet.")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(f"**/activities/{activity_id}/slots")
    expect(page.locator(".flash-success")).to_be_visible()
    expect(slot_row(page, moved)).to_contain_text("13:15")
    expect(slot_row(page, moved)).to_contain_text("15:45")
    expect(slot_row(page, moved).locator(".badge-open")).to_be_visible()

    reason = f"Onze monteurs zijn op een storing {uuid.uuid4().hex[:6]}"
    slot_row(page, dropped).locator(f"a[href='/slots/{dropped}/cancel']").click()
    page.wait_for_url(f"**/slots/{dropped}/cancel")
    page.fill("textarea[name=reason]", reason)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(f"**/activities/{activity_id}/slots")
    expect(slot_row(page, dropped).locator(".badge-cancelled")).to_be_visible()
    expect(slot_row(page, dropped)).to_contain_text(reason)
    expect(slot_row(page, dropped).locator("a")).to_have_count(0)

    # The school's bookings follow.
    teacher.goto(f"/bookings/{on_dropped}")
    expect(teacher.locator("#booking-state")).to_have_class(re.compile(r"\bbadge-cancelled\b"))
    expect(teacher.locator("main")).to_contain_text(reason)
    teacher.goto(f"/bookings/{on_moved}")
    expect(teacher.locator("#booking-state")).to_have_class(re.compile(r"\bbadge-confirmed\b"))
    expect(teacher.locator(".slot-facts")).to_contain_text("13:15")
    history = teacher.locator("#history ol.history li")
    expect(history).to_have_count(2)
    expect(history.last).to_contain_text("De machinehal is die ochtend bezet.")
    # A cancelled date leaves the catalogue's activity page; the moved one stays.
    teacher.goto(f"/activities/{activity_id}")
    expect(slot_row(teacher, dropped)).to_have_count(0)
    expect(slot_row(teacher, moved)).to_contain_text("13:15")


# --- 6. the coordinator approves a new organisation --------------------------------------


def register_company(page: Page, name: str) -> None:
    """A company signs itself up; it waits for a coordinator afterwards."""
    page.goto("/register")
    page.select_option("select[name=kind]", "company")
    page.fill("input[name=name]", name)
    page.fill("input[name=address]", "Industriestraat 12")
    page.fill("input[name=postcode]", "7553 AB")
    page.fill("input[name=city]", "Hengelo")
    page.fill("input[name=kvk]", f"{uuid.uuid4().int % 10**8:08d}")
    page.locator("input[name=sectors][value=metal]").check()
    page.fill("input[name=contact_name]", "Sanne Nieuwkomer")
    page.fill("input[name=contact_email]", f"{uuid.uuid4().hex[:12]}@nieuw.demo.test")
    page.fill("input[name=password]", "een lang wachtwoord")
    page.fill("input[name=password_again]", "een lang wachtwoord")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/")
    expect(page.locator(".flash-success")).to_be_visible()


def test_coordinator_approves_a_waiting_organisation(journey):
    name = unique("Nieuwe Werkplaats")
    register_company(journey.open(), name)

    page = journey.page
    sign_in(page, COORDINATOR)
    menu(page, "/organisations")
    page.wait_for_url("**/organisations")
    waiting = page.locator("#pending article.pending-organisation", has_text=name)
    expect(waiting).to_have_count(1)
    if journey.javascript:
        mark_document(page)
        waiting.locator("form[action$='/approve'] button").click()
        expect(waiting).to_have_count(0)
        expect(page.locator("#pending")).to_have_count(1)
        assert_same_document(page)
    else:
        waiting.locator("form[action$='/approve'] button").click()
        page.wait_for_url("**/organisations")
        expect(page.locator(".flash-success")).to_contain_text(name)
        expect(waiting).to_have_count(0)
    page.goto("/organisations?kind=company")
    listed = page.locator("table tr", has_text=name)
    expect(listed.locator(".badge-approved")).to_be_visible()
    # The news was told where it happened, not again on the next page.
    expect(page.locator(".flashes")).to_have_count(0)

    # The figures' documents and exports follow the filters chosen.
    menu(page, "/insights")
    page.wait_for_url("**/insights")
    filters = page.locator("form.insight-filters")
    earlier = filters.locator("select[name=school_year] option").nth(1).get_attribute("value")
    filters.locator("select[name=school_year]").select_option(earlier)
    if journey.javascript:
        expect(page).to_have_url(re.compile(rf"school_year={earlier}"))
    filters.locator("select[name=profile]").select_option("PIE")
    if not journey.javascript:
        filters.locator("button[type=submit]").click()
    expect(page).to_have_url(re.compile(rf"school_year={earlier}.*profile=PIE"))
    # The annual report covers a school year; the exports are of the tables
    # as filtered.
    report = page.locator("#documents a[href^='/insights/report.pdf']").first
    expect(report).to_have_attribute("href", re.compile(rf"school_year={earlier}"))
    exports = page.locator("#figures .exports a")
    expect(exports.first).to_be_visible()
    chosen = {"school_year": [earlier], "profile": ["PIE"]}
    for href in exports.evaluate_all("links => links.map(a => a.getAttribute('href'))"):
        query = parse_qs(urlsplit(href).query)
        assert {k: query.get(k) for k in chosen} == chosen, href


# --- 7. a waiting list ------------------------------------------------------------------


def test_teacher_sees_the_place_on_a_waiting_list_and_leaves_it(journey):
    """On a phone (the JavaScript variant) and a desktop: the place in line, the
    region's rule, and leaving the list from the booking's page."""
    company = journey.open(COMPANY)
    title = unique("Lassen met wachtlijst")
    activity_id = create_activity(company, title, requires_approval=False)
    slot_id = add_slot(company, activity_id, school_day(), capacity=10)
    publish(company, activity_id)

    page = journey.page
    sign_in(page, TEACHER)
    book(page, slot_id, 10)
    page.goto(f"/slots/{slot_id}/book")
    expect(page.locator("#waiting-list-rule")).to_be_visible()
    fill_booking_form(page, 5)
    page.locator("form[action$='/book'] button[type=submit]").click()
    page.wait_for_url(re.compile(r"/bookings/\d+$"))
    waiting_id = id_from_url(page, r"/bookings/(\d+)$")
    expect(page.locator("#booking-state")).to_have_class(re.compile(r"\bbadge-waitlisted\b"))
    expect(page.locator("#waiting-list-heading")).to_have_text(
        journey.says("Nummer 1 van 1 op de wachtlijst", "Number 1 of 1 on the waiting list")
    )
    expect(page.locator("#waiting-list-rule")).to_contain_text(
        journey.says("Zo worden plaatsen verdeeld", "How places are given")
    )

    leave = page.locator("#leave-waiting-list")
    expect(leave).to_be_visible()
    leave.click()
    page.wait_for_url(re.compile(rf"/bookings/{waiting_id}$"))
    expect(page.locator(".flash-success")).to_contain_text(
        journey.says("niet meer op de wachtlijst", "left the waiting list")
    )
    expect(page.locator("#booking-state")).to_have_class(re.compile(r"\bbadge-cancelled\b"))
    expect(page.locator("#waiting-list")).to_have_count(0)
    expect(page.locator("#history")).to_contain_text(
        journey.says("Van de wachtlijst gegaan", "Left the waiting list")
    )
