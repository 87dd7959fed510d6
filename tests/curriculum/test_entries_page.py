"""The coordinators' curriculum page: add and correct entries with field
errors, retire one in use (it cannot be deleted), delete an unused one."""

from __future__ import annotations

from app.curriculum import service as curriculum
from tests.apps import login
from tests.pages import field_errors, flashes


def test_a_coordinator_adds_corrects_retires_and_deletes_entries(app, db, world):
    coordinator = login(app.test_client(), world.coordinator)
    page = coordinator.get("/curriculum").get_data(as_text=True)
    assert 'data-entry="module:PIE-3"' in page and 'data-entry="competence:netwerken"' in page

    bad = coordinator.post(
        "/curriculum", data={"kind": "keuzevak", "code": "PIE K02", "name": "Domotica"}
    )
    assert bad.status_code == 422
    assert field_errors(bad.get_data(as_text=True), "code")
    missing_profile = coordinator.post(
        "/curriculum", data={"kind": "keuzevak", "code": "PIE-K02", "name": "Domotica"}
    )
    assert field_errors(missing_profile.get_data(as_text=True), "profile")

    added = coordinator.post(
        "/curriculum",
        data={"kind": "keuzevak", "code": "PIE-K02", "name": "Domotica", "profile": "PIE"},
    )
    assert added.status_code == 303
    entry = curriculum.entry_named("keuzevak", "PIE-K02")
    assert entry.added_by_id == world.coordinator.id

    edited = coordinator.post(
        f"/curriculum/{entry.id}/edit",
        data={
            "kind": "keuzevak",
            "code": "PIE-K02",
            "name": "Domotica en slimme installaties",
            "profile": "PIE",
            "source": "platform-pie.nl",
            "verified": "y",
        },
    )
    assert edited.status_code == 303
    db.session.refresh(entry)
    assert (entry.name, entry.verified) == ("Domotica en slimme installaties", True)

    curriculum.set_tags(world.activity.id, {"keuzevak": ["PIE-K02"]})
    db.session.commit()
    refused = coordinator.post(f"/curriculum/{entry.id}/delete", follow_redirects=True)
    assert flashes(refused.get_data(as_text=True), "error")
    assert curriculum.entry_named("keuzevak", "PIE-K02") is not None
    coordinator.post(f"/curriculum/{entry.id}/retire")
    assert "PIE-K02" not in curriculum.codes_of("keuzevak")

    unused = curriculum.entry_named("skill", "mediawijsheid")
    coordinator.post(f"/curriculum/{unused.id}/delete")
    assert curriculum.entry_named("skill", "mediawijsheid") is None


def test_only_coordinators_keep_the_curriculum(app, world):
    teacher = login(app.test_client(), world.teacher)
    assert teacher.get("/curriculum").status_code == 403
    entry = curriculum.entry_named("module", "PIE-1")
    assert teacher.post(f"/curriculum/{entry.id}/retire").status_code == 403
