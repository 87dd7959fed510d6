"""The placement pages with the test client: lists, proposing, answering with
and without htmx, the schedule, ending, the overview and the pool."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.placements import schedule, service
from app.placements.models import Placement, Professional
from tests.apps import login
from tests.placements.helpers import holiday, monday_in, propose

HTMX = {"HX-Request": "true"}


def as_(app, user):
    return login(app.test_client(), user)


def form_terms(first=None, **values):
    first = first or monday_in(2)
    data = {
        "hours_per_week": "4",
        "weekdays": ["mo", "we"],
        "start_time": "09:00",
        "end_time": "12:00",
        "first_date": first.isoformat(),
        "last_date": (first + timedelta(weeks=8)).isoformat(),
    }
    data.update(values)
    return data


@pytest.fixture
def proposed(world, db):
    placement = propose(world.contact, world.company, world.school, world.professional)
    db.session.commit()
    return placement


def test_a_company_contact_proposes_through_the_form(app, world, db):
    client = as_(app, world.contact)
    page = client.get("/placements/new")
    assert page.status_code == 200
    assert "Ellen Draaier" in page.get_data(as_text=True)

    response = client.post(
        "/placements/new",
        data={
            "professional": world.professional.id,
            "school": world.school.id,
            "subjects": "Metaal",
            "profiles": ["PIE"],
            "remarks": "Graag op maandag",
            **form_terms(),
        },
    )

    assert response.status_code == 302, response.get_data(as_text=True)
    placement = db.session.query(Placement).one()
    assert response.headers["Location"].endswith(f"/placements/{placement.id}")
    assert placement.proposed_by == "company" and placement.status == "proposed"
    assert placement.remarks == "Graag op maandag"


def test_the_teacher_sees_the_proposal_and_accepts_it_with_htmx(app, world, db, proposed):
    client = as_(app, world.teacher)
    page = client.get("/placements/").get_data(as_text=True)
    assert f'id="placement-{proposed.id}"' in page
    assert "Ellen Draaier" in page

    response = client.post(f"/placements/{proposed.id}/accept", headers=HTMX)

    assert response.status_code == 200
    assert response.headers["HX-Trigger"] == "PlacementAgreed"
    body = response.get_data(as_text=True)
    assert body.lstrip().startswith(f'<article class="placement-row" id="placement-{proposed.id}"')
    assert 'data-state="agreed"' in body
    db.session.expire_all()
    assert db.session.get(Placement, proposed.id).status == "agreed"


def test_the_teacher_declines_without_javascript(app, world, db, proposed):
    client = as_(app, world.teacher)
    response = client.post(
        f"/placements/{proposed.id}/decline",
        data={"decline-reason": "Geen ruimte", "decline-next": "/placements/"},
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/placements/")
    db.session.expire_all()
    assert db.session.get(Placement, proposed.id).status == "declined"


def test_a_decline_without_reason_is_a_field_error(app, world, db, proposed):
    client = as_(app, world.teacher)
    response = client.post(f"/placements/{proposed.id}/decline", data={"decline-reason": ""})
    assert response.status_code == 422
    assert "field-error" in response.get_data(as_text=True)
    htmx = client.post(
        f"/placements/{proposed.id}/decline", data={"decline-reason": ""}, headers=HTMX
    )
    assert htmx.status_code == 200 and "field-error" in htmx.get_data(as_text=True)


def test_the_teacher_counters_in_place_and_the_company_accepts(app, world, db, proposed):
    teacher = as_(app, world.teacher)
    response = teacher.post(
        f"/placements/{proposed.id}/counter",
        headers=HTMX,
        data={
            **{f"counter-{k}": v for k, v in form_terms(weekdays=["tu", "th"]).items()},
            "counter-message": "Liever dinsdag",
        },
    )
    assert response.status_code == 200
    assert 'data-state="countered"' in response.get_data(as_text=True)

    contact = as_(app, world.contact)
    page = contact.get("/placements/").get_data(as_text=True)
    assert "Liever dinsdag" in page
    accepted = contact.post(
        f"/placements/{proposed.id}/accept", data={"next": f"/placements/{proposed.id}"}
    )
    assert accepted.status_code == 302
    db.session.expire_all()
    placement = db.session.get(Placement, proposed.id)
    assert placement.status == "agreed" and placement.weekdays == frozenset({"tu", "th"})


def test_a_counter_on_saturday_is_a_form_error(app, world, db, proposed):
    teacher = as_(app, world.teacher)
    response = teacher.post(
        f"/placements/{proposed.id}/counter",
        data={f"counter-{k}": v for k, v in form_terms(weekdays=["sa"]).items()},
    )
    assert response.status_code == 422
    assert "Monday to Friday" in response.get_data(
        as_text=True
    ) or "maandag tot en met vrijdag" in response.get_data(as_text=True)


def test_the_placement_page_shows_the_schedule_and_changes_a_lesson(app, world, db, proposed):
    first = proposed.first_date
    holiday("Herfstvakantie", first + timedelta(days=7), first + timedelta(days=13))
    service.accept(world.teacher, proposed)
    db.session.commit()
    teacher = as_(app, world.teacher)

    page = teacher.get(f"/placements/{proposed.id}").get_data(as_text=True)
    assert 'id="schedule"' in page
    assert f'id="lesson-{first.isoformat()}"' in page
    assert f'id="lesson-{(first + timedelta(days=7)).isoformat()}"' not in page
    assert 'id="history"' in page

    day = (first + timedelta(days=14)).isoformat()
    cancelled = teacher.post(
        f"/placements/{proposed.id}/lessons/{day}/cancel",
        data={"cancel-reason": "Excursie"},
        headers=HTMX,
    )
    assert cancelled.status_code == 200
    body = cancelled.get_data(as_text=True)
    assert f'id="lesson-{day}"' in body and "lesson-cancelled" in body
    assert cancelled.headers["HX-Trigger"] == "PlacementLessonChanged"

    other = (first + timedelta(days=16)).isoformat()
    moved = teacher.post(
        f"/placements/{proposed.id}/lessons/{other}/move",
        data={
            "move-new_date": (first + timedelta(days=17)).isoformat(),
            "move-start_time": "13:00",
            "move-end_time": "15:00",
            "move-reason": "Stage",
        },
    )
    assert moved.status_code == 302
    db.session.expire_all()
    lesson = schedule.lesson_on(db.session.get(Placement, proposed.id), first + timedelta(days=16))
    assert lesson.is_moved


def test_a_bad_move_shows_the_error_at_the_lesson(app, world, db, proposed):
    service.accept(world.teacher, proposed)
    db.session.commit()
    day = proposed.first_date.isoformat()
    response = as_(app, world.teacher).post(
        f"/placements/{proposed.id}/lessons/{day}/move",
        headers=HTMX,
        data={"move-new_date": day, "move-start_time": "12:00", "move-end_time": "10:00"},
    )
    assert response.status_code == 200
    assert "field-error" in response.get_data(as_text=True)
    assert (
        as_(app, world.teacher)
        .post(f"/placements/{proposed.id}/lessons/not-a-date/cancel", data={"cancel-reason": "x"})
        .status_code
        == 404
    )


def test_ending_early_from_the_page(app, world, db, proposed):
    service.accept(world.teacher, proposed)
    db.session.commit()
    contact = as_(app, world.contact)
    refused = contact.post(f"/placements/{proposed.id}/end", data={"end-reason": ""})
    assert refused.status_code == 422
    response = contact.post(
        f"/placements/{proposed.id}/end",
        data={"end-reason": "Ziekte", "end-ended_on": proposed.first_date.isoformat()},
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Placement, proposed.id).status == "ended"


def test_the_coordinator_overview(app, world, db, proposed):
    service.accept(world.teacher, proposed)
    db.session.commit()
    page = as_(app, world.coordinator).get("/placements/overview")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert 'id="per-school"' in body and "Vakcollege De Kolk" in body
    assert 'id="ending"' in body
    assert as_(app, world.teacher).get("/placements/overview").status_code == 403


def test_the_pool_is_searched_and_a_teacher_starts_a_proposal(app, world, db):
    teacher = as_(app, world.teacher)
    page = teacher.get("/placements/pool?q=cnc&profile=PIE&weekday=we").get_data(as_text=True)
    assert "Ellen Draaier" in page
    assert "Ellen Draaier" not in teacher.get("/placements/pool?profile=MVI").get_data(as_text=True)
    partial = teacher.get("/placements/pool?town=hengelo&partial=1", headers=HTMX)
    assert partial.get_data(as_text=True).lstrip().startswith('<section id="results">')

    form = teacher.get(f"/placements/new?professional={world.professional.id}")
    assert form.status_code == 200
    response = teacher.post(
        f"/placements/new?professional={world.professional.id}",
        data={"professional": world.professional.id, "school": world.school.id, **form_terms()},
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    placement = db.session.query(Placement).one()
    assert placement.proposed_by == "school" and placement.awaiting == "company"


def test_a_company_registers_a_professional(app, world, db):
    contact = as_(app, world.contact)
    response = contact.post(
        "/placements/pool/new",
        data={
            "company": world.company.id,
            "name": "Sanne Lasser",
            "kind": "technician",
            "expertise": "Lassen (TIG, MIG)",
            "profiles": ["PIE", "MaT"],
            "weekdays": ["tu"],
            "hours_per_week": "6",
            "town": "Almelo",
            "consent": "y",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    person = db.session.query(Professional).filter_by(name="Sanne Lasser").one()
    assert person.status == "approved" and person.company_id == world.company.id
    assert person.email == ""
    refused = contact.post(
        "/placements/pool/new",
        data={"company": world.other_company.id, "name": "X", "expertise": "Y", "consent": "y"},
    )
    assert refused.status_code == 422


def test_self_registration_waits_for_a_coordinator_who_links_a_company(app, world, db):
    anonymous = app.test_client()
    form = anonymous.get("/placements/pool/register")
    assert form.status_code == 200
    without_consent = anonymous.post(
        "/placements/pool/register",
        data={
            "name": "Kees Zijinstromer",
            "email": "kees@example.test",
            "kind": "career_switcher",
            "expertise": "Installatietechniek",
        },
    )
    assert without_consent.status_code == 422
    done = anonymous.post(
        "/placements/pool/register",
        data={
            "name": "Kees Zijinstromer",
            "email": "kees@example.test",
            "kind": "career_switcher",
            "expertise": "Installatietechniek",
            "consent": "y",
        },
    )
    assert done.status_code == 200 and 'id="registered"' in done.get_data(as_text=True)
    person = db.session.query(Professional).filter_by(name="Kees Zijinstromer").one()
    assert person.status == "pending" and person.company_id is None

    teacher = as_(app, world.teacher)
    assert "Kees" not in teacher.get("/placements/pool").get_data(as_text=True)
    assert teacher.get(f"/placements/pool/{person.id}").status_code == 404

    coordinator = as_(app, world.coordinator)
    page = coordinator.get(f"/placements/pool/{person.id}").get_data(as_text=True)
    assert "kees@example.test" in page
    approved = coordinator.post(
        f"/placements/pool/{person.id}/approve", data={"company": world.other_company.id}
    )
    assert approved.status_code == 302
    db.session.expire_all()
    person = db.session.get(Professional, person.id)
    assert person.status == "approved" and person.company_id == world.other_company.id
    assert "Kees" in teacher.get("/placements/pool").get_data(as_text=True)
    # The teacher sees the entry, never the e-mail address.
    assert "kees@example.test" not in teacher.get(f"/placements/pool/{person.id}").get_data(
        as_text=True
    )


def test_the_navigation_links_to_hybrid_teachers(app, world, db):
    page = as_(app, world.teacher).get("/").get_data(as_text=True)
    assert 'href="/placements/"' in page
