"""/api/v1/slots/{id}/bookings and /api/v1/bookings: booking for a group, and
the company's and school's answers."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.accounts.models import Membership
from app.bookings.models import Booking
from app.catalogue.models import Slot
from tests import factories
from tests.api.helpers import GROUP, api_as, error_of, invalid_fields


def book(api, slot, headers=None, **values):
    return api.post(f"/slots/{slot.id}/bookings", json={**GROUP, **values}, headers=headers)


def bookings_in_db(db) -> int:
    return db.session.scalar(select(func.count()).select_from(Booking))


def taken(db, slot) -> int:
    return db.session.scalar(select(Slot.taken).where(Slot.id == slot.id))


# --- booking --------------------------------------------------------------------------


def test_a_teacher_books_a_group(world, db):
    response = book(world.as_teacher, world.slot, remarks="  Twee begeleiders  ")

    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["status"] == "requested"
    assert body["school"] == {"id": world.school.id, "name": "Vakcollege Enschede"}
    assert body["company"] == {"id": world.company.id, "name": "Draaierij Delden"}
    assert (body["group_size"], body["year"], body["path"], body["profile"]) == (
        20,
        "3",
        "KB",
        "PIE",
    )
    assert body["slot_taken"] == 20 and body["slot_capacity"] == 30
    assert body["remarks"] == "Twee begeleiders"
    assert body["teacher"]["name"] == "Docent Een"
    assert body["company_contact"] == {
        "name": "Contact Een",
        "email": world.contact.email,
        "phone": "053-1234567",
    }
    assert body["warnings"] == []
    assert body["starts_at"] == world.slot.starts_at.isoformat() + "Z"
    assert taken(db, world.slot) == 20


def test_without_approval_a_booking_is_confirmed_at_once(world, db):
    world.activity.requires_approval = False
    db.session.commit()
    assert book(world.as_teacher, world.slot).get_json()["status"] == "confirmed"


def test_an_overlapping_booking_of_the_same_school_is_a_warning(world, db):
    other = factories.slot(
        factories.activity(world.other_company),
        starts_at=world.slot.starts_at + timedelta(minutes=30),
    )
    db.session.commit()
    assert book(world.as_teacher, world.slot, group_size=10).status_code == 201

    response = book(world.as_teacher, other, group_size=10)

    assert response.status_code == 201
    [warning] = response.get_json()["warnings"]
    assert warning


def test_a_full_slot_refuses_unless_the_group_may_wait(world, db):
    assert book(world.as_teacher, world.slot, group_size=25).status_code == 201

    refused = book(world.as_other_teacher, world.slot, group_size=10)
    error_of(refused, 409, "full")
    assert refused.get_json()["error"]["field"] == "group_size"

    waiting = book(world.as_other_teacher, world.slot, group_size=10, accept_waitlist=True)
    assert waiting.status_code == 201
    assert waiting.get_json()["status"] == "waitlisted"
    assert waiting.get_json()["slot_taken"] == 25
    assert bookings_in_db(db) == 2


@pytest.mark.parametrize(
    "values, field",
    [
        ({"group_size": 0}, "group_size"),
        ({"group_size": -5}, "group_size"),
        ({"group_size": 31}, "group_size"),  # the activity takes at most 30
        ({"group_size": 5000}, "group_size"),
        ({"group_size": "20"}, "group_size"),
        ({"group_size": 20.5}, "group_size"),
        ({"group_size": True}, "group_size"),
        ({"group_size": None}, "group_size"),
        ({"year": "5"}, "year"),
        ({"year": 3}, "year"),
        ({"path": "VWO"}, "path"),
        ({"profile": "XYZ"}, "profile"),
        ({"profile": None}, "profile"),  # year 3 of a profiled activity
        ({"profile": "MVI"}, "profile"),  # a profile the activity does not target
        ({"accept_waitlist": "yes"}, "accept_waitlist"),
        ({"remarks": "x" * 2001}, "remarks"),
        ({"students": ["Piet"]}, "students"),
    ],
)
def test_bad_groups_are_422_on_the_field(world, db, values, field):
    response = book(world.as_teacher, world.slot, **values)
    assert field in invalid_fields(response)
    assert bookings_in_db(db) == 0


def test_a_year_or_path_the_activity_does_not_target(world, db):
    world.activity.years = frozenset({"1", "2"})
    world.activity.paths = frozenset({"TL"})
    db.session.commit()
    assert invalid_fields(book(world.as_teacher, world.slot, year="3", path="TL")) == {"year"}
    assert invalid_fields(book(world.as_teacher, world.slot, year="1", path="KB")) == {"path"}
    assert book(world.as_teacher, world.slot, year="1", path="TL", profile=None).status_code == 201


def test_required_group_fields(world):
    response = world.as_teacher.post(f"/slots/{world.slot.id}/bookings", json={})
    assert invalid_fields(response) == {"group_size", "year", "path"}


@pytest.mark.parametrize("data", ["{oops", "[]", "42"])
def test_a_body_that_is_no_json_object(world, db, data):
    response = world.as_teacher.post(
        f"/slots/{world.slot.id}/bookings", data=data, headers={"Content-Type": "application/json"}
    )
    error_of(response, 400, "invalid_json")
    assert bookings_in_db(db) == 0


def test_slots_that_take_no_bookings(world, db):
    past = factories.slot(world.activity, days_ahead=-2)
    too_soon = factories.slot(world.activity, days_ahead=3)  # notice is 7 days
    cancelled = factories.slot(world.activity, status="cancelled")
    db.session.commit()
    error_of(book(world.as_teacher, past), 409, "slot_past")
    error_of(book(world.as_teacher, too_soon), 409, "too_late")
    error_of(book(world.as_teacher, cancelled), 409, "slot_cancelled")
    assert bookings_in_db(db) == 0


def test_only_people_of_a_school_book_and_only_what_they_can_see(world, db):
    draft_slot = factories.slot(factories.activity(world.company, status="draft"))
    db.session.commit()
    error_of(book(world.anonymous, world.slot), 401, "unauthorized")
    error_of(book(world.as_contact, world.slot), 403, "forbidden")
    error_of(book(world.as_coordinator, world.slot), 403, "forbidden")
    error_of(book(world.as_teacher, draft_slot), 404, "not_found")
    error_of(world.as_teacher.post("/slots/99999/bookings", json=GROUP), 404, "not_found")


def test_school_and_teacher_of_a_person_at_two_schools(world, db):
    db.session.add(Membership(user=world.teacher, organisation=world.other_school, role="teacher"))
    colleague = factories.user(world.other_school, "teacher", name="Collega")
    db.session.commit()

    assert invalid_fields(book(world.as_teacher, world.slot)) == {"school_id"}
    assert invalid_fields(book(world.as_teacher, world.slot, school_id=factories.school().id)) == {
        "school_id"
    }
    assert invalid_fields(
        book(
            world.as_teacher,
            world.slot,
            school_id=world.other_school.id,
            teacher_id=world.other_contact.id,
        )
    ) == {"teacher_id"}
    response = book(
        world.as_teacher, world.slot, school_id=world.other_school.id, teacher_id=colleague.id
    )
    assert response.status_code == 201
    assert response.get_json()["school"]["id"] == world.other_school.id
    assert response.get_json()["teacher"]["name"] == "Collega"


# --- the Idempotency-Key header -------------------------------------------------------


def test_the_same_key_twice_makes_one_booking(world, db):
    key = {"Idempotency-Key": "b5b2a7c0-1a2b-4c3d-9e8f-001122334455"}

    first = book(world.as_teacher, world.slot, headers=key)
    again = book(world.as_teacher, world.slot, headers=key)

    assert first.status_code == 201
    assert again.status_code == 200
    assert again.get_json()["id"] == first.get_json()["id"]
    assert bookings_in_db(db) == 1
    assert taken(db, world.slot) == 20


def test_different_keys_make_two_bookings(world, db):
    first = book(world.as_teacher, world.slot, group_size=10, headers={"Idempotency-Key": "a"})
    second = book(world.as_teacher, world.slot, group_size=10, headers={"Idempotency-Key": "b"})
    unkeyed = book(world.as_teacher, world.slot, group_size=10)

    assert [r.status_code for r in (first, second, unkeyed)] == [201, 201, 201]
    assert len({r.get_json()["id"] for r in (first, second, unkeyed)}) == 3
    assert taken(db, world.slot) == 30


def test_a_key_belongs_to_its_sender(world, db):
    key = {"Idempotency-Key": "shared-key"}
    mine = book(world.as_teacher, world.slot, group_size=10, headers=key)
    theirs = book(world.as_other_teacher, world.slot, group_size=10, headers=key)
    assert mine.status_code == theirs.status_code == 201
    assert mine.get_json()["id"] != theirs.get_json()["id"]


def test_a_replay_answers_even_when_the_slot_filled_up_meanwhile(world, db):
    key = {"Idempotency-Key": "retry-me"}
    first = book(world.as_teacher, world.slot, group_size=20, headers=key)
    book(world.as_other_teacher, world.slot, group_size=10)

    again = book(world.as_teacher, world.slot, group_size=20, headers=key)

    assert again.status_code == 200 and again.get_json()["id"] == first.get_json()["id"]


def test_a_key_used_for_another_slot_is_a_conflict(world, db):
    other = factories.slot(world.activity, days_ahead=30)
    db.session.commit()
    key = {"Idempotency-Key": "one-use"}
    assert book(world.as_teacher, world.slot, headers=key).status_code == 201
    error_of(book(world.as_teacher, other, headers=key), 409, "idempotency_key_reused")
    assert bookings_in_db(db) == 1


def test_an_overlong_key_is_refused(world, db):
    response = book(world.as_teacher, world.slot, headers={"Idempotency-Key": "k" * 65})
    assert invalid_fields(response) == {"idempotency_key"}
    assert bookings_in_db(db) == 0


# --- reading bookings -----------------------------------------------------------------


@pytest.fixture
def two_bookings(world, db):
    """One booking of each school on world.slot, and one on another company's slot."""
    mine = book(world.as_teacher, world.slot, group_size=10).get_json()
    theirs = book(world.as_other_teacher, world.slot, group_size=10).get_json()
    elsewhere = factories.slot(factories.activity(world.other_company))
    db.session.commit()
    third = book(world.as_teacher, elsewhere, group_size=10).get_json()
    return mine, theirs, third


