"""A step the state does not allow (app.transitions.NotAllowed) answers 409 with
the same refusal in the pages and in the API, for each state machine: bookings,
placements, school requests and the candidate pool (decision 0011)."""

from __future__ import annotations

from app.accounts.service import create_api_token
from app.bookings import service as bookings
from app.placements import service as placements
from app.school_requests import service as requests
from tests import factories
from tests.apps import login
from tests.bookings.helpers import book
from tests.pages import dutch, flashes, form_errors
from tests.placements import helpers as placement_helpers
from tests.school_requests.helpers import post


def api_post(app, db, user, path: str, json=None):
    _token, raw = create_api_token(user, "tests")
    db.session.commit()
    return app.test_client().post(
        f"/api/v1{path}", json=json or {}, headers={"Authorization": f"Bearer {raw}"}
    )


def assert_refused(page, api, message: str) -> None:
    assert page.status_code == 409
    assert api.status_code == 409
    assert api.get_json()["error"]["code"] in ("invalid_state", "request_closed")
    assert api.get_json()["error"]["message"] == dutch(message)
    text = page.get_data(as_text=True)
    assert dutch(message) in flashes(text, "error") + form_errors(text)


def test_cancelling_a_cancelled_booking(app, db, teacher, teacher_client):
    company = factories.company()
    slot = factories.slot(factories.activity(company))
    booking = book(teacher, slot, 10)
    bookings.cancel_booking(teacher, booking, "Toetsweek")
    db.session.commit()
    page = teacher_client.post(f"/bookings/{booking.id}/cancel", data={"cancel-reason": "Weer"})
    api = api_post(app, db, teacher, f"/bookings/{booking.id}/cancel", {"reason": "Weer"})
    assert_refused(page, api, "This booking can no longer be cancelled.")


def test_declining_a_declined_placement(app, db, teacher, teacher_client, contact):
    company = contact.organisations()[0]
    person = placement_helpers.professional(company)
    placement = placement_helpers.propose(contact, company, teacher.organisations()[0], person)
    placements.decline(teacher, placement, "Vol")
    db.session.commit()
    page = teacher_client.post(
        f"/placements/{placement.id}/decline", data={"decline-reason": "Nog steeds vol"}
    )
    api = api_post(app, db, teacher, f"/placements/{placement.id}/decline", {"reason": "Vol"})
    assert page.status_code == api.status_code == 409
    # Accepting it: the one-button answer refuses the same way.
    accepted = teacher_client.post(f"/placements/{placement.id}/accept")
    assert accepted.status_code == 409
    assert api.get_json()["error"]["code"] == "invalid_state"


def test_ending_a_proposal_is_409_not_403_in_the_pages(app, db, teacher, contact):
    """The pages used to answer 403 when the state, not the person, was wrong."""
    company = contact.organisations()[0]
    person = placement_helpers.professional(company)
    placement = placement_helpers.propose(contact, company, teacher.organisations()[0], person)
    db.session.commit()
    client = login(app.test_client(), contact)
    page = client.post(
        f"/placements/{placement.id}/end",
        data={"end-reason": "Klaar", "end-ended_on": placement_helpers.monday_in(3).isoformat()},
    )
    api = api_post(
        app,
        db,
        contact,
        f"/placements/{placement.id}/end",
        {"reason": "Klaar", "ended_on": placement_helpers.monday_in(3).isoformat()},
    )
    assert page.status_code == api.status_code == 409


def test_withdrawing_a_withdrawn_request(app, db, teacher, teacher_client):
    posted = post(teacher)
    requests.withdraw_request(teacher, posted, "Rooster")
    db.session.commit()
    page = teacher_client.post(f"/requests/{posted.id}/withdraw", data={"withdraw-reason": "x"})
    api = api_post(app, db, teacher, f"/requests/{posted.id}/withdraw", {"reason": "x"})
    assert_refused(page, api, "This request is no longer open.")


def test_rejecting_an_approved_candidate(app, db, coordinator, coordinator_client):
    person = placement_helpers.professional(factories.company())
    db.session.commit()
    assert person.status == "approved"
    page = coordinator_client.post(f"/placements/pool/{person.id}/reject", data={})
    assert page.status_code == 409
    assert dutch("Only a waiting entry can be rejected.") in page.get_data(as_text=True)
