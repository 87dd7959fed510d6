"""Another school's or company's placement does not exist for a person: 404 on
every page and action. The parties act only on their own side."""

from __future__ import annotations

import pytest

from app.placements import permissions, service
from tests.apps import login
from tests.placements.helpers import propose


@pytest.fixture
def placement(world, db):
    found = propose(world.contact, world.company, world.school, world.professional)
    db.session.commit()
    return found


def actions(placement_id: int, day: str) -> list[tuple[str, str]]:
    base = f"/placements/{placement_id}"
    return [
        ("GET", base),
        ("POST", f"{base}/accept"),
        ("POST", f"{base}/decline"),
        ("POST", f"{base}/counter"),
        ("POST", f"{base}/withdraw"),
        ("POST", f"{base}/end"),
        ("POST", f"{base}/lessons/{day}/cancel"),
        ("POST", f"{base}/lessons/{day}/move"),
    ]


@pytest.mark.parametrize("who", ["other_teacher", "other_contact"])
def test_other_organisations_get_404_everywhere(app, world, db, placement, who):
    client = login(app.test_client(), getattr(world, who))
    for method, url in actions(placement.id, placement.first_date.isoformat()):
        response = client.open(url, method=method, data={"decline-reason": "x"})
        assert response.status_code == 404, (method, url, response.status_code)
    assert "Ellen Draaier" not in client.get("/placements/").get_data(as_text=True)


def test_parties_and_coordinators_see_it(app, world, db, placement):
    for person in (world.teacher, world.contact, world.coordinator):
        client = login(app.test_client(), person)
        assert client.get(f"/placements/{placement.id}").status_code == 200


def test_the_proposing_side_cannot_answer_its_own_proposal(app, world, db, placement):
    client = login(app.test_client(), world.contact)
    assert client.post(f"/placements/{placement.id}/accept").status_code == 403
    assert (
        client.post(f"/placements/{placement.id}/decline", data={"decline-reason": "x"}).status_code
        == 403
    )
    teacher = login(app.test_client(), world.teacher)
    assert teacher.post(f"/placements/{placement.id}/withdraw").status_code == 403


def test_a_coordinator_sees_but_does_not_answer(app, world, db, placement):
    client = login(app.test_client(), world.coordinator)
    assert client.post(f"/placements/{placement.id}/accept").status_code == 403
    assert permissions.can_view_placement(world.coordinator, placement)
    assert not permissions.can_accept(world.coordinator, placement)
    service.accept(world.teacher, placement)
    assert permissions.can_end(world.coordinator, placement)
    assert not permissions.can_change_lessons(world.coordinator, placement)


def test_anonymous_people_are_sent_to_the_login(app, world, db, placement):
    response = app.test_client().get(f"/placements/{placement.id}")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    # The public registration form is the one page without an account.
    assert app.test_client().get("/placements/pool/register").status_code == 200


def test_pending_candidates_are_hidden_from_teachers_and_other_companies(app, world, db):
    pending = service.register_candidate(
        None,
        company=None,
        name="Zelf Aangemeld",
        expertise="Elektro",
        email="z@example.test",
        consent=True,
    )
    db.session.commit()
    for person in (world.teacher, world.other_contact):
        assert not permissions.can_see_candidate(person, pending)
        client = login(app.test_client(), person)
        assert client.get(f"/placements/pool/{pending.id}").status_code == 404
        assert client.get(f"/placements/new?professional={pending.id}").status_code == 404
    assert permissions.can_see_candidate(world.coordinator, pending)


def test_visible_placements_query(world, db, placement):
    from app.extensions import db as database

    def ids(user):
        return [p.id for p in database.session.scalars(permissions.visible_placements(user))]

    assert ids(world.teacher) == [placement.id]
    assert ids(world.contact) == [placement.id]
    assert ids(world.coordinator) == [placement.id]
    assert ids(world.other_teacher) == []
    assert ids(world.other_contact) == []
