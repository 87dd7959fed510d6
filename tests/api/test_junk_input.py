"""Whatever a client sends, the answer is never a 500: every field of every
request body, in turn, gets values of the wrong type, size and shape."""

from __future__ import annotations

import pytest

from tests.api.conftest import GROUP

JUNK = [None, -1, 0, 2**40, -(2**63), 1.5, float("inf"), True, "", " ", "x" * 5000,
        "2031-13-45T25:61", "0000-00-00", "<script>", "'; DROP TABLE slot; --", [],
        ["x"], [None], {}, {"nested": {"deeper": [1]}}]

ACTIVITY = {"kind": "workshop", "title": "Solderen", "years": ["1"], "paths": ["BB"],
            "venue": "company", "address": "Hoofdstraat 1", "postcode": "7511 AB",
            "city": "Enschede", "latitude": 52.2, "longitude": 6.9, "duration_minutes": 90,
            "max_group_size": 20, "min_notice_days": 3, "requires_approval": True,
            "description": "", "sectors": ["metal"], "profiles": [], "contact_id": None}
SLOT = {"starts_at": "2031-03-04T10:00", "ends_at": "2031-03-04T12:00", "capacity": 20}


def requests_for(world):
    """(api, method, path, a valid body) for every operation that takes a body."""
    slot, activity = world.slot.id, world.activity.id
    return {
        "create activity": (world.as_contact, "post", "/activities", ACTIVITY),
        "change activity": (world.as_contact, "patch", f"/activities/{activity}", ACTIVITY),
        "add slot": (world.as_contact, "post", f"/activities/{activity}/slots", SLOT),
        "reschedule slot": (world.as_contact, "patch", f"/slots/{slot}",
                            {**SLOT, "reason": "Verzet"}),
        "cancel slot": (world.as_contact, "post", f"/slots/{slot}/cancel", {"reason": "Weg"}),
        "book": (world.as_teacher, "post", f"/slots/{slot}/bookings",
                 {**GROUP, "accept_waitlist": False, "remarks": "", "school_id": None,
                  "teacher_id": None}),
    }


@pytest.mark.parametrize("name", ["create activity", "change activity", "add slot",
                                  "reschedule slot", "cancel slot", "book"])
def test_no_value_in_any_field_gives_a_500(world, name):
    api, method, path, valid = requests_for(world)[name]
    call = getattr(api, method)
    for field in valid:
        for junk in JUNK:
            response = call(path, json={**valid, field: junk})
            assert response.status_code < 500, (field, junk, response.get_data(as_text=True))
            assert response.is_json
            if response.status_code >= 400:
                assert set(response.get_json()) == {"error"}


def test_booking_answers_never_500_after_junk(world):
    """The state-changing answers on a booking, with junk reasons."""
    booking = world.as_teacher.post(f"/slots/{world.slot.id}/bookings", json=GROUP).get_json()
    for action, api in (("decline", world.as_contact), ("cancel", world.as_teacher)):
        for junk in JUNK:
            response = api.post(f"/bookings/{booking['id']}/{action}", json={"reason": junk})
            assert response.status_code < 500, (action, junk)


@pytest.mark.parametrize("header", ["", " ", "x" * 65, "ü" * 10, "a\tb"])
def test_odd_idempotency_keys_never_500(world, header):
    response = world.as_teacher.post(f"/slots/{world.slot.id}/bookings", json=GROUP,
                                     headers={"Idempotency-Key": header})
    assert response.status_code in (201, 422), response.get_data(as_text=True)
