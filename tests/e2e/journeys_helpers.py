"""Steps the browser journeys share: signing in, and making the data a journey
starts from through the same pages a person uses.

Every journey makes its own activity, dates and bookings (titles end in a
random suffix) in the one demo database the e2e tests share, so no journey
depends on another having run first. Elements are found by form field names,
ids and data attributes rather than by their (translatable) words.
"""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from playwright.sync_api import Page, expect

from app.timeutil import LOCAL_TZ
from tests.e2e.conftest import DESKTOP, PHONE

PASSWORD = "techniek"
COORDINATOR = "coordinator@demo.test"
TEACHER = "docent@demo.test"  # teacher at Vakcollege De Kolk (holiday region noord)
COMPANY = "bedrijf@demo.test"  # contact at Hengelo Aandrijftechniek (region noord)

_HOLIDAYS = json.loads(
    (Path(__file__).resolve().parents[2] / "fixtures" / "holidays.json").read_text("utf-8")
)["holidays"]


@dataclass(frozen=True)
class Variant:
    """How a journey's person uses the product: with or without JavaScript, on
    a phone or a desktop, in Dutch or English."""

    javascript: bool
    viewport: dict
    language: str

    def __str__(self) -> str:
        device = "phone" if self.viewport == PHONE else "desktop"
        return f"{'js' if self.javascript else 'nojs'}-{device}-{self.language}"

    def open(self, browsers, **kwargs):
        return browsers.open(
            javascript=self.javascript, viewport=self.viewport, language=self.language, **kwargs
        )


# Each journey runs twice, and between the two every way of using the product
# occurs: with JavaScript on a phone in Dutch, without on a desktop in English.
VARIANTS = [
    Variant(javascript=True, viewport=PHONE, language="nl"),
    Variant(javascript=False, viewport=DESKTOP, language="en"),
]


def unique(prefix: str) -> str:
    """A title nobody else uses, with a suffix a search can find it by."""
    return f"{prefix} {uuid.uuid4().hex[:10]}"


def suffix_of(title: str) -> str:
    return title.rsplit(" ", 1)[1]


# --- dates -----------------------------------------------------------------------------


def holidays(region: str = "noord") -> set[date]:
    days: set[date] = set()
    for holiday in _HOLIDAYS:
        if holiday["region"] != region:
            continue
        day = date.fromisoformat(holiday["start"])
        while day <= date.fromisoformat(holiday["end"]):
            days.add(day)
            day += timedelta(days=1)
    return days


def is_school_day(day: date) -> bool:
    return day.weekday() < 5 and day not in holidays()


def school_day(after: date | None = None, days_ahead: int = 21) -> date:
    """The first weekday outside region noord's school holidays, at least
    days_ahead days after `after` (today, in Amsterdam, by default)."""
    day = (after or datetime.now(LOCAL_TZ).date()) + timedelta(days=days_ahead)
    while not is_school_day(day):
        day += timedelta(days=1)
    return day


def series_days(first: date, last: date, weekdays: set[int]) -> list[date]:
    """The dates a series makes when it skips region noord's holidays."""
    days, day = [], first
    while day <= last:
        if day.weekday() in weekdays and day not in holidays():
            days.append(day)
        day += timedelta(days=1)
    return days


# --- pages -----------------------------------------------------------------------------


def sign_in(page: Page, email: str, password: str = PASSWORD) -> None:
    page.goto("/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/")
    expect(page.locator("header form[action='/logout']")).to_be_attached()


def menu(page: Page, href: str) -> None:
    """Follows a link of the site's menu, opening the menu first where it is
    folded away (phones)."""
    link = page.locator(f"header a[href='{href}']")
    if not link.is_visible():
        page.locator("header summary.menu-button").click()
    link.click()


def mark_document(page: Page) -> None:
    """Leaves a mark in the page's JavaScript world: a full page load wipes it,
    so `assert_same_document` proves htmx changed the page in place."""
    page.evaluate("window.__journeyMark = 'still here'")


def assert_same_document(page: Page) -> None:
    assert page.evaluate("window.__journeyMark") == "still here", "the page was reloaded"


def id_from_url(page: Page, pattern: str) -> int:
    match = re.search(pattern, page.url)
    assert match, f"{page.url} does not match {pattern}"
    return int(match.group(1))


