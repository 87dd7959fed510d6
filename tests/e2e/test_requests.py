"""A school request from start to finish in a real browser, with JavaScript
(the proposal is accepted in place by htmx) and without (plain form posts):
the teacher posts a request, the company answers with one of its dates, the
teacher accepts it, and the booking is in "my bookings"."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.journeys_helpers import (
    COMPANY,
    TEACHER,
    VARIANTS,
    assert_same_document,
    id_from_url,
    mark_document,
    menu,
    school_day,
    sign_in,
    unique,
)

pytestmark = pytest.mark.e2e


@pytest.fixture(params=VARIANTS, ids=str)
def browse(request, browsers):
    """Opens a fresh signed-out page in the variant's way of using the product."""
    variant = request.param

    def open_page() -> Page:
        return variant.open(browsers)

    open_page.javascript = variant.javascript
    return open_page


def post_request(page: Page, topic: str) -> int:
    menu(page, "/requests")
    page.locator("#new-request").click()
    page.wait_for_url("**/requests/new")
    first = school_day(days_ahead=7)
    page.select_option("select[name=kind]", "company_visit")
    page.fill("input[name=topic]", topic)
    page.fill("input[name=group_size]", "10")
    page.select_option("select[name=year]", "3")
    page.select_option("select[name=path]", "BB")
    page.select_option("select[name=profile]", "PIE")
    page.fill("input[name=first_day]", first.isoformat())
    page.fill("input[name=last_day]", school_day(first, days_ahead=60).isoformat())
    page.fill("textarea[name=remarks]", "Graag een rondleiding.")
    page.locator("#request-form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/requests/\d+$"))
    expect(page.locator("#request-state [data-state='open']")).to_be_visible()
    return id_from_url(page, r"/requests/(\d+)$")


def answer_with_a_date(page: Page, request_id: int, topic: str) -> None:
    page.goto("/requests/for-you")
    # The request fits the demo company (metal, PIE): it is listed for them.
    expect(page.locator(f"[data-request='{request_id}']")).to_contain_text(topic)
    page.goto(f"/requests/{request_id}/answer")
    page.locator("input[name=option][value=slot]").check()
    values = page.locator("select[name=slot] option").evaluate_all(
        "options => options.filter(o => o.value).map(o => [o.value, o.textContent])"
    )
    tour = [value for value, label in values if "Rondleiding" in label]
    page.select_option("select[name=slot]", (tour or [values[0][0]])[0])
    page.fill("textarea[name=message]", "Welkom in onze hal!")
    page.locator("#answer-form button[type=submit]").click()
    page.wait_for_url(re.compile(rf"/requests/{request_id}$"))
    expect(page.locator(".flash-success")).to_be_visible()


def test_a_request_becomes_a_booking(browse):
    topic = unique("Rondleiding gevraagd")
    teacher = browse()
    sign_in(teacher, TEACHER)
    request_id = post_request(teacher, topic)

    company = browse()
    sign_in(company, COMPANY)
    answer_with_a_date(company, request_id, topic)

    teacher.goto(f"/requests/{request_id}")
    proposal = teacher.locator("#proposals article.proposal[data-status='open']")
    expect(proposal).to_have_count(1)
    expect(proposal).to_contain_text("Welkom in onze hal!")
    if browse.javascript:
        mark_document(teacher)
    proposal.locator("button[name=accept]").click()
    expect(teacher.locator("#proposals article.proposal[data-status='accepted']")).to_be_visible()
    expect(teacher.locator("#request-state [data-state='fulfilled']")).to_be_visible()
    if browse.javascript:
        assert_same_document(teacher)  # htmx swapped the proposals in place
    else:
        assert teacher.url.endswith(f"/requests/{request_id}")
    href = teacher.locator("#proposals a.booking-link").get_attribute("href")
    booking_id = int(re.search(r"/bookings/(\d+)$", href).group(1))

    menu(teacher, "/bookings")
    teacher.wait_for_url("**/bookings")
    expect(teacher.locator(f"#booking-{booking_id}")).to_be_visible()

    # The company sees its proposal accepted.
    company.goto("/requests/proposals")
    expect(company.locator("article.proposal").filter(has_text=topic)).to_have_attribute(
        "data-status", "accepted"
    )
