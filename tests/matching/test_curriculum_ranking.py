"""The curriculum in the suggestions: an activity that serves a keuzevak the
school offers, or a module of the group's profile, ranks higher and says so;
on plain data and through the database (both backends)."""

from __future__ import annotations

from flask_babel import force_locale

from app.curriculum import service as curriculum
from app.matching import candidates
from app.matching.ranking import CompanyFacts, company_fit, rank_slots
from app.school_requests import service
from app.school_year import SchoolYear
from tests import factories
from tests.matching.test_ranking import request, slot
from tests.school_requests.helpers import request_input


def test_serving_an_offered_keuzevak_and_the_group_s_modules_adds_points_and_reasons(app):
    wanted = request(keuzevakken=frozenset({"PIE-K01", "1505"}), modules=frozenset({"PIE-3"}))
    plain = slot(1)
    keuzevak = slot(2, keuzevakken=frozenset({"PIE-K01", "BWI-K02"}))
    both = slot(3, keuzevakken=frozenset({"PIE-K01", "1505"}), modules=frozenset({"PIE-3"}))
    ranked = rank_slots(wanted, [plain, keuzevak, both])
    assert [s.subject.slot_id for s in ranked] == [3, 2, 1]
    assert ranked[1].score - ranked[2].score == 15
    assert ranked[0].score - ranked[2].score == 15 + 10
    with force_locale("en"):
        assert ranked[1].reasons[-1].text == "Serves keuzevak PIE-K01 of your offer"
        assert [r.text for r in ranked[0].reasons[-2:]] == [
            "Serves keuzevakken 1505, PIE-K01 of your offer",
            "Serves module PIE-3",
        ]
    with force_locale("nl"):
        assert ranked[1].reasons[-1].text == "Dient keuzevak PIE-K01 van jullie aanbod"

    company = CompanyFacts(
        id=1,
        name="Zon BV",
        sectors=frozenset({"energy"}),
        profiles=frozenset({"PIE"}),
        keuzevakken=frozenset({"PIE-K01"}),
    )
    fit = company_fit(wanted, company)
    assert "offers_keuzevakken" in fit.codes
    assert (
        fit.score
        - company_fit(
            wanted,
            CompanyFacts(
                id=1, name="Zon BV", sectors=frozenset({"energy"}), profiles=frozenset({"PIE"})
            ),
        ).score
        == 10
    )


def test_a_request_s_suggestions_read_the_school_s_offer_and_the_activities_tags(db, world):
    year = SchoolYear.current()
    curriculum.set_offer(world.school, year, {"profile": ["PIE"], "keuzevak": ["PIE-K01"]})
    other = factories.activity(world.company, kind="workshop", title="Zonnepanelen")
    factories.slot(other, days_ahead=21)
    curriculum.set_tags(other.id, {"keuzevak": ["PIE-K01"], "module": ["PIE-4"]})
    asked = service.post_request(
        world.teacher, world.school, request_input(profile="PIE", max_km=None)
    )
    facts = candidates.request_facts(asked)
    assert facts.keuzevakken == {"PIE-K01"}
    assert facts.modules == {"PIE-1", "PIE-2", "PIE-3", "PIE-4"}
    found = {s.subject.activity_id: s for s in candidates.slot_suggestions(asked)}
    assert "serves_keuzevakken" in found[other.id].codes
    assert "serves_modules" in found[other.id].codes
    assert "serves_keuzevakken" not in found[world.activity.id].codes