def listed(api, query="") -> list[int]:
    response = api.get(f"/bookings{query}")
    assert response.status_code == 200, response.get_data(as_text=True)
    return [b["id"] for b in response.get_json()["items"]]


def test_everyone_lists_the_bookings_they_may_see(world, two_bookings):
    mine, theirs, third = (b["id"] for b in two_bookings)
    assert listed(world.as_teacher) == [third, mine]
    assert listed(world.as_other_teacher) == [theirs]
    assert listed(world.as_contact) == [theirs, mine]
    assert listed(world.as_other_contact) == [third]
    assert listed(world.as_coordinator) == [third, theirs, mine]
    error_of(world.anonymous.get("/bookings"), 401, "unauthorized")


def test_bookings_filter_by_status_and_slot_and_paginate(world, db, two_bookings):
    mine, theirs, third = (b["id"] for b in two_bookings)
    world.as_contact.post(f"/bookings/{mine}/confirm")

    assert listed(world.as_coordinator, "?status=confirmed") == [mine]
    assert listed(world.as_coordinator, "?status=confirmed&status=requested") == [
        third,
        theirs,
        mine,
    ]
    assert listed(world.as_coordinator, f"?slot_id={world.slot.id}") == [theirs, mine]
    page = world.as_coordinator.get("/bookings?per_page=2").get_json()
    assert [b["id"] for b in page["items"]] == [third, theirs] and page["has_next"] is True
    page = world.as_coordinator.get("/bookings?per_page=2&page=2").get_json()
    assert [b["id"] for b in page["items"]] == [mine] and page["has_next"] is False
    for query in (
        "?status=lost",
        "?per_page=500",
        "?page=-1",
        "?slot_id=abc",
        "?slot_id=99999999999",
    ):
        error_of(world.as_coordinator.get(f"/bookings{query}"), 422, "invalid")


