"""The download of one's own data: complete, and nobody else's."""

from __future__ import annotations

import json

from app.accounts.models import User
from app.evaluations import service as evaluations
from app.extensions import db as database
from app.privacy.export import LEFT_OUT, PERSONAL_ROWS
from app.school_requests import service as requests
from tests.apps import login
from tests.school_requests.helpers import request_input


def test_every_table_that_refers_to_a_person_is_in_the_download():
    """A table added later with a foreign key to user.id must join the export."""
    user_id = User.__table__.c.id
    referring = {
        (table.name, key.parent.name)
        for table in database.metadata.sorted_tables
        for key in table.foreign_keys
        if key.column is user_id
    }
    covered = {
        (model.__tablename__, column)
        for model, columns in PERSONAL_ROWS.values()
        for column in columns
    }
    assert referring == covered


def test_the_download_holds_the_persons_bookings_requests_evaluations_mails_and_more(
    app, db, world
):
    from app.bookings import service as bookings

    jan = world.teacher
    posted = requests.post_request(jan, world.school, request_input())
    bookings.complete_ended_bookings(world.slot.ends_at.replace(year=world.slot.ends_at.year + 1))
    evaluations.submit_evaluation(
        jan,
        world.booking,
        "school",
        evaluations.Answers(
            students_attended=22, rating=5, went_well="Veel gezien", could_be_better=""
        ),
    )
    db.session.commit()

    response = login(app.test_client(), jan).get("/account/export.json")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "private, no-store"
    data = response.get_json()
    assert (data["format"], data["version"]) == ("techniekpoort-account-export", 1)
    assert data["account"]["email"] == "jan@kolk.test"
    assert data["account"]["phone"] == "06 12345678"
    [booking] = data["bookings"]
    assert (booking["id"], booking["school"], booking["activity"], booking["remarks"]) == (
        world.booking.id,
        "Vakcollege De Kolk",
        "Draaien en frezen",
        "Wij komen met de bus.",
    )
    assert [r["id"] for r in data["school_requests"]] == [posted.id]
    [evaluation] = data["evaluations"]
    assert evaluation["went_well"] == "Veel gezien"
    assert [t["name"] for t in data["api_tokens"]] == ["Rooster"]
    assert [f["name"] for f in data["calendar_feeds"]] == ["Mijn agenda"]
    assert {m["kind"] for m in data["mails"]} >= {"booking_confirmed"}
    assert all(m["recipient"] == jan.email for m in data["mails"])
    assert {e["name"] for e in data["history"]} >= {
        "BookingRequested",
        "RequestPosted",
        "EvaluationSubmitted",
    }
    assert [m["organisation"] for m in data["memberships"]] == ["Vakcollege De Kolk"]
    # Every section of PERSONAL_ROWS is there, even when empty.
    assert set(PERSONAL_ROWS) <= set(data)
    text = json.dumps(data)
    for secret in LEFT_OUT:
        assert f'"{secret}"' not in text


def test_the_download_holds_nobody_elses_data(app, db, world):
    data = login(app.test_client(), world.teacher).get("/account/export.json").get_json()
    assert world.colleague.email not in json.dumps(data)
    # The company's contact is named only in the mails Jan was sent.
    for section, value in data.items():
        if section != "mails":
            assert world.contact.email not in json.dumps(value), section


def test_operators_export_and_delete_from_the_command_line(app, db, world):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["privacy", "export", "jan@kolk.test"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["account"]["name"] == "Jan Jansen"
    result = runner.invoke(args=["privacy", "delete", "jan@kolk.test", "--yes"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert world.teacher.deleted_at is not None
    assert runner.invoke(args=["privacy", "export", "jan@kolk.test"]).exit_code == 1
