"""Coordinators keep the school holidays of each region."""

from __future__ import annotations

from datetime import date

from app.holidays.models import SchoolHoliday
from tests.pages import field_errors

Y = date.today().year + 1


def test_a_coordinator_lists_adds_and_deletes_holidays(coordinator_client, db):
    db.session.add_all(
        [
            SchoolHoliday(
                region="noord",
                name="Herfstvakantie",
                start_date=date(Y, 10, 18),
                end_date=date(Y, 10, 26),
            ),
            SchoolHoliday(
                region="zuid",
                name="Carnaval",
                start_date=date(Y + 1, 2, 20),
                end_date=date(Y + 1, 2, 28),
            ),
        ]
    )
    db.session.commit()

    page = coordinator_client.get("/holidays?region=noord").get_data(as_text=True)
    assert "Herfstvakantie" in page and "Carnaval" not in page
    assert "Carnaval" in coordinator_client.get("/holidays?region=zuid").get_data(as_text=True)

    response = coordinator_client.post(
        "/holidays",
        data={
            "region": "midden",
            "name": "Kerstvakantie",
            "start_date": f"{Y}-12-20",
            "end_date": f"{Y + 1}-01-04",
        },
    )
    assert response.status_code == 303
    assert response.location == "/holidays?region=midden"
    added = db.session.query(SchoolHoliday).filter_by(region="midden").one()
    assert (added.name, added.start_date, added.end_date) == (
        "Kerstvakantie",
        date(Y, 12, 20),
        date(Y + 1, 1, 4),
    )

    response = coordinator_client.post(f"/holidays/{added.id}/delete")
    assert response.status_code == 303
    assert db.session.query(SchoolHoliday).filter_by(region="midden").count() == 0


def test_a_holiday_that_ends_before_it_starts_is_refused(coordinator_client, db):
    response = coordinator_client.post(
        "/holidays",
        data={
            "region": "noord",
            "name": "Omgekeerd",
            "start_date": f"{Y}-12-20",
            "end_date": f"{Y}-12-01",
        },
    )
    assert response.status_code == 422
    assert field_errors(response.get_data(as_text=True), "end_date")
    response = coordinator_client.post(
        "/holidays",
        data={"region": "atlantis", "name": "", "start_date": "0001-01-01", "end_date": ""},
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    for field in ("region", "name", "start_date", "end_date"):
        assert field_errors(page, field), field
    assert db.session.query(SchoolHoliday).count() == 0


def test_only_coordinators_edit_holidays(client, teacher_client, contact_client, db):
    holiday = SchoolHoliday(
        region="noord", name="Zomer", start_date=date(Y, 7, 1), end_date=date(Y, 8, 20)
    )
    db.session.add(holiday)
    db.session.commit()
    for someone in (teacher_client, contact_client):
        assert someone.get("/holidays").status_code == 403
        assert (
            someone.post(
                "/holidays",
                data={
                    "region": "noord",
                    "name": "X",
                    "start_date": f"{Y}-01-01",
                    "end_date": f"{Y}-01-02",
                },
            ).status_code
            == 403
        )
        assert someone.post(f"/holidays/{holiday.id}/delete").status_code == 403
    assert client.get("/holidays").status_code == 302
    assert db.session.query(SchoolHoliday).count() == 1
