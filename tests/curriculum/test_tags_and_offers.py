"""An activity's tags and a school location's offer: checked codes, replaced per
dimension, read in one query, and the SQL filter the catalogue uses."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.catalogue.models import Activity
from app.curriculum import service
from app.errors import DomainError
from app.school_year import SchoolYear
from tests import factories


def test_tags_are_stored_per_dimension_and_replaced_only_where_given(db, world):
    service.set_tags(
        world.activity.id,
        {"module": ["PIE-3", "PIE-1", "PIE-3"], "skill": ["samenwerken"]},
    )
    service.set_tags(world.activity.id, {"competence": ["netwerken"]})
    assert service.tags_of(world.activity.id) == {
        "competence": ["netwerken"],
        "module": ["PIE-1", "PIE-3"],
        "skill": ["samenwerken"],
    }
    named = service.named_tags(world.activity.id)
    assert list(named) == ["module", "skill", "competence"]
    assert named["competence"][0].question == "Wie kan mij helpen?"

    service.set_tags(world.activity.id, {"module": []})
    assert "module" not in service.tags_of(world.activity.id)


def test_an_unknown_code_changes_nothing_and_names_its_field(db, world):
    service.set_tags(world.activity.id, {"module": ["PIE-3"]})
    with pytest.raises(DomainError) as refused:
        service.set_tags(world.activity.id, {"module": ["PIE-1"], "keuzevak": ["NOPE-9"]})
    assert refused.value.field == "keuzevak"
    assert "NOPE-9" in refused.value.message
    assert service.tags_of(world.activity.id) == {"module": ["PIE-3"]}
    with pytest.raises(DomainError):
        service.set_tags(world.activity.id, {"colour": ["red"]})


def test_the_exists_filter_finds_the_activities_with_any_of_the_codes(db, world):
    second = factories.activity(world.company)
    third = factories.activity(world.company)
    service.set_tags(world.activity.id, {"keuzevak": ["PIE-K01"]})
    service.set_tags(second.id, {"keuzevak": ["1505"], "module": ["PIE-1"]})
    service.set_tags(third.id, {"module": ["MVI-3"]})

    def found(dimension, codes):
        return set(
            db.session.scalars(
                select(Activity.id).where(service.tagged_with(Activity.id, dimension, codes))
            )
        )

    assert found("keuzevak", ["PIE-K01", "1505"]) == {world.activity.id, second.id}
    assert found("module", ["MVI-3"]) == {third.id}
    assert found("skill", ["samenwerken"]) == set()
    assert service.tags_of_many([world.activity.id, third.id]) == {
        world.activity.id: {"keuzevak": ["PIE-K01"]},
        third.id: {"module": ["MVI-3"]},
    }


def test_a_location_offers_profiles_and_keuzevakken_per_school_year(db, world, events):
    year = SchoolYear(2026)
    service.set_offer(world.school, year, {"profile": ["PIE", "Z&W"], "keuzevak": ["PIE-K01"]})
    service.set_offer(world.school, SchoolYear(2025), {"profile": ["BWI"]})
    assert service.offer_of(world.school.id, year) == {
        "profile": {"PIE", "Z&W"},
        "keuzevak": {"PIE-K01"},
    }
    assert service.offer_of(world.school.id, 2025) == {"profile": {"BWI"}, "keuzevak": set()}
    assert service.offers_of_year(2026) == {
        world.school.id: {"profile": {"PIE", "Z&W"}, "keuzevak": {"PIE-K01"}}
    }
    assert [e.payload["school_year"] for e in events("SchoolOfferChanged")] == [2026, 2025]

    for offer, field in [({"profile": ["XYZ"]}, "profile"), ({"keuzevak": ["PIE-1"]}, "keuzevak")]:
        with pytest.raises(DomainError) as refused:
            service.set_offer(world.school, year, offer)
        assert refused.value.field == field
    with pytest.raises(DomainError):
        service.set_offer(world.company, year, {"profile": ["PIE"]})
    assert service.offer_of(world.school.id, year)["profile"] == {"PIE", "Z&W"}
