"""The company contact's pages: their activities, the activity form, publishing,
archiving, and the dates (slots) of an activity."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest

from app.catalogue.models import Activity, Slot
from app.holidays.models import SchoolHoliday
from app.timeutil import local_to_utc, to_local
from tests import factories
from tests.apps import login
from tests.pages import dutch, field_errors, flashes, form_errors


@pytest.fixture
def company(contact):
    return contact.organisations()[0]


def activity_form(**changes) -> dict:
    data = {
        "kind": "workshop",
        "title": "Lassen en solderen",
        "description": "Regel een\nRegel <twee>\n\nNieuwe alinea",
        "years": ["3", "4"],
        "paths": ["BB", "KB"],
        "profiles": ["PIE"],
        "sectors": ["metal", "energy"],
        "venue": "company",
        "address": "",
        "postcode": "",
        "city": "",
        "duration_minutes": "90",
        "max_group_size": "16",
        "min_notice_days": "10",
        "requires_approval": "y",
        "contact_id": "",
    }
    data.update(changes)
    return data


def next_weekday(weekday: int, weeks_ahead: int = 2) -> date:
    today = date.today()
    return today + timedelta(days=(weekday - today.weekday()) % 7 + 7 * weeks_ahead)


# --- the list ---------------------------------------------------------------------


def test_our_activities_lists_drafts_published_and_archived(contact_client, company):
    draft = factories.activity(company, status="draft", title="Concept <b>een</b>")
    published = factories.activity(company, status="published", title="Gepubliceerd")
    archived = factories.activity(company, status="archived", title="Oud")
    factories.slot(published, days_ahead=5)
    factories.slot(published, days_ahead=6)
    factories.activity(factories.company(), title="Van een ander")

    page = contact_client.get("/our-activities").get_data(as_text=True)
    sections = {
        status: page.split(f'class="activities-{status}"')[1].split("</section>")[0]
        for status in ("draft", "published", "archived")
    }
    assert f'data-activity="{draft.id}"' in sections["draft"]
    assert "Concept &lt;b&gt;een&lt;/b&gt;" in sections["draft"]
    assert f'data-activity="{published.id}"' in sections["published"]
    assert f'data-activity="{archived.id}"' in sections["archived"]
    assert "Van een ander" not in page
    assert f"/companies/{company.id}/activities/new" in page


def test_our_activities_is_for_company_contacts(client, teacher_client, db):
    assert teacher_client.get("/our-activities").status_code == 403
    response = client.get("/our-activities")
    assert response.status_code == 302 and "/login" in response.location


def test_a_company_waiting_for_approval_is_told_so(app, db):
    pending = factories.company(status="pending")
    person = factories.user(pending, "contact")
    client = login(app.test_client(), person)
    page = client.get("/our-activities").get_data(as_text=True)
    assert 'class="flash flash-info not-approved"' in page


# --- creating and editing -----------------------------------------------------------


def test_a_contact_creates_an_activity_with_the_form(contact_client, company, contact, db):
    colleague = factories.user(company, "administrator", name="Bea Collega")
    form_page = contact_client.get(f"/companies/{company.id}/activities/new").get_data(as_text=True)
    assert 'name="title"' in form_page and "Bea Collega" in form_page

    response = contact_client.post(
        f"/companies/{company.id}/activities/new",
        data=activity_form(contact_id=str(colleague.id)),
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    activity = db.session.query(Activity).one()
    assert response.location == f"/activities/{activity.id}/slots"
    assert activity.company_id == company.id and activity.status == "draft"
    assert (activity.kind, activity.title) == ("workshop", "Lassen en solderen")
    assert activity.description == "Regel een\nRegel <twee>\n\nNieuwe alinea"
    assert activity.years == {"3", "4"} and activity.paths == {"BB", "KB"}
    assert activity.profiles == {"PIE"} and activity.sectors == {"metal", "energy"}
    assert (activity.duration_minutes, activity.max_group_size, activity.min_notice_days) == (
        90,
        16,
        10,
    )
    assert activity.requires_approval is True
    assert activity.contact_id == colleague.id
    assert activity.city == company.city  # empty address: the company's own


def test_the_form_shows_errors_at_their_fields_with_status_422(contact_client, company, db):
    # Errors of the form itself.
    response = contact_client.post(
        f"/companies/{company.id}/activities/new",
        data=activity_form(title="", max_group_size="veel", kind="party"),
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert field_errors(page, "title") and field_errors(page, "max_group_size")
    assert field_errors(page, "kind")
    assert 'value="Regel een' not in page  # a textarea keeps its text inside, escaped
    assert "Regel &lt;twee&gt;" in page

    # Errors the service finds, at the field they concern.
    for changes, field, message in [
        ({"years": []}, "years", "Choose at least one school year."),
        ({"paths": []}, "paths", "Choose at least one learning path."),
        ({"max_group_size": "0"}, "max_group_size", "The largest group is at least one student."),
        ({"postcode": "12"}, "postcode", None),
    ]:
        response = contact_client.post(
            f"/companies/{company.id}/activities/new", data=activity_form(**changes)
        )
        assert response.status_code == 422, field
        errors = field_errors(response.get_data(as_text=True), field)
        assert errors, field
        if message:
            assert errors == [dutch(message)]
    assert db.session.query(Activity).count() == 0


def test_a_contact_person_of_another_organisation_is_refused(contact_client, company, db):
    stranger = factories.user(factories.company(), "contact")
    response = contact_client.post(
        f"/companies/{company.id}/activities/new", data=activity_form(contact_id=str(stranger.id))
    )
    assert response.status_code == 422
    assert field_errors(response.get_data(as_text=True), "contact_id")
    assert db.session.query(Activity).count() == 0


def test_editing_shows_the_current_values_and_saves_changes(contact_client, company, db, events):
    activity = factories.activity(
        company, status="draft", title="Oude titel", years=frozenset({"2"})
    )
    page = contact_client.get(f"/activities/{activity.id}/edit").get_data(as_text=True)
    assert 'value="Oude titel"' in page
    assert 'checked id="years-1" name="years" type="checkbox" value="2"' in page

    response = contact_client.post(
        f"/activities/{activity.id}/edit", data=activity_form(title="Nieuwe titel", years=["1"])
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert activity.title == "Nieuwe titel" and activity.years == {"1"}
    assert events("ActivityChanged")


def test_editing_an_archived_activity_is_refused_in_the_form(contact_client, company, db):
    activity = factories.activity(company, status="archived", title="Archief")
    response = contact_client.post(
        f"/activities/{activity.id}/edit", data=activity_form(title="Toch")
    )
    assert response.status_code == 422
    assert form_errors(response.get_data(as_text=True)) == [
        dutch("An archived activity cannot be changed.")
    ]
    db.session.expire_all()
    assert activity.title == "Archief"


# --- publishing and archiving ------------------------------------------------------


def test_publish_and_archive_buttons(contact_client, company, db, events):
    activity = factories.activity(company, status="draft")
    slots_page = contact_client.get(f"/activities/{activity.id}/slots").get_data(as_text=True)
    assert f'action="/activities/{activity.id}/publish"' in slots_page

    response = contact_client.post(f"/activities/{activity.id}/publish")
    assert response.status_code == 303
    db.session.expire_all()
    assert activity.status == "published"

    response = contact_client.post(f"/activities/{activity.id}/archive")
    assert response.status_code == 303 and response.location == "/our-activities"
    db.session.expire_all()
    assert activity.status == "archived"
    assert [e.name for e in events()] == ["ActivityPublished", "ActivityArchived"]


def test_publishing_before_approval_is_refused_with_a_message(app, db):
    pending = factories.company(status="pending")
    person = factories.user(pending, "contact")
    client = login(app.test_client(), person)
    activity = factories.activity(pending, status="draft")

    slots_page = client.get(f"/activities/{activity.id}/slots").get_data(as_text=True)
    assert f'action="/activities/{activity.id}/publish"' not in slots_page
    assert "not-approved" in slots_page

    response = client.post(f"/activities/{activity.id}/publish")
    assert response.status_code == 303
    page = client.get(response.location).get_data(as_text=True)
    assert flashes(page, "error") == [
        dutch("Your organisation can publish once a coordinator has approved it.")
    ]
    db.session.expire_all()
    assert activity.status == "draft"


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/activities/{a}/edit"),
        ("post", "/activities/{a}/edit"),
        ("post", "/activities/{a}/publish"),
        ("post", "/activities/{a}/archive"),
        ("get", "/activities/{a}/slots"),
        ("post", "/activities/{a}/slots"),
        ("post", "/activities/{a}/slots/series"),
        ("get", "/slots/{s}/reschedule"),
        ("post", "/slots/{s}/reschedule"),
        ("get", "/slots/{s}/cancel"),
        ("post", "/slots/{s}/cancel"),
        ("get", "/companies/{c}/activities/new"),
        ("post", "/companies/{c}/activities/new"),
    ],
)
def test_another_companys_activity_is_not_found(contact_client, db, method, path, events):
    other_company = factories.company()
    other = factories.activity(other_company, status="draft", title="Niet van jou")
    slot = factories.slot(other)
    url = path.format(a=other.id, s=slot.id, c=other_company.id)
    response = getattr(contact_client, method)(
        url, data={"title": "Overgenomen", "reason": "weg", "slot-capacity": "1"}
    )
    assert response.status_code == 404
    db.session.expire_all()
    assert (other.title, other.status) == ("Niet van jou", "draft")
    assert (slot.status, slot.capacity) == ("open", 30)
    assert events() == []


def test_teachers_and_coordinators_cannot_manage_activities(teacher_client, coordinator_client, db):
    activity = factories.activity(factories.company(), status="draft")
    for client in (teacher_client, coordinator_client):
        assert client.get(f"/activities/{activity.id}/edit").status_code == 404
        assert client.post(f"/activities/{activity.id}/publish").status_code == 404


# --- slots --------------------------------------------------------------------------


def test_adding_a_date_in_local_time(contact_client, company, db):
    activity = factories.activity(company)
    day = next_weekday(2)
    response = contact_client.post(
        f"/activities/{activity.id}/slots",
        data={
            "slot-day": day.isoformat(),
            "slot-start": "09:30",
            "slot-end": "12:00",
            "slot-capacity": "24",
        },
    )
    assert response.status_code == 303, response.get_data(as_text=True)
    slot = db.session.query(Slot).one()
    assert slot.starts_at == local_to_utc(datetime.combine(day, time(9, 30)))
    assert slot.ends_at == local_to_utc(datetime.combine(day, time(12)))
    assert slot.capacity == 24

    page = contact_client.get(response.location).get_data(as_text=True)
    assert f'data-slot="{slot.id}"' in page.split('id="upcoming-slots"')[1]
    assert flashes(page, "success")


def test_a_date_in_the_holidays_is_added_with_a_warning(contact_client, company, db):
    day = next_weekday(1, weeks_ahead=3)
    db.session.add(
        SchoolHoliday(
            region="noord", name="Meivakantie", start_date=day, end_date=day + timedelta(days=6)
        )
    )
    db.session.commit()
    activity = factories.activity(company)
    response = contact_client.post(
        f"/activities/{activity.id}/slots",
        data={
            "slot-day": day.isoformat(),
            "slot-start": "10:00",
            "slot-end": "11:00",
            "slot-capacity": "10",
        },
    )
    assert response.status_code == 303
    page = contact_client.get(response.location).get_data(as_text=True)
    [warning] = flashes(page, "warning")
    assert "Meivakantie" in warning
    assert db.session.query(Slot).count() == 1


@pytest.mark.parametrize(
    ("changes", "field_id"),
    [
        ({"slot-end": "08:00"}, "slot-end"),  # ends before it starts
        ({"slot-day": "2001-01-01"}, "slot-day"),  # in the past
        ({"slot-day": "0001-01-01"}, "slot-day"),  # not a sensible date at all
        ({"slot-day": "morgen"}, "slot-day"),
        ({"slot-capacity": "0"}, "slot-capacity"),
        ({"slot-capacity": "99999999999"}, "slot-capacity"),
        ({"slot-start": ""}, "slot-start"),
    ],
)
def test_a_bad_date_gives_a_field_error(contact_client, company, db, changes, field_id):
    activity = factories.activity(company)
    data = {
        "slot-day": next_weekday(3).isoformat(),
        "slot-start": "09:00",
        "slot-end": "10:00",
        "slot-capacity": "10",
    }
    data.update(changes)
    response = contact_client.post(f"/activities/{activity.id}/slots", data=data)
    assert response.status_code == 422
    assert field_errors(response.get_data(as_text=True), field_id)
    assert db.session.query(Slot).count() == 0


def test_adding_a_series_skips_holidays_and_warns(contact_client, company, db):
    first = next_weekday(0, weeks_ahead=2)  # a Monday
    last = first + timedelta(days=27)  # four weeks
    db.session.add(
        SchoolHoliday(
            region="noord",
            name="Kerstvakantie",
            start_date=first + timedelta(days=7),
            end_date=first + timedelta(days=13),
        )
    )
    db.session.commit()
    activity = factories.activity(company)
    response = contact_client.post(
        f"/activities/{activity.id}/slots/series",
        data={
            "series-first_day": first.isoformat(),
            "series-last_day": last.isoformat(),
            "series-weekdays": ["1", "3"],
            "series-start": "13:00",
            "series-end": "15:30",
            "series-capacity": "12",
            "series-skip_holidays": "y",
        },
    )
    assert response.status_code == 303, response.get_data(as_text=True)
    days = sorted(to_local(s.starts_at).date() for s in db.session.query(Slot))
    # Tuesdays and Thursdays of weeks one, three and four.
    assert days == [first + timedelta(days=d) for d in (1, 3, 15, 17, 22, 24)]
    page = contact_client.get(response.location).get_data(as_text=True)
    assert flashes(page, "warning") == ["2 data in de schoolvakantie zijn overgeslagen."]


def test_a_series_without_weekdays_is_refused(contact_client, company, db):
    activity = factories.activity(company)
    first = next_weekday(0)
    response = contact_client.post(
        f"/activities/{activity.id}/slots/series",
        data={
            "series-first_day": first.isoformat(),
            "series-last_day": (first + timedelta(days=10)).isoformat(),
            "series-start": "13:00",
            "series-end": "15:30",
            "series-capacity": "12",
        },
    )
    assert response.status_code == 422
    assert field_errors(response.get_data(as_text=True), "series-weekdays") == [
        dutch("Choose at least one weekday.")
    ]
    assert db.session.query(Slot).count() == 0


def test_rescheduling_a_date(contact_client, company, db, events):
    activity = factories.activity(company)
    day = next_weekday(4)
    slot = factories.slot(
        activity, starts_at=local_to_utc(datetime.combine(day, time(10))), capacity=20, taken=12
    )
    db.session.commit()  # a refused change rolls back

    page = contact_client.get(f"/slots/{slot.id}/reschedule").get_data(as_text=True)
    assert f'value="{day.isoformat()}"' in page and 'value="10:00"' in page
    assert 'value="12:00"' in page and 'value="20"' in page

    too_small = contact_client.post(
        f"/slots/{slot.id}/reschedule",
        data={"day": day.isoformat(), "start": "10:00", "end": "12:00", "capacity": "11"},
    )
    assert too_small.status_code == 422
    assert field_errors(too_small.get_data(as_text=True), "capacity") == [
        "Boekingen bezetten 12 plaatsen; de capaciteit kan niet lager."
    ]

    new_day = day + timedelta(days=7)
    response = contact_client.post(
        f"/slots/{slot.id}/reschedule",
        data={
            "day": new_day.isoformat(),
            "start": "13:00",
            "end": "14:30",
            "capacity": "12",
            "reason": "Hal bezet",
        },
    )
    assert response.status_code == 303
    db.session.expire_all()
    assert slot.starts_at == local_to_utc(datetime.combine(new_day, time(13)))
    assert slot.capacity == 12 and slot.revision == 1
    assert events("SlotRescheduled")[0].payload["reason"] == "Hal bezet"


def test_cancelling_a_date_needs_a_reason(contact_client, company, db):
    slot = factories.slot(factories.activity(company))
    db.session.commit()  # a refused change rolls back
    assert contact_client.get(f"/slots/{slot.id}/cancel").status_code == 200

    response = contact_client.post(f"/slots/{slot.id}/cancel", data={"reason": "  "})
    assert response.status_code == 422
    assert field_errors(response.get_data(as_text=True), "reason") == [
        dutch("Give a reason: the schools will read it.")
    ]
    db.session.expire_all()
    assert slot.status == "open"

    response = contact_client.post(f"/slots/{slot.id}/cancel", data={"reason": "Storm"})
    assert response.status_code == 303
    db.session.expire_all()
    assert (slot.status, slot.cancel_reason) == ("cancelled", "Storm")
    page = contact_client.get(response.location).get_data(as_text=True)
    assert "Storm" in page


def test_the_pages_forms_carry_the_csrf_token(contact_client, company, db, csrf_enabled):
    import re

    activity = factories.activity(company, status="draft")
    assert contact_client.post(f"/activities/{activity.id}/publish").status_code == 400

    page = contact_client.get(f"/activities/{activity.id}/slots").get_data(as_text=True)
    publish_form = page.split(f'action="/activities/{activity.id}/publish"')[1].split("</form>")[0]
    token = re.search(r'name="csrf_token" value="([^"]+)"', publish_form).group(1)
    response = contact_client.post(f"/activities/{activity.id}/publish", data={"csrf_token": token})
    assert response.status_code == 303
    db.session.expire_all()
    assert activity.status == "published"

    add_form = page.split('id="add-slot"')[1].split("</form>")[0]
    assert re.search(
        r'id="slot-csrf_token" name="slot-csrf_token" type="hidden" value="[^"]+"', add_form
    )
