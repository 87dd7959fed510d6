"""The hybrid-teacher journey in a real browser: the demo company registers a
professional and proposes them to the demo teacher's school; the teacher
proposes other days in place (htmx); the company accepts; the teacher sees the
weekly lessons, without any in region noord's holidays. Once more without
JavaScript for the teacher's answer."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import PHONE
from tests.e2e.journeys_helpers import (
    COMPANY,
    TEACHER,
    assert_same_document,
    holidays,
    mark_document,
    school_day,
    sign_in,
    unique,
)

pytestmark = pytest.mark.e2e


def person_page(browsers, email: str, *, javascript: bool = True, **how) -> Page:
    page = browsers.open(javascript=javascript, **how)
    sign_in(page, email)
    return page


def register_professional(page: Page, name: str) -> None:
    page.goto("/placements/pool/new")
    page.fill("input[name=name]", name)
    page.select_option("select[name=kind]", "technician")
    page.fill("textarea[name=expertise]", "Pneumatiek en hydrauliek, storingen zoeken")
    page.check("input[name=profiles][value=PIE]")
    page.check("input[name=weekdays][value=tu]")
    page.check("input[name=weekdays][value=th]")
    page.fill("input[name=hours_per_week]", "6")
    page.fill("input[name=town]", "Hengelo")
    page.check("input[name=consent]")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r".*/placements/pool/\d+$"))


def propose(page: Page, name: str, first: date) -> int:
    page.goto("/placements/pool?q=" + name.rsplit(" ", 1)[1])
    page.locator("#results article.candidate a[role=button]").first.click()
    page.wait_for_url(re.compile(r".*/placements/new\?professional=\d+"))
    school = page.locator("select[name=school] option", has_text="Vakcollege De Kolk")
    page.select_option("select[name=school]", school.get_attribute("value"))
    page.fill("input[name=hours_per_week]", "6")
    for code in ("mo", "tu", "we", "th", "fr"):
        page.locator(f"input[name=weekdays][value={code}]").set_checked(code in ("mo", "we"))
    page.fill("input[name=start_time]", "09:00")
    page.fill("input[name=end_time]", "12:00")
    page.fill("input[name=first_date]", first.isoformat())
    page.fill("input[name=last_date]", (first + timedelta(weeks=8)).isoformat())
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r".*/placements/\d+$"))
    expect(page.locator("#placement-state [data-state=proposed]")).to_be_visible()
    return int(page.url.rsplit("/", 1)[1])


def counter_in_row(page: Page, placement_id: int) -> None:
    row = page.locator(f"#placement-{placement_id}")
    row.locator("details summary").click()
    for code in ("mo", "we"):
        row.locator(f"input[name=counter-weekdays][value={code}]").uncheck()
    for code in ("tu", "th"):
        row.locator(f"input[name=counter-weekdays][value={code}]").check()
    row.locator("input[name=counter-start_time]").fill("13:00")
    row.locator("input[name=counter-end_time]").fill("15:30")
    row.locator("textarea[name=counter-message]").fill("Dinsdag- en donderdagmiddag past beter.")
    row.locator("form[action$=counter] button[type=submit]").click()


def check_schedule(page: Page, placement_id: int, first: date) -> None:
    page.goto(f"/placements/{placement_id}")
    expect(page.locator("#placement-state [data-state=agreed]")).to_be_visible()
    rows = page.locator("#schedule tr.lesson")
    expect(rows.first).to_be_visible()
    ids = [rows.nth(i).get_attribute("id") for i in range(rows.count())]
    days = [date.fromisoformat(value.removeprefix("lesson-")) for value in ids]
    last = first + timedelta(weeks=8)
    expected = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    expected = [d for d in expected if d.weekday() in (1, 3) and d not in holidays()]
    assert days == expected
    assert not set(days) & holidays()


def test_company_proposes_teacher_counters_company_accepts_teacher_sees_schedule(browsers):
    company = person_page(browsers, COMPANY)
    teacher = person_page(browsers, TEACHER, viewport=PHONE)
    name = unique("Hanneke Hydrauliek")
    register_professional(company, name)
    first = school_day(days_ahead=21)
    first -= timedelta(days=first.weekday())
    placement_id = propose(company, name, first)

    teacher.goto("/placements/")
    row = teacher.locator(f"#placement-{placement_id}")
    expect(row).to_contain_text(name.rsplit(" ", 1)[0].split(" ")[0])
    mark_document(teacher)
    counter_in_row(teacher, placement_id)
    expect(row.locator("[data-state=countered]")).to_be_visible()
    assert_same_document(teacher)

    company.goto(f"/placements/{placement_id}")
    expect(company.locator("#terms")).to_contain_text("13:00")
    company.locator("#actions form[action$=accept] button").click()
    expect(company.locator("#placement-state [data-state=agreed]")).to_be_visible()

    check_schedule(teacher, placement_id, first)


def test_without_javascript_the_teacher_accepts_with_a_plain_form(browsers):
    company = person_page(browsers, COMPANY, language="en")
    teacher = person_page(browsers, TEACHER, javascript=False, language="en")
    name = unique("Joris Zonder Script")
    register_professional(company, name)
    first = school_day(days_ahead=35)
    first -= timedelta(days=first.weekday())
    placement_id = propose(company, name, first)

    teacher.goto("/placements/")
    teacher.locator(f"#placement-{placement_id} form[action$=accept] button").click()
    teacher.wait_for_url(re.compile(r".*/placements/$"))
    expect(teacher.locator(f"#agreed #placement-{placement_id}")).to_be_visible()
    teacher.goto(f"/placements/{placement_id}")
    expect(teacher.locator("#schedule tr.lesson").first).to_be_visible()
