"""The demo accounts in a real browser: signing in, the home page, the language."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

DEMO = json.loads(
    (Path(__file__).resolve().parents[2] / "fixtures" / "demo_region.json").read_text("utf-8")
)
PASSWORD = "techniek"


def organisations_of(email: str) -> list[str]:
    names = {o["key"]: o["name"] for o in DEMO["organisations"]}
    person = next(p for p in DEMO["people"] if p["email"] == email)
    return [names[key] for key, _role in person["memberships"]]


def sign_in(page, email: str, password: str = PASSWORD) -> None:
    page.goto("/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/")


def sign_out(page) -> None:
    page.locator("header form[action='/logout'] button").click()
    page.wait_for_url("**/")
    expect(page.locator("header a[href='/login']")).to_be_visible()


@pytest.mark.parametrize(
    "email", ["coordinator@demo.test", "docent@demo.test", "bedrijf@demo.test"]
)
def test_a_demo_account_signs_in_and_sees_its_organisation(page, email):
    expected = organisations_of(email)
    assert expected, f"{email} has no membership in the demo fixture"

    sign_in(page, email)
    cards = page.locator("article.organisation-card header strong")
    expect(cards).to_have_text(expected)
    expect(page.locator("header form[action='/logout']")).to_be_visible()

    sign_out(page)
    expect(page.locator("article.organisation-card")).to_have_count(0)
    page.goto("/account")
    expect(page).to_have_url(re.compile(r"/login\?next=%2Faccount$"))


def test_a_wrong_password_keeps_the_person_out(page):
    page.goto("/login")
    page.fill("input[name=email]", "docent@demo.test")
    page.fill("input[name=password]", "niet-techniek")
    page.locator("main form button[type=submit]").click()
    expect(page.locator("p.flash-error")).to_have_text("E-mailadres of wachtwoord klopt niet.")
    expect(page.locator("header a[href='/login']")).to_be_visible()


def test_switching_to_english_and_back(page):
    page.goto("/login")
    html = page.locator("html")
    expect(html).to_have_attribute("lang", "nl")
    expect(page.locator("main h1")).to_have_text("Inloggen")

    page.locator("header .language-switch button[value=en]").click()
    page.wait_for_url("**/login")
    expect(html).to_have_attribute("lang", "en")
    expect(page.locator("main h1")).to_have_text("Sign in")
    expect(page.locator("label[for=password]")).to_contain_text("Password")

    page.locator("header .language-switch button[value=nl]").click()
    page.wait_for_url("**/login")
    expect(html).to_have_attribute("lang", "nl")
    expect(page.locator("main h1")).to_have_text("Inloggen")


def test_a_signed_in_persons_language_choice_is_remembered(page, browsers):
    # The administrator: the journeys follow the other accounts, whose pages
    # follow their browser's language as long as they have not chosen one.
    sign_in(page, "beheer@demo.test")
    page.locator("header .language-switch button[value=en]").click()
    page.wait_for_url("**/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    sign_out(page)

    # Another browser, no session: the choice comes with the account.
    second = browsers.open(language="nl")
    sign_in(second, "beheer@demo.test")
    expect(second.locator("html")).to_have_attribute("lang", "en")
    expect(second.locator("#home-organisations-heading")).to_have_text("Your organisations")
    # Back to Dutch, so the demo account is as the other tests expect it.
    second.locator("header .language-switch button[value=nl]").click()
    second.wait_for_url("**/")
    expect(second.locator("html")).to_have_attribute("lang", "nl")