def test_a_booking_is_for_its_parties_and_coordinators_only(world, two_bookings):
    mine = two_bookings[0]["id"]
    for api in (world.as_teacher, world.as_contact, world.as_coordinator):
        body = api.get(f"/bookings/{mine}").get_json()
        assert body["id"] == mine and body["slot_taken"] == 20 and body["slot_capacity"] == 30
    for api in (world.as_other_teacher, world.as_other_contact):
        error_of(api.get(f"/bookings/{mine}"), 404, "not_found")
    error_of(world.anonymous.get(f"/bookings/{mine}"), 401)
    error_of(world.as_coordinator.get("/bookings/123456"), 404, "not_found")


# --- confirming, declining, cancelling -----------------------------------------------


def test_the_company_confirms(world, two_bookings):
    mine = two_bookings[0]["id"]
    error_of(world.as_other_contact.post(f"/bookings/{mine}/confirm"), 404, "not_found")
    error_of(world.as_teacher.post(f"/bookings/{mine}/confirm"), 403, "forbidden")
    error_of(world.as_coordinator.post(f"/bookings/{mine}/confirm"), 403, "forbidden")

    response = world.as_contact.post(f"/bookings/{mine}/confirm")

    assert response.status_code == 200
    assert response.get_json()["status"] == "confirmed"
    assert response.get_json()["slot_taken"] == 20
    # Confirming twice is harmless; a declined booking cannot be confirmed.
    assert world.as_contact.post(f"/bookings/{mine}/confirm").status_code == 200
    theirs = two_bookings[1]["id"]
    world.as_contact.post(f"/bookings/{theirs}/decline", json={"reason": "Vol"})
    error_of(world.as_contact.post(f"/bookings/{theirs}/confirm"), 409, "invalid_state")


