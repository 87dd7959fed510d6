"""The loopbaandossier sheet in a real browser: the teacher makes the pupils'
link of a booking; a pupil opens it on a phone without an account, fills it
in and prints it. Nothing the pupil types reaches the server, and the printout
is the sheet with the answers, without the site around it."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import PHONE
from tests.e2e.journeys_helpers import TEACHER, go, sign_in

pytestmark = pytest.mark.e2e


def test_a_pupil_fills_in_the_sheet_on_a_phone_and_prints_it(browsers):
    teacher = browsers.open(viewport=PHONE)
    sign_in(teacher, TEACHER)
    go(teacher, "/bookings")
    teacher.locator("main a[href^='/bookings/']").first.click()
    teacher.locator("#link-lob-sheet").click()
    expect(teacher.locator("#sheet-preview")).to_be_visible()
    made = teacher.locator("#share form button[type=submit]")
    if not teacher.locator("#pupils-link").count():
        made.click()
    link = teacher.locator("#pupils-link").input_value()
    assert re.search(r"/lob/[A-Za-z0-9_-]{40,}$", link)

    pupil = browsers.open(viewport=PHONE)
    sent = []
    pupil.on("request", lambda r: sent.append((r.method, r.url, r.post_data or "")))
    # The browser's print dialog cannot be answered in a test: count the calls.
    pupil.add_init_script("window.__printed = 0; window.print = () => { window.__printed += 1; };")
    pupil.goto(link)
    expect(pupil.locator("#lob-sheet h1")).to_be_visible()
    answers = pupil.locator("#lob-sheet textarea.answer")
    assert answers.count() >= 11  # 3 + 3 standard questions, 5 competences, follow-up
    answer = "Ik wil graag met de lasrobot werken"
    answers.first.fill(answer)
    answers.nth(answers.count() - 1).fill("Meeloopdag in maart")
    # Fits the phone: nothing wider than the screen.
    assert pupil.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    pupil.locator("#print-sheet").click()
    assert pupil.evaluate("window.__printed") == 1
    pupil.emulate_media(media="print")
    expect(pupil.locator("#privacy-note")).to_be_hidden()
    expect(pupil.locator("body > header")).to_be_hidden()
    expect(answers.first).to_be_visible()
    expect(answers.first).to_have_value(answer)
    pupil.emulate_media(media="screen")

    assert not [s for s in sent if s[0] != "GET"], sent
    assert not [s for s in sent if "lasrobot" in s[1] + s[2]], sent
