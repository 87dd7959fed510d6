"""/api/v1: a waiting group's place in line, leaving the list, accepting an
offer, and the region's promotion rule."""

from __future__ import annotations

from datetime import timedelta

from app.bookings import service
from app.timeutil import utcnow
from tests import factories
from tests.api.helpers import GROUP, error_of, invalid_fields


def book(api, slot, **values):
    return api.post(f"/slots/{slot.id}/bookings", json={**GROUP, **values})


def test_a_waiting_booking_shows_its_place_and_leaves_the_list(world, db):
    slot = factories.slot(world.activity, capacity=10)
    db.session.commit()
    assert book(world.as_other_teacher, slot, group_size=10).status_code == 201
    waiting = book(world.as_teacher, slot, group_size=5, accept_waitlist=True).get_json()
    assert waiting["status"] == "waitlisted"
    assert waiting["waiting_list"] == {"position": 1, "of": 1, "rule": "first_come"}
    assert waiting["offer_expires_at"] is None

    other = world.as_other_teacher.post(f"/bookings/{waiting['id']}/leave-waiting-list")
    error_of(other, 404)
    company = world.as_contact.post(f"/bookings/{waiting['id']}/leave-waiting-list")
    error_of(company, 403)
    left = world.as_teacher.post(f"/bookings/{waiting['id']}/leave-waiting-list")
    assert left.status_code == 200
    assert left.get_json()["status"] == "cancelled"
    assert left.get_json()["waiting_list"] is None
    again = world.as_teacher.post(f"/bookings/{waiting['id']}/leave-waiting-list")
    error_of(again, 409, "invalid_state")


def test_an_offer_is_accepted_before_its_deadline(world, db):
    activity = factories.activity(world.company, min_notice_days=0, requires_approval=False)
    slot = factories.slot(activity, capacity=10, starts_at=utcnow() + timedelta(hours=20))
    db.session.commit()
    holding = book(world.as_other_teacher, slot, group_size=10).get_json()
    waiting = book(world.as_teacher, slot, group_size=5, accept_waitlist=True).get_json()
    error_of(world.as_teacher.post(f"/bookings/{waiting['id']}/accept-offer"), 409, "invalid_state")
    cancelled = world.as_other_teacher.post(
        f"/bookings/{holding['id']}/cancel", json={"reason": "Bus gaat niet"}
    )
    assert cancelled.status_code == 200
    offered = world.as_teacher.get(f"/bookings/{waiting['id']}").get_json()
    assert offered["status"] == "offered"
    assert offered["offer_expires_at"].endswith("Z")
    accepted = world.as_teacher.post(f"/bookings/{waiting['id']}/accept-offer")
    assert accepted.status_code == 200
    assert accepted.get_json()["status"] == "confirmed"
    assert accepted.get_json()["offer_expires_at"] is None


def test_a_lapsed_offer_answers_409(world, db):
    activity = factories.activity(world.company, min_notice_days=0)
    slot = factories.slot(activity, capacity=10, starts_at=utcnow() + timedelta(hours=20))
    holding = service.request_booking(
        world.other_teacher, slot, world.other_school, service.Group(10, "1", "BB")
    ).booking
    waiting = service.request_booking(
        world.teacher, slot, world.school, service.Group(5, "1", "BB"), accept_waitlist=True
    ).booking
    service.cancel_booking(world.other_teacher, holding, "Ziek")
    # The scheduler has not run yet, but the deadline has passed.
    waiting.offer_expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    late = world.as_teacher.post(f"/bookings/{waiting.id}/accept-offer")
    error_of(late, 409, "offer_lapsed")


def test_the_rule_is_read_by_everyone_and_set_by_coordinators(world):
    assert world.as_teacher.get("/waiting-list-rule").get_json() == {"rule": "first_come"}
    error_of(world.as_teacher.put("/waiting-list-rule", json={"rule": "fewest_first"}), 403)
    error_of(world.anonymous.get("/waiting-list-rule"), 401)
    assert invalid_fields(world.as_coordinator.put("/waiting-list-rule", json={"rule": "x"})) == {
        "rule"
    }
    extra = world.as_coordinator.put("/waiting-list-rule", json={"rule": "first_come", "more": 1})
    assert invalid_fields(extra) == {"more"}
    changed = world.as_coordinator.put("/waiting-list-rule", json={"rule": "fewest_first"})
    assert changed.status_code == 200
    assert changed.get_json() == {"rule": "fewest_first"}
    assert world.as_teacher.get("/waiting-list-rule").get_json() == {"rule": "fewest_first"}
