"""The curriculum's reference entries: loaded from the fixture idempotently,
extended and corrected by coordinators, retired instead of deleted when in use."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from app.cli import curriculum_load_command
from app.curriculum import service
from app.curriculum.models import CurriculumEntry
from app.errors import DomainError
from tests import factories

FIXTURE = json.loads((Path(__file__).parents[2] / "fixtures" / "curriculum.json").read_text())
IN_FIXTURE = sum(len(FIXTURE[section]) for section in service.FIXTURE_SECTIONS)


def count(db) -> int:
    return db.session.scalar(select(func.count()).select_from(CurriculumEntry))


def test_the_world_has_every_fixture_entry_and_loading_again_changes_nothing(db, world):
    assert count(db) == IN_FIXTURE
    pie3 = service.entry_named("module", "PIE-3")
    assert (pie3.profile, pie3.verified, pie3.added_by_id) == ("PIE", False, None)
    netwerken = service.entry_named("competence", "netwerken")
    assert netwerken.question == "Wie kan mij helpen?"
    assert service.entry_named("module", "BWI-2").paths == {"BB", "KB"}

    service.load_reference()
    assert count(db) == IN_FIXTURE


def test_the_loader_corrects_untouched_fixture_entries_but_keeps_a_coordinators_edit(db, world):
    edited = service.entry_named("module", "MVI-3")
    service.edit_entry(
        world.coordinator,
        edited,
        {"name": "ICT (lokaal)", "profile": "MVI", "paths": {"KB"}, "verified": True},
    )
    untouched = service.entry_named("module", "BWI-1")
    untouched.name = "stale"
    db.session.flush()

    service.load_reference()

    assert service.entry_named("module", "MVI-3").name == "ICT (lokaal)"
    assert service.entry_named("module", "BWI-1").name == "Bouwproces en bouwvoorbereiding"


def test_flask_curriculum_load_commits_the_entries(app, db):
    result = CliRunner().invoke(curriculum_load_command, obj=None, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert f"{IN_FIXTURE} curriculum entries" in result.output
    assert count(db) == IN_FIXTURE


def test_a_coordinator_adds_an_entry_and_bad_fields_are_refused_at_their_field(db, world):
    added = service.add_entry(
        world.coordinator,
        {"kind": "keuzevak", "code": "PIE-K02", "profile": "PIE", "name": "Domotica"},
    )
    assert (added.added_by_id, added.verified) == (world.coordinator.id, False)
    assert "PIE-K02" in service.codes_of("keuzevak")

    for fields, field in [
        ({"kind": "keuzevak", "code": "PIE-K02", "profile": "PIE", "name": "x"}, "code"),
        ({"kind": "keuzevak", "code": "bad code!", "profile": "PIE", "name": "x"}, "code"),
        ({"kind": "keuzevak", "code": "PIE-K09", "profile": "XYZ", "name": "x"}, "profile"),
        ({"kind": "keuzevak", "code": "PIE-K09", "profile": "PIE", "name": " "}, "name"),
        ({"kind": "lesson", "code": "X", "name": "x"}, "kind"),
    ]:
        with pytest.raises(DomainError) as refused:
            service.add_entry(world.coordinator, fields)
        assert refused.value.field == field, fields


def test_an_entry_in_use_is_retired_not_deleted(db, world):
    entry = service.entry_named("keuzevak", "PIE-K01")
    service.set_tags(world.activity.id, {"keuzevak": ["PIE-K01"]})
    with pytest.raises(DomainError):
        service.delete_entry(entry)

    service.retire_entry(entry)
    assert "PIE-K01" not in service.codes_of("keuzevak")
    # The activity keeps it; another cannot choose it any more.
    assert service.set_tags(world.activity.id, {"keuzevak": ["PIE-K01"]})["keuzevak"] == ["PIE-K01"]
    second = factories.activity(world.company)
    with pytest.raises(DomainError) as refused:
        service.set_tags(second.id, {"keuzevak": ["PIE-K01"]})
    assert refused.value.field == "keuzevak"

    unused = service.entry_named("keuzevak", "1505")
    service.delete_entry(unused)
    assert service.entry_named("keuzevak", "1505") is None
