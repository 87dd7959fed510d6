"""The pages issue 12 reshaped around bookings: the home pages' to-dos, the
tabs, filters and pages of "Mijn boekingen", the waiting list's place."""

from __future__ import annotations

import re

from tests import factories
from tests.apps import login
from tests.bookings.helpers import book


def todo_counts(page: str) -> dict[str, int]:
    found = re.findall(r'id="todo-([a-z-]+)" data-count="(\d+)"', page)
    return {name: int(n) for name, n in found}


def test_each_roles_home_page_counts_what_waits(
    db, app, teacher_client, teacher, contact_client, slot, coordinator_client
):
    book(teacher, slot, 10)  # the company confirms each booking
    full = factories.slot(slot.activity, capacity=10, taken=8, days_ahead=30)
    book(teacher, full, 5, accept_waitlist=True)
    factories.school(status="pending")
    db.session.commit()

    teacher_home = teacher_client.get("/").get_data(as_text=True)
    assert todo_counts(teacher_home)["waiting"] == 1
    assert "nummer 1 van 1 op de wachtlijst" in teacher_home
    company_home = contact_client.get("/").get_data(as_text=True)
    assert todo_counts(company_home)["awaiting-answer"] == 1
    coordinator_home = coordinator_client.get("/").get_data(as_text=True)
    assert todo_counts(coordinator_home)["to-approve"] == 1
    # Each sees only their own part.
    assert 'id="home-teacher"' in teacher_home and 'id="home-company"' not in teacher_home
    assert 'id="home-company"' in company_home and 'id="home-coordinator"' not in company_home
    assert (
        'id="home-coordinator"' in coordinator_home and 'id="home-teacher"' not in coordinator_home
    )


def test_my_bookings_filters_by_state_and_pages(db, teacher_client, teacher, activity):
    slots = [factories.slot(activity, capacity=500, days_ahead=10 + i) for i in range(22)]
    booked = [book(teacher, s, 5) for s in slots]
    db.session.commit()
    first = teacher_client.get("/bookings").get_data(as_text=True)
    assert len(re.findall(r'class="booking-row" id="booking-', first)) == 20
    assert 'href="/bookings?page=2" rel="next"' in first
    second = teacher_client.get("/bookings?page=2").get_data(as_text=True)
    assert len(re.findall(r'class="booking-row" id="booking-', second)) == 2
    assert f'id="booking-{booked[-1].id}"' in second
    confirmed = teacher_client.get("/bookings?state=confirmed").get_data(as_text=True)
    assert 'class="booking-row"' not in confirmed  # all of them wait for the company
    assert "Geen boekingen met deze status in deze periode." in confirmed
    week = teacher_client.get("/bookings?period=week").get_data(as_text=True)
    assert 'class="booking-row"' not in week  # the first is ten days away
    # Nonsense in the address is ignored.
    assert teacher_client.get("/bookings?tab=x&state=y&period=z&page=-3").status_code == 200


def test_a_full_date_opens_the_waiting_list_form_and_the_booking_shows_its_place(
    db, teacher_client, teacher, activity
):
    full = factories.slot(activity, capacity=10, taken=10, days_ahead=20)
    other = factories.user(factories.school(), "teacher")
    ahead = book(other, full, 5, accept_waitlist=True)
    db.session.commit()
    form = teacher_client.get(f"/slots/{full.id}/book").get_data(as_text=True)
    assert "<h1>Op de wachtlijst zetten:" in form
    assert re.search(r'<input checked id="accept_waitlist"', form)
    assert "in de volgorde waarin ze op de wachtlijst kwamen" in form
    mine = book(teacher, full, 5, accept_waitlist=True)
    db.session.commit()
    page = teacher_client.get(f"/bookings/{mine.id}").get_data(as_text=True)
    assert "Nummer 2 van 2 op de wachtlijst" in page
    assert "Wie het eerst komt" not in page  # the rule is explained, not named
    assert "in de volgorde waarin ze op de wachtlijst kwamen" in page
    assert ahead.status == "waitlisted"


def test_an_archived_activity_asks_first_and_can_be_restored(db, contact_client, activity):
    page = contact_client.get(f"/activities/{activity.id}/slots").get_data(as_text=True)
    confirm = page.split('id="archive-activity"')[1].split("</details>")[0]
    assert "Ja, archiveren" in confirm  # the second step, also without JavaScript
    assert contact_client.post(f"/activities/{activity.id}/archive").status_code == 303
    db.session.refresh(activity)
    assert activity.status == "archived"
    assert contact_client.post(f"/activities/{activity.id}/restore").status_code == 303
    db.session.refresh(activity)
    assert activity.status == ("published" if activity.published_at else "draft")


def test_visitors_get_their_browsers_language_until_they_choose(db, app, teacher):
    client = app.test_client()
    english = client.get("/login", headers={"Accept-Language": "en-GB,en;q=0.8"})
    assert '<html lang="en">' in english.get_data(as_text=True)
    assert "Accept-Language" in english.headers["Vary"]
    dutch = client.get("/login", headers={"Accept-Language": "nl-NL,nl;q=0.9,en;q=0.5"})
    assert '<html lang="nl">' in dutch.get_data(as_text=True)
    # A signed-in person who chose keeps their choice whatever the browser says.
    teacher.locale = "nl"
    db.session.commit()
    signed_in = login(app.test_client(), teacher)
    page = signed_in.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<html lang="nl">' in page
