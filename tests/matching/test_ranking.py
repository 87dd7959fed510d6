"""The ranking, on plain data: orderings and scores worked out by hand from the
tables in app/matching/ranking.py (and docs/decisions/0005-ranking.md)."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from flask_babel import force_locale

from app.matching.ranking import (
    KM_PER_DEGREE_LAT,
    CompanyFacts,
    Point,
    RequestFacts,
    SlotFacts,
    company_fit,
    distance_km,
    rank_companies,
    rank_requests,
    rank_slots,
)

ENSCHEDE = Point(52.2215, 6.8937)


def north_of(origin: Point, km: float) -> Point:
    """A point exactly `km` north: the distance is then all latitude."""
    return Point(origin.latitude + km / KM_PER_DEGREE_LAT, origin.longitude)


def request(**changes) -> RequestFacts:
    values = {
        "id": 1,
        "kind": "workshop",
        "profile": "PIE",
        "year": "3",
        "path": "KB",
        "group_size": 24,
        "first_day": date(2030, 3, 1),
        "last_day": date(2030, 3, 31),
        "venues": frozenset({"company", "school"}),
        "max_km": 30,
        "origin": ENSCHEDE,
    }
    values.update(changes)
    return RequestFacts(**values)


def slot(slot_id: int, **changes) -> SlotFacts:
    day = changes.pop("day", date(2030, 3, 10))
    values = {
        "slot_id": slot_id,
        "activity_id": slot_id,
        "company_id": 1,
        "title": f"S{slot_id}",
        "company_name": "Metaal Twente",
        "kind": "workshop",
        "profiles": frozenset({"PIE"}),
        "years": frozenset({"3", "4"}),
        "paths": frozenset({"BB", "KB"}),
        "venue": "company",
        "location": north_of(ENSCHEDE, 12),
        "day": day,
        "starts_at": datetime(day.year, day.month, day.day, 9),
        "free_places": 30,
        "capacity": 30,
        "max_group_size": 30,
    }
    values.update(changes)
    return SlotFacts(**values)


def test_distance_is_the_catalogues_equirectangular_km():
    assert distance_km(ENSCHEDE, north_of(ENSCHEDE, 12)) == pytest.approx(12.0)
    hengelo = Point(52.2658, 6.7931)
    assert 8 < distance_km(ENSCHEDE, hengelo) < 9


def test_slots_rank_by_the_documented_points():
    wanted = request()
    a = slot(1)  # 30 + 20 + 25 + 10 + round(15 * (1 - 12/30)) = 9 + 10 -> 104
    h = slot(2, day=date(2030, 3, 12))  # the same score, two days later
    b = slot(
        3,
        profiles=frozenset(),
        venue="school",
        location=None,
        day=date(2030, 3, 20),
        free_places=10,
    )  # 30 + 5 + 25 + 10 + 15 - 15 -> 70
    c = slot(
        4,
        kind="company_visit",
        location=north_of(ENSCHEDE, 6),
        day=date(2030, 4, 5),
        free_places=40,
        capacity=40,
    )  # 0 + 20 + 10 + 10 + 12 + 10 -> 62
    d = slot(
        5, venue="online", location=None, day=date(2030, 3, 5), free_places=24
    )  # 30 + 20 + 25 - 10 + 15 + 10 -> 90
    left_out = [
        slot(6, location=north_of(ENSCHEDE, 40)),  # further than the class travels
        slot(7, profiles=frozenset({"BWI"})),  # another profile
        slot(8, years=frozenset({"4"})),  # not for year 3
        slot(9, paths=frozenset({"GL", "TL"})),  # not for KB
        slot(10, max_group_size=20),  # groups of 20 at most
        slot(11, capacity=20, free_places=20),  # 20 places in all
    ]
    ranked = rank_slots(wanted, [c, left_out[0], b, h, *left_out[1:], d, a])
    assert [s.subject.slot_id for s in ranked] == [1, 2, 5, 3, 4]
    assert [s.score for s in ranked] == [104, 104, 90, 70, 62]
    assert ranked[0].codes == [
        "kind_matches",
        "profile_matches",
        "in_period",
        "venue_matches",
        "distance",
        "room",
    ]
    assert [r.points for r in ranked[0].reasons] == [30, 20, 25, 10, 9, 10]
    by_id = {s.subject.slot_id: s for s in ranked}
    assert by_id[3].codes == [
        "kind_matches",
        "profile_neutral",
        "in_period",
        "venue_matches",
        "comes_to_school",
        "few_places",
    ]
    assert by_id[3].reasons[-1].values == {"free": 10, "n": 24}
    assert by_id[4].codes == [
        "kind_differs",
        "profile_matches",
        "near_period",
        "venue_matches",
        "distance",
        "room",
    ]
    assert by_id[4].reasons[2].values == {"days": 5}
    assert by_id[5].reasons[3].code == "venue_differs" and by_id[5].reasons[3].points == -10


def test_without_a_travel_limit_nearer_is_better_within_fifty_km():
    wanted = request(max_km=None)
    near, far, very_far = (
        slot(1, location=north_of(ENSCHEDE, 4)),
        slot(2, location=north_of(ENSCHEDE, 20)),
        slot(3, location=north_of(ENSCHEDE, 80)),
    )
    ranked = rank_slots(wanted, [very_far, far, near])
    assert [s.subject.slot_id for s in ranked] == [1, 2, 3]
    # 15 * (1 - d / 50), rounded half up, never below 0: 13.8, 9, -9
    assert [s.reasons[4].points for s in ranked] == [14, 9, 0]


def test_a_placement_request_gets_no_dates():
    assert rank_slots(request(kind="placement"), [slot(1)]) == []


def test_companies_rank_by_fit_then_name():
    wanted = request()
    k1 = CompanyFacts(
        1,
        "Metaal Twente",
        frozenset({"metal"}),
        frozenset(),
        offered_profiles=frozenset({"PIE"}),
        location=north_of(ENSCHEDE, 12),
        kinds_offered={"workshop": 2},
    )  # 25 + 20 + 15 + round(15 * 0.76) = 11
    k2 = CompanyFacts(
        2, "Bouw Oost", frozenset({"construction"}), frozenset(), location=ENSCHEDE
    )  # no fit
    k3 = CompanyFacts(
        3, "Energie BV", frozenset({"energy"}), frozenset(), location=north_of(ENSCHEDE, 3)
    )  # 20 + round(15 * 0.94) = 14
    k4 = CompanyFacts(
        4,
        "Alpha Installaties",
        frozenset({"electrical"}),
        frozenset({"PIE"}),
        kinds_offered={"workshop": 1},
    )  # 25 + 20 + 15 + 0 (unknown)
    k5 = CompanyFacts(
        5, "Zeta Energie", frozenset({"energy"}), frozenset(), location=north_of(ENSCHEDE, 3)
    )  # 34, as Energie BV
    ranked = rank_companies(wanted, [k5, k2, k4, k3, k1])
    assert [s.subject.id for s in ranked] == [1, 4, 3, 5]
    assert [s.score for s in ranked] == [71, 60, 34, 34]
    assert ranked[0].codes == ["profile_offered", "sector_fits", "kind_offered", "distance"]
    assert ranked[0].reasons[1].values == {"sector": "metal", "profile": "PIE"}
    outside = company_fit(wanted, k2)
    assert not outside.fits and "outside_sectors" in outside.codes


def test_requests_for_a_company_rank_by_fit_then_urgency():
    company = CompanyFacts(
        9,
        "Metaal Twente",
        frozenset({"metal"}),
        frozenset(),
        offered_profiles=frozenset({"PIE"}),
        location=ENSCHEDE,
        kinds_offered={"workshop": 1},
    )
    only_company = frozenset({"company"})
    r1 = request(id=1, venues=only_company, origin=north_of(ENSCHEDE, 12))  # 25+20+15+9 = 69
    r2 = request(
        id=2,
        kind="company_visit",
        profile=None,
        year="1",
        last_day=date(2030, 2, 15),
        venues=frozenset({"school"}),
        origin=north_of(ENSCHEDE, 40),
    )  # 10 + 0 + round(15 * 0.2) = 3 -> 13
    r3 = request(id=3, profile="MVI")  # ICT: not for a metal company
    r4 = request(
        id=4, venues=only_company, max_km=10, origin=north_of(ENSCHEDE, 12)
    )  # the class cannot come this far
    r5 = request(
        id=5, venues=only_company, origin=north_of(ENSCHEDE, 12), last_day=date(2030, 3, 15)
    )  # as r1, ends sooner
    ranked = rank_requests(company, [r1, r2, r3, r4, r5])
    assert [s.subject.id for s in ranked] == [5, 1, 2]
    assert [s.score for s in ranked] == [69, 69, 13]
    assert ranked[2].codes == ["orientation", "distance"]
    beyond = company_fit(r4, company)
    assert beyond.fits and not beyond.reachable
    assert beyond.reasons[-1].code == "beyond_reach" and beyond.reasons[-1].points == -20


def test_a_placement_request_values_hybrid_teacher_candidates():
    wanted = request(kind="placement", venues=frozenset({"school"}))
    with_people = CompanyFacts(
        1, "A", frozenset({"metal"}), frozenset(), candidates=2, kinds_offered={"workshop": 3}
    )
    without = CompanyFacts(2, "B", frozenset({"metal"}), frozenset(), kinds_offered={"workshop": 3})
    ranked = rank_companies(wanted, [without, with_people])
    assert [s.subject.id for s in ranked] == [1, 2]
    assert "has_candidates" in ranked[0].codes and "kind_offered" not in ranked[1].codes


def test_the_reasons_read_as_phrases_in_either_language(app):
    [best] = rank_slots(request(), [slot(1)])
    with force_locale("en"):
        assert [r.text for r in best.reasons] == [
            "Workshop, as asked",
            "Profile PIE matches",
            "In your period",
            "At the company, as asked",
            "12 km away",
            "30 free places for 24 students",
        ]
    with force_locale("nl"):
        assert [r.text for r in best.reasons] == [
            "Workshop, zoals gevraagd",
            "Profiel PIE past",
            "In je periode",
            "Bij het bedrijf, zoals gevraagd",
            "12 km verderop",
            "30 vrije plaatsen voor 24 leerlingen",
        ]
    one_day_late = rank_slots(
        request(), [slot(2, day=date(2030, 4, 1), free_places=1, capacity=30)]
    )[0]
    with force_locale("en"):
        texts = [r.text for r in one_day_late.reasons]
    assert "1 day outside your period" in texts and "Only 1 free place for 24 students" in texts