def test_declining_frees_places_and_promotes_the_waiting_list(world, db):
    big = book(world.as_teacher, world.slot, group_size=25).get_json()
    waiting = book(
        world.as_other_teacher, world.slot, group_size=10, accept_waitlist=True
    ).get_json()
    assert waiting["status"] == "waitlisted"

    error_of(world.as_contact.post(f"/bookings/{big['id']}/decline", json={"reason": " "}), 422)
    error_of(world.as_contact.post(f"/bookings/{big['id']}/decline", json={}), 422, "invalid")
    error_of(
        world.as_other_contact.post(f"/bookings/{big['id']}/decline", json={"reason": "Nee"}), 404
    )
    response = world.as_contact.post(
        f"/bookings/{big['id']}/decline", json={"reason": "Te grote groep"}
    )

    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "declined" and body["decline_reason"] == "Te grote groep"
    assert body["slot_taken"] == 10
    promoted = world.as_other_teacher.get(f"/bookings/{waiting['id']}").get_json()
    assert promoted["status"] == "requested"
    assert taken(db, world.slot) == 10


def test_the_school_cancels_its_booking(world, db, two_bookings):
    mine = two_bookings[0]["id"]
    error_of(world.as_other_teacher.post(f"/bookings/{mine}/cancel", json={"reason": "x"}), 404)
    error_of(world.as_contact.post(f"/bookings/{mine}/cancel", json={"reason": "x"}), 403)
    assert "reason" in invalid_fields(
        world.as_teacher.post(f"/bookings/{mine}/cancel", json={"reason": ""})
    )

    response = world.as_teacher.post(f"/bookings/{mine}/cancel", json={"reason": "Toetsweek"})

    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "cancelled" and body["cancelled_by"] == "school"
    assert body["cancel_reason"] == "Toetsweek" and body["slot_taken"] == 10
    error_of(
        world.as_teacher.post(f"/bookings/{mine}/cancel", json={"reason": "Nogmaals"}),
        409,
        "invalid_state",
    )


def test_another_person_of_the_same_school_may_cancel(app, world, db, two_bookings):
    colleague = factories.user(world.school, "teacher")
    response = api_as(app, db, colleague).post(
        f"/bookings/{two_bookings[0]['id']}/cancel", json={"reason": "Ziekte"}
    )
    assert response.status_code == 200


@pytest.mark.commits
def test_the_same_key_sent_at_once_from_many_threads_makes_one_booking(app, world, db):
    """Retries that overtake each other: every request answers with the one booking."""
    from concurrent.futures import ThreadPoolExecutor

    headers = {**world.as_teacher.headers, "Idempotency-Key": "double-click"}
    slot_id = world.slot.id
    path = f"/api/v1/slots/{slot_id}/bookings"

    def send(_n):
        # Its own client and, outside the test's app context, its own session.
        with app.test_client() as client:
            response = client.post(path, json=GROUP, headers=headers)
            return response.status_code, response.get_json()

    db.session.remove()
    with ThreadPoolExecutor(max_workers=6) as pool:
        answers = list(pool.map(send, range(6)))

    statuses = sorted(status for status, _body in answers)
    assert statuses == [200] * 5 + [201], answers
    assert len({body["id"] for _status, body in answers}) == 1
    assert bookings_in_db(db) == 1
    assert db.session.scalar(select(Slot.taken).where(Slot.id == slot_id)) == 20
