"""Whatever a client sends, the answer is never a 500: every field of every
request body, in turn, gets values of the wrong type, size and shape."""

from __future__ import annotations

import json

import pytest

from tests.api.helpers import GROUP, error_of, invalid_fields

JUNK = [
    None,
    -1,
    0,
    2**40,
    -(2**63),
    1.5,
    float("inf"),
    True,
    "",
    " ",
    "x" * 5000,
    "2031-13-45T25:61",
    "0000-00-00",
    "<script>",
    "'; DROP TABLE slot; --",
    [],
    ["x"],
    [None],
    {},
    {"nested": {"deeper": [1]}},
]

ACTIVITY = {
    "kind": "workshop",
    "title": "Solderen",
    "years": ["1"],
    "paths": ["BB"],
    "venue": "company",
    "address": "Hoofdstraat 1",
    "postcode": "7511 AB",
    "city": "Enschede",
    "latitude": 52.2,
    "longitude": 6.9,
    "duration_minutes": 90,
    "max_group_size": 20,
    "min_notice_days": 3,
    "requires_approval": True,
    "description": "",
    "sectors": ["metal"],
    "profiles": [],
    "contact_id": None,
}
SLOT = {"starts_at": "2031-03-04T10:00", "ends_at": "2031-03-04T12:00", "capacity": 20}


def requests_for(world):
    """(api, method, path, a valid body) for every operation that takes a body."""
    slot, activity = world.slot.id, world.activity.id
    return {
        "create activity": (world.as_contact, "post", "/activities", ACTIVITY),
        "change activity": (world.as_contact, "patch", f"/activities/{activity}", ACTIVITY),
        "add slot": (world.as_contact, "post", f"/activities/{activity}/slots", SLOT),
        "reschedule slot": (
            world.as_contact,
            "patch",
            f"/slots/{slot}",
            {**SLOT, "reason": "Verzet"},
        ),
        "cancel slot": (world.as_contact, "post", f"/slots/{slot}/cancel", {"reason": "Weg"}),
        "book": (
            world.as_teacher,
            "post",
            f"/slots/{slot}/bookings",
            {
                **GROUP,
                "accept_waitlist": False,
                "remarks": "",
                "school_id": None,
                "teacher_id": None,
            },
        ),
    }


@pytest.mark.parametrize(
    "name",
    ["create activity", "change activity", "add slot", "reschedule slot", "cancel slot", "book"],
)
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


@pytest.mark.parametrize(
    "header, status",
    # Blank is no key at all; a key is any text up to 64 characters.
    [("", 201), (" ", 201), ("x" * 65, 422), ("ü" * 10, 201), ("a\tb", 201)],
)
def test_odd_idempotency_keys_never_500(world, header, status):
    response = world.as_teacher.post(
        f"/slots/{world.slot.id}/bookings", json=GROUP, headers={"Idempotency-Key": header}
    )
    assert response.status_code == status, response.get_data(as_text=True)


# --- ids beyond the databases' range, and text no database stores ----------------------


@pytest.mark.parametrize(
    "value", ["2147483648", "9223372036854775808", "1" * 40, "-1", "0x1", "１"]
)
@pytest.mark.parametrize("method", ["GET", "PATCH"])
def test_an_id_no_column_holds_is_404_in_a_path(world, value, method):
    """Also for PATCH, whose path also answers GET: not a 405."""
    response = world.as_contact._call(method, f"/slots/{value}", json={"capacity": 5})
    error_of(response, 404)


@pytest.mark.parametrize("value", [2**31, 2**63, 10**30, -1, 0, "7", 1.0, True])
def test_an_id_no_column_holds_is_422_in_a_body_or_query(world, value):
    response = world.as_teacher.post(
        f"/slots/{world.slot.id}/bookings", json={**GROUP, "school_id": value}
    )
    assert invalid_fields(response) == {"school_id"}
    if type(value) is int and not 1 <= value < 2**31:  # a query string carries only text
        response = world.as_teacher.get(f"/bookings?slot_id={value}")
        assert invalid_fields(response) == {"slot_id"}


def test_text_arrives_cleaned_the_same_on_both_databases(world, db):
    from app.catalogue.models import Activity

    body = {
        **ACTIVITY,
        "title": "\ud800Solderen\x00 met\u202e\r\ntin",
        "description": "Regel één\r\n\r\nRegel\x00 twee\u2066 \x1b[2J",
        "city": "Ensche\x7fde",
    }
    response = world.as_contact.post(
        "/activities", data=json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 201, response.get_data(as_text=True)
    answer = response.get_json()
    assert answer["title"] == "Solderen met tin"
    assert answer["description"] == "Regel één\n\nRegel twee [2J"
    assert answer["city"] == "Enschede"
    stored = db.session.get(Activity, answer["id"])
    assert (stored.title, stored.city) == ("Solderen met tin", "Enschede")


@pytest.mark.parametrize("query", ["q=a%00b", "q=%E2%80%AE%01zz", "q=" + "ẞ" * 100])
def test_search_words_with_any_character_are_searched(world, query):
    response = world.anonymous.get(f"/activities?{query}")
    assert response.status_code == 200
    assert response.get_json()["items"] == []
