"""/api/v1/activities/{id}/slots and /api/v1/slots/{id}: dated slots and their places."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import select

from app.bookings.models import Booking
from app.catalogue.models import Slot
from app.events.models import EventLogEntry
from app.holidays.models import SchoolHoliday
from tests import factories
from tests.api.helpers import GROUP, error_of, invalid_fields

WINTER = {"starts_at": "2031-01-14T10:00", "ends_at": "2031-01-14T12:30", "capacity": 24}


def add(api, activity_id, **values):
    return api.post(f"/activities/{activity_id}/slots", json={**WINTER, **values})


def test_naive_times_are_amsterdam_local_time(world, db):
    response = add(world.as_contact, world.activity.id)

    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    # 10:00 in Amsterdam in January is 09:00 UTC.
    assert body["starts_at"] == "2031-01-14T09:00:00Z"
    assert body["ends_at"] == "2031-01-14T11:30:00Z"
    assert body["capacity"] == 24 and body["taken"] == 0 and body["free_places"] == 24
    assert body["status"] == "open" and body["warnings"] == []
    assert body["bookings"] == []
    stored = db.session.get(Slot, body["id"])
    assert stored.starts_at == datetime(2031, 1, 14, 9, 0)
    assert "SlotAdded" in db.session.scalars(select(EventLogEntry.name)).all()


def test_times_with_an_offset_are_taken_as_given(world):
    body = add(
        world.as_contact,
        world.activity.id,
        starts_at="2031-07-15T10:00:00+02:00",
        ends_at="2031-07-15T09:30:00Z",
    ).get_json()
    assert body["starts_at"] == "2031-07-15T08:00:00Z"
    assert body["ends_at"] == "2031-07-15T09:30:00Z"


def test_a_slot_in_the_school_holidays_comes_with_a_warning(world, db):
    db.session.add(
        SchoolHoliday(
            region="noord",
            name="Kerstvakantie",
            start_date=date(2031, 12, 20),
            end_date=date(2032, 1, 4),
        )
    )
    db.session.commit()
    response = add(
        world.as_contact,
        world.activity.id,
        starts_at="2031-12-23T10:00",
        ends_at="2031-12-23T12:00",
    )
    assert response.status_code == 201
    [warning] = response.get_json()["warnings"]
    assert "Kerstvakantie" in warning


@pytest.mark.parametrize(
    "values, field",
    [
        ({"ends_at": "2031-01-14T09:00"}, "ends_at"),
        ({"ends_at": "2031-01-14T10:00"}, "ends_at"),
        ({"starts_at": "2020-01-14T10:00", "ends_at": "2020-01-14T12:00"}, "starts_at"),
        ({"capacity": 0}, "capacity"),
        ({"capacity": -3}, "capacity"),
        ({"capacity": "24"}, "capacity"),
        ({"capacity": 10**9}, "capacity"),
        ({"capacity": None}, "capacity"),
        ({"starts_at": 1925000000}, "starts_at"),
        ({"starts_at": "morgen om tien"}, "starts_at"),
        ({"starts_at": "0001-01-01T00:00:00"}, "starts_at"),
        ({"ends_at": "9999-12-31T23:59:59-05:00"}, "ends_at"),
        ({"starts_at": "2031-01-14T10:00+25:00"}, "starts_at"),
        ({"series": True}, "series"),
    ],
)
def test_bad_slots_are_422_on_the_field(world, values, field):
    assert field in invalid_fields(add(world.as_contact, world.activity.id, **values))


def test_missing_slot_fields(world):
    response = world.as_contact.post(f"/activities/{world.activity.id}/slots", json={})
    assert invalid_fields(response) == {"starts_at", "ends_at", "capacity"}


def test_only_the_company_adds_slots(world, db):
    draft = factories.activity(world.company, status="draft")
    archived = factories.activity(world.company, status="archived")
    db.session.commit()
    error_of(add(world.anonymous, world.activity.id), 401)
    error_of(add(world.as_other_contact, world.activity.id), 403, "forbidden")
    error_of(add(world.as_teacher, world.activity.id), 403, "forbidden")
    error_of(add(world.as_other_contact, draft.id), 404, "not_found")
    error_of(add(world.as_contact, 424242), 404, "not_found")
    error_of(add(world.as_contact, archived.id), 422, "archived")
    assert add(world.as_contact, draft.id).status_code == 201


# --- reading a slot -------------------------------------------------------------------


def test_a_slot_shows_its_places_and_to_its_company_the_bookings(world, db):
    assert world.as_teacher.post(f"/slots/{world.slot.id}/bookings", json=GROUP).status_code == 201
    path = f"/slots/{world.slot.id}"

    public = world.anonymous.get(path).get_json()
    assert public["capacity"] == 30 and public["taken"] == 20 and public["free_places"] == 10
    assert public["activity_id"] == world.activity.id
    assert public["company"]["name"] == "Draaierij Delden"
    assert public["bookings"] is None
    for api in (world.as_teacher, world.as_other_contact):
        assert api.get(path).get_json()["bookings"] is None

    for api in (world.as_contact, world.as_coordinator):
        [booking] = api.get(path).get_json()["bookings"]
        assert booking["school"] == {"id": world.school.id, "name": "Vakcollege Enschede"}
        assert booking["group_size"] == 20 and booking["status"] == "requested"
        assert (booking["year"], booking["path"], booking["profile"]) == ("3", "KB", "PIE")


def test_slots_of_drafts_are_hidden_like_their_activity(world, db):
    draft_slot = factories.slot(factories.activity(world.company, status="draft"))
    db.session.commit()
    error_of(world.anonymous.get(f"/slots/{draft_slot.id}"), 404, "not_found")
    error_of(world.as_other_contact.get(f"/slots/{draft_slot.id}"), 404, "not_found")
    assert world.as_contact.get(f"/slots/{draft_slot.id}").status_code == 200
    error_of(world.anonymous.get("/slots/31337"), 404, "not_found")


# --- rescheduling ---------------------------------------------------------------------


def test_a_new_start_keeps_the_length_and_raises_the_revision(world, db):
    booking = world.as_teacher.post(f"/slots/{world.slot.id}/bookings", json=GROUP).get_json()
    length = world.slot.ends_at - world.slot.starts_at

    response = world.as_contact.patch(
        f"/slots/{world.slot.id}", json={"starts_at": "2031-02-03T13:00", "reason": "Verbouwing"}
    )

    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["starts_at"] == "2031-02-03T12:00:00Z"
    assert body["revision"] == 1 and body["warnings"] == []
    db.session.expire_all()
    slot = db.session.get(Slot, world.slot.id)
    assert slot.ends_at - slot.starts_at == length
    moved = world.as_teacher.get(f"/bookings/{booking['id']}").get_json()
    assert moved["starts_at"] == "2031-02-03T12:00:00Z"
    assert moved["revision"] > booking["revision"]
    [event] = db.session.scalars(
        select(EventLogEntry).where(EventLogEntry.name == "SlotRescheduled")
    ).all()
    assert event.payload["reason"] == "Verbouwing"


def test_capacity_cannot_go_below_the_places_taken(world):
    world.as_teacher.post(f"/slots/{world.slot.id}/bookings", json=GROUP)
    path = f"/slots/{world.slot.id}"

    response = world.as_contact.patch(path, json={"capacity": 19})
    assert invalid_fields(response) == {"capacity"}
    assert world.anonymous.get(path).get_json()["capacity"] == 30

    assert world.as_contact.patch(path, json={"capacity": 20}).get_json()["capacity"] == 20


def test_more_capacity_lets_the_waiting_list_move_up(world):
    world.as_teacher.post(f"/slots/{world.slot.id}/bookings", json=GROUP)
    waiting = world.as_other_teacher.post(
        f"/slots/{world.slot.id}/bookings", json={**GROUP, "accept_waitlist": True}
    ).get_json()
    assert waiting["status"] == "waitlisted"

    body = world.as_contact.patch(f"/slots/{world.slot.id}", json={"capacity": 40}).get_json()

    assert body["taken"] == 40
    after = world.as_other_teacher.get(f"/bookings/{waiting['id']}").get_json()
    assert after["status"] == "requested" and after["slot_taken"] == 40


@pytest.mark.parametrize(
    "change, field",
    [
        ({"ends_at": "2020-01-01T10:00"}, "ends_at"),
        ({"starts_at": "2020-01-01T10:00"}, "starts_at"),
        ({"starts_at": "2031-02-03T13:00", "ends_at": "2031-02-03T12:00"}, "ends_at"),
        ({"capacity": 0}, "capacity"),
        ({"capacity": "40"}, "capacity"),
        ({"starts_at": None}, "starts_at"),
        ({"reason": "x" * 2001}, "reason"),
        ({"status": "open"}, "status"),
    ],
)
def test_bad_reschedules_are_422(world, change, field):
    assert field in invalid_fields(world.as_contact.patch(f"/slots/{world.slot.id}", json=change))


def test_a_reschedule_must_change_something(world):
    error_of(world.as_contact.patch(f"/slots/{world.slot.id}", json={}), 422, "invalid")
    error_of(world.as_contact.patch(f"/slots/{world.slot.id}", json={"reason": "Zomaar"}), 422)


def test_only_the_company_reschedules_or_cancels(world):
    path = f"/slots/{world.slot.id}"
    for api in (world.as_other_contact, world.as_teacher, world.as_coordinator):
        error_of(api.patch(path, json={"capacity": 10}), 403, "forbidden")
        error_of(api.post(f"{path}/cancel", json={"reason": "Weg"}), 403, "forbidden")
    error_of(world.anonymous.post(f"{path}/cancel", json={"reason": "Weg"}), 401)
    error_of(world.as_contact.patch("/slots/777777", json={"capacity": 10}), 404)
    assert world.anonymous.get(path).get_json()["capacity"] == 30


# --- cancelling -----------------------------------------------------------------------


def test_cancelling_a_slot_cancels_its_bookings(world, db):
    booking = world.as_teacher.post(f"/slots/{world.slot.id}/bookings", json=GROUP).get_json()

    response = world.as_contact.post(
        f"/slots/{world.slot.id}/cancel", json={"reason": "Machine defect"}
    )

    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "cancelled" and body["cancel_reason"] == "Machine defect"
    assert body["taken"] == 0
    assert [b["status"] for b in body["bookings"]] == ["cancelled"]
    after = world.as_teacher.get(f"/bookings/{booking['id']}").get_json()
    assert after["status"] == "cancelled" and after["cancelled_by"] == "company"
    assert after["cancel_reason"] == "Machine defect"
    assert db.session.get(Booking, booking["id"]).status == "cancelled"
    # A cancelled slot is not rescheduled.
    error_of(
        world.as_contact.patch(f"/slots/{world.slot.id}", json={"capacity": 31}), 422, "cancelled"
    )


@pytest.mark.parametrize(
    "body, status",
    [
        ({"reason": "   "}, 422),
        ({}, 422),
        ({"reason": 5}, 422),
        ({"reason": "x" * 2001}, 422),
    ],
)
def test_a_cancellation_needs_a_reason(world, body, status):
    response = world.as_contact.post(f"/slots/{world.slot.id}/cancel", json=body)
    assert "reason" in invalid_fields(response)
    assert world.anonymous.get(f"/slots/{world.slot.id}").get_json()["status"] == "open"


def test_slot_times_are_returned_in_utc(world, db):
    soon = factories.slot(world.activity, starts_at=datetime(2031, 6, 1, 7, 30))
    db.session.commit()
    body = world.anonymous.get(f"/slots/{soon.id}").get_json()
    assert body["starts_at"] == "2031-06-01T07:30:00Z"
    assert body["ends_at"] == "2031-06-01T09:30:00Z"  # the factory's two hours
