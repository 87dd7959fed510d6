"""What a school's HR asks of a hybrid teacher (placements.service.hr): the
VOG's age when the placement starts, the hours without a teaching
qualification, the supervising teacher, the route and its deadline, the
reminders, the API and the agreement."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from app.errors import DomainError
from app.placements import service
from app.placements.service import hr
from app.transitions import NotAllowed
from tests.api.helpers import api_as, error_of, invalid_fields
from tests.placements import helpers


def proposed(world, **terms):
    placement = helpers.propose(
        world.contact, world.company, world.school, world.professional, **terms
    )
    return placement


def record(world, placement, **values):
    facts = dict(
        vog_date=placement.first_date - timedelta(weeks=4),
        qualified=False,
        supervisor=world.teacher,
        route="",
        today=placement.first_date - timedelta(weeks=2),
    )
    facts.update(values)
    return service.record_hr(world.teacher, placement, **facts)


def refusal(act) -> DomainError:
    with pytest.raises(DomainError) as refused:
        act()
    return refused.value


def test_a_recent_vog_with_a_supervisor_is_recorded_and_the_placement_starts(db, world):
    placement = proposed(world)
    record(world, placement)
    assert placement.vog_date == placement.first_date - timedelta(weeks=4)
    assert placement.supervisor_id == world.teacher.id
    assert placement.qualification_deadline is None
    service.accept(world.teacher, placement)
    assert placement.status == "agreed"


def test_a_vog_older_than_26_weeks_on_the_first_date_is_refused(db, world):
    placement = proposed(world)
    first = placement.first_date
    on_the_limit = first - timedelta(weeks=26)
    record(world, placement, vog_date=on_the_limit)
    too_old = refusal(lambda: record(world, placement, vog_date=on_the_limit - timedelta(days=1)))
    assert too_old.field == "vog_date"
    assert "26" in too_old.message


def test_a_vog_dated_in_the_future_is_refused(db, world):
    placement = proposed(world)
    today = placement.first_date - timedelta(weeks=2)
    error = refusal(
        lambda: record(world, placement, vog_date=today + timedelta(days=1), today=today)
    )
    assert error.field == "vog_date"


def test_the_limit_is_a_setting(db, app, world):
    placement = proposed(world)
    app.config["VOG_WEEKS"] = 4
    try:
        error = refusal(
            lambda: record(world, placement, vog_date=placement.first_date - timedelta(weeks=5))
        )
    finally:
        app.config["VOG_WEEKS"] = 26
    assert error.field == "vog_date"


def test_a_placement_whose_vog_got_too_old_cannot_be_agreed(db, world):
    placement = proposed(world)
    record(world, placement)
    # The first date moves half a year on in a counter: the VOG is then too old.
    later = helpers.terms(first_date=helpers.monday_in(30))
    service.counter(world.teacher, placement, later)
    error = refusal(lambda: service.accept(world.contact, placement))
    assert error.field == "vog_date"
    assert placement.status == "countered"


def test_without_a_qualification_a_supervising_teacher_of_the_school_is_named(db, world):
    placement = proposed(world)
    assert refusal(lambda: record(world, placement, supervisor=None)).field == "supervisor_id"
    other = refusal(lambda: record(world, placement, supervisor=world.other_teacher))
    assert other.field == "supervisor_id"
    record(world, placement, qualified=True, supervisor=None)
    assert placement.qualified and placement.supervisor_id is None


def test_more_hours_without_a_qualification_need_a_route_with_a_two_year_deadline(db, world):
    placement = proposed(world, hours_per_week=6)
    error = refusal(lambda: record(world, placement))
    assert error.field == "qualification_route"
    record(world, placement, route="Zij-instroom, pedagogisch-didactisch getuigschrift")
    first = placement.first_date
    assert placement.qualification_deadline == first.replace(year=first.year + 2)
    # Qualified: no route, no deadline.
    record(world, placement, qualified=True)
    assert placement.qualification_route == "" and placement.qualification_deadline is None


def test_the_schedule_refuses_more_hours_than_allowed_without_a_route(db, world):
    placement = proposed(world, hours_per_week=4)
    record(world, placement)
    more = helpers.terms(hours_per_week=5)
    error = refusal(lambda: service.counter(world.teacher, placement, more))
    assert error.field == "hours_per_week"
    assert placement.status == "proposed"


def test_the_deadline_of_29_february_is_the_last_day_of_february(db):
    assert hr.qualification_deadline(date(2028, 2, 29)) == date(2030, 2, 28)


def test_an_ended_placement_records_nothing(db, world):
    placement = proposed(world)
    service.decline(world.teacher, placement, "Geen plek in het rooster")
    with pytest.raises(NotAllowed):
        record(world, placement)


def test_reminders_come_before_the_vog_lapses_and_before_the_deadline(db, world, outbox):
    placement = proposed(world, hours_per_week=6, first_date=helpers.monday_in(8))
    vog = helpers.today() - timedelta(days=1)
    record(world, placement, vog_date=vog, route="Zij-instroom", today=helpers.today())
    reminders = [m for m in outbox("placement_update") if m.dedupe_key.startswith(("vog", "qual"))]
    vog_rows = [m for m in reminders if m.dedupe_key.startswith("vog:")]
    deadline_rows = [m for m in reminders if m.dedupe_key.startswith("qualify:")]
    people = {world.teacher.email, world.contact.email}
    assert {m.recipient for m in vog_rows} >= people
    lapses = hr.vog_lapses_on(vog)
    assert all(m.due_at.date() == lapses - timedelta(weeks=4) for m in vog_rows)
    assert {m.due_at.date() for m in deadline_rows} == {
        placement.qualification_deadline - timedelta(days=180),
        placement.qualification_deadline - timedelta(days=30),
    }
    # Recording again replaces the unsent ones rather than adding to them.
    before = len(reminders)
    record(world, placement, vog_date=vog, route="Zij-instroom", today=helpers.today())
    again = [m for m in outbox("placement_update") if m.dedupe_key.startswith(("vog", "qual"))]
    assert len(again) == before


def test_the_api_records_the_facts_and_refuses_bad_input(db, app, world):
    placement = proposed(world)
    db.session.commit()
    school = api_as(app, db, world.teacher)
    company = api_as(app, db, world.contact)
    path = f"/placements/{placement.id}/hr"
    good = {
        "vog_date": (helpers.today() - timedelta(days=3)).isoformat(),
        "qualified": False,
        "supervisor_id": world.teacher.id,
    }
    error_of(company.put(path, json=good), 403)
    future = {**good, "vog_date": (helpers.today() + timedelta(days=3)).isoformat()}
    assert invalid_fields(school.put(path, json=future)) == {"vog_date"}
    assert invalid_fields(school.put(path, json={**good, "supervisor_id": 999_999})) == {
        "supervisor_id"
    }
    assert invalid_fields(school.put(path, json={**good, "qualified": "ja"})) == {"qualified"}
    answer = school.put(path, json=good)
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json()["vog_date"] == good["vog_date"]
    assert answer.get_json()["supervisor_id"] == world.teacher.id
    assert company.get(f"/placements/{placement.id}").get_json()["qualified"] is False


def test_the_agreement_shows_the_facts(db, app, world):
    from tests.apps import login
    from tests.documents import pdf

    placement = proposed(world, hours_per_week=6)
    record(world, placement, route="Zij-instroom PDG")
    service.accept(world.teacher, placement)
    db.session.commit()
    client = login(app.test_client(), world.teacher)
    response = client.get(f"/placements/{placement.id}/agreement.pdf?lang=en")
    assert response.status_code == 200
    text = pdf.squeezed(pdf.text(pdf.read(response.get_data())))
    for expected in (
        "Certificateofconduct(VOG)",
        "Notqualifiedtoteach",
        "Supervisingteacher" + world.teacher.name.replace(" ", ""),
        "Zij-instroomPDG",
        str(placement.qualification_deadline.year),
    ):
        assert expected in text, expected


def test_a_school_of_another_placement_cannot_record(db, app, world):
    placement = proposed(world)
    db.session.commit()
    other = api_as(app, db, world.other_teacher)
    facts = {"vog_date": helpers.today().isoformat(), "qualified": True}
    error_of(other.put(f"/placements/{placement.id}/hr", json=facts), 404)


def test_the_school_records_the_facts_on_the_page_and_bad_input_shows_at_its_field(db, app, world):
    from tests.apps import login
    from tests.pages import dutch, field_errors

    placement = proposed(world, hours_per_week=6)
    db.session.commit()
    school = login(app.test_client(), world.teacher)
    page = school.get(f"/placements/{placement.id}").get_data(as_text=True)
    assert 'id="hr-form"' in page
    path = f"/placements/{placement.id}/hr"
    future = (helpers.today() + timedelta(days=2)).isoformat()
    refused = school.post(path, data={"hr-vog_date": future, "hr-supervisor": world.teacher.id})
    assert refused.status_code == 422
    assert field_errors(refused.get_data(as_text=True), "hr-vog_date") == [
        dutch("A VOG cannot be dated in the future.")
    ]
    recent = (helpers.today() - timedelta(days=2)).isoformat()
    no_route = school.post(path, data={"hr-vog_date": recent, "hr-supervisor": world.teacher.id})
    assert no_route.status_code == 422
    assert field_errors(no_route.get_data(as_text=True), "hr-qualification_route")
    no_one = school.post(path, data={"hr-vog_date": recent, "hr-qualification_route": "PDG"})
    assert field_errors(no_one.get_data(as_text=True), "hr-supervisor")
    done = school.post(
        path,
        data={
            "hr-vog_date": recent,
            "hr-supervisor": world.teacher.id,
            "hr-qualification_route": "Zij-instroom PDG",
        },
    )
    assert done.status_code == 302
    db.session.refresh(placement)
    assert placement.vog_date.isoformat() == recent
    assert placement.qualification_route == "Zij-instroom PDG"
    shown = school.get(f"/placements/{placement.id}").get_data(as_text=True)
    assert 'id="hr-route"' in shown and "Zij-instroom PDG" in shown
    company = login(app.test_client(), world.contact)
    assert company.post(path, data={"hr-vog_date": recent, "hr-qualified": "y"}).status_code == 403
    assert 'id="hr-form"' not in company.get(f"/placements/{placement.id}").get_data(as_text=True)
