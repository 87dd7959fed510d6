"""A company tags an activity with a profile module and a keuzevak on its
form (the options follow the ticked profiles), and a teacher on a phone
filters the catalogue on the module and finds it, its tags named on its page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import PHONE
from tests.e2e.journeys_helpers import (
    COMPANY,
    TEACHER,
    add_slot,
    create_activity,
    publish,
    school_day,
    sign_in,
    unique,
)

pytestmark = pytest.mark.e2e


def test_a_company_tags_an_activity_and_a_teacher_finds_it_by_module(browser, live_server):
    title = unique("Besturen met PLC's")
    company = browser.new_context(base_url=live_server, viewport=PHONE, locale="nl-NL")
    page = company.new_page()
    sign_in(page, COMPANY)
    activity_id = create_activity(page, title, profiles=("PIE",))

    page.goto(f"/activities/{activity_id}/edit")
    # Ticking MVI refreshes the lists (htmx): MVI's modules join the suggestions.
    page.locator("input[name=profiles][value='MVI']").check()
    suggested = page.locator("select[name=module] optgroup").first
    expect(suggested.locator("option[value='MVI-3']")).to_be_attached()
    page.select_option("select[name=module]", ["PIE-3", "MVI-3"])
    page.select_option("select[name=keuzevak]", ["PIE-K01"])
    page.locator("input[name=competence][value='werkexploratie']").check()
    page.locator("form.activity-form button[type=submit]").click()
    page.wait_for_url(re.compile(rf"/activities/{activity_id}/slots$"))
    add_slot(page, activity_id, school_day(days_ahead=30))
    publish(page, activity_id)
    company.close()

    teacher = browser.new_context(base_url=live_server, viewport=PHONE, locale="nl-NL")
    page = teacher.new_page()
    sign_in(page, TEACHER)
    page.goto("/catalogue?module=PIE-3&q=" + title.rsplit(" ", 1)[1])
    chip = page.locator(".chips a[data-filter='module']")
    expect(chip).to_contain_text("PIE-3")
    result = page.locator("#results li.result").filter(has_text=title)
    expect(result).to_have_count(1)
    result.locator("h3 a").click()
    section = page.locator("#curriculum")
    expect(section).to_contain_text("PIE-3 Besturen en automatiseren")
    expect(section).to_contain_text("PIE-K01 Duurzame energie")
    expect(section).to_contain_text("Waar pas ik?")
    # Following a module links back to the catalogue filtered on it.
    section.locator("a", has_text="MVI-3").click()
    page.wait_for_url(re.compile(r"/catalogue\?module=MVI-3"))
    expect(page.locator("#results li.result").filter(has_text=title)).to_have_count(1)
    teacher.close()