def create_activity(
    page: Page,
    title: str,
    *,
    kind: str = "workshop",
    years: tuple[str, ...] = ("2", "3"),
    paths: tuple[str, ...] = ("BB", "KB"),
    profiles: tuple[str, ...] = ("PIE",),
    sectors: tuple[str, ...] = ("metal",),
    venue: str = "company",
    max_group_size: int = 25,
    min_notice_days: int = 1,
    requires_approval: bool = True,
    description: str = "Een middag draaien en frezen in onze werkplaats.",
) -> int:
    """Fills in the new-activity form of the signed-in contact's company; the
    activity is a draft on its dates page afterwards. Returns its id."""
    page.goto("/our-activities")
    page.locator("main a[href$='/activities/new']").first.click()
    page.wait_for_url(re.compile(r"/companies/\d+/activities/new$"))
    page.select_option("select[name=kind]", kind)
    page.fill("input[name=title]", title)
    page.fill("textarea[name=description]", description)
    for name, codes in (
        ("years", years),
        ("paths", paths),
        ("profiles", profiles),
        ("sectors", sectors),
    ):
        for code in codes:
            page.locator(f"input[name={name}][value='{code}']").check()
    page.select_option("select[name=venue]", venue)
    page.fill("input[name=duration_minutes]", "120")
    page.fill("input[name=max_group_size]", str(max_group_size))
    page.fill("input[name=min_notice_days]", str(min_notice_days))
    page.locator("input[name=requires_approval]").set_checked(requires_approval)
    page.locator("form.activity-form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/activities/\d+/slots$"))
    return id_from_url(page, r"/activities/(\d+)/slots$")


def go(page: Page, path: str) -> None:
    """Opens path, unless the page shows it already."""
    if not page.url.endswith(path):
        page.goto(path)


def publish(page: Page, activity_id: int) -> None:
    go(page, f"/activities/{activity_id}/slots")
    page.locator("form[action$='/publish'] button").click()
    page.wait_for_url(re.compile(rf"/activities/{activity_id}/slots$"))
    expect(page.locator("main hgroup .badge-published")).to_be_visible()


def slot_ids(page: Page) -> set[int]:
    rows = page.locator("#upcoming-slots tr[data-slot]")
    return {int(value) for value in rows.evaluate_all("rows => rows.map(r => r.dataset.slot)")}


def add_slot(
    page: Page,
    activity_id: int,
    day: date,
    start: str = "09:00",
    end: str = "11:30",
    capacity: int = 30,
) -> int:
    """Adds one date on the activity's dates page; returns the new slot's id."""
    go(page, f"/activities/{activity_id}/slots")
    before = slot_ids(page)
    form = page.locator("#add-slot form")
    form.locator("input[name=slot-day]").fill(day.isoformat())
    form.locator("input[name=slot-start]").fill(start)
    form.locator("input[name=slot-end]").fill(end)
    form.locator("input[name=slot-capacity]").fill(str(capacity))
    form.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(rf"/activities/{activity_id}/slots$"))
    expect(page.locator(".flash-success")).to_be_visible()
    added = slot_ids(page) - before
    assert len(added) == 1, f"expected one new slot, found {added}"
    return added.pop()


def offer(page: Page, title: str, day: date, **activity) -> tuple[int, int]:
    """A published activity with one date: (activity id, slot id)."""
    activity_id = create_activity(page, title, **activity)
    slot_id = add_slot(page, activity_id, day)
    publish(page, activity_id)
    return activity_id, slot_id


def fill_booking_form(
    page: Page, size: int, year: str = "3", path: str = "KB", profile: str = "PIE"
) -> None:
    form = page.locator("form[action$='/book']")
    form.locator("input[name=group_size]").fill(str(size))
    form.locator("select[name=year]").select_option(year)
    form.locator("select[name=path]").select_option(path)
    form.locator("select[name=profile]").select_option(profile)


def book(page: Page, slot_id: int, size: int, **group) -> int:
    """Books the slot for a group; returns the booking's id."""
    page.goto(f"/slots/{slot_id}/book")
    fill_booking_form(page, size, **group)
    page.locator("form[action$='/book'] button[type=submit]").click()
    page.wait_for_url(re.compile(r"/bookings/\d+$"))
    return id_from_url(page, r"/bookings/(\d+)$")
