"""The dashboard's figures equal what the raw rows say, recomputed in Python:
reach (students attended when evaluated, booked otherwise; distinct schools
and companies; by profile, class year, path, sector, kind, month and town),
last year beside this year, coverage, and the evaluation summary; for the
region, for one school, for one company, and with filters."""

from __future__ import annotations

import pytest

from app.insights import service
from app.insights.filters import Filters, Scope
from tests.insights import dataset, recompute


@pytest.fixture
def region(db):
    return dataset.build()


def expected_rows(school_year, keep=lambda r: True):
    rows = [r for r in recompute.raw_rows() if keep(r)]
    return (
        [r for r in rows if r.school_year == school_year.start],
        [r for r in rows if r.school_year == school_year.start - 1],
    )


def as_dict(totals: service.Totals) -> dict:
    return {
        name: getattr(totals, name)
        for name in (
            "students",
            "booked",
            "groups",
            "schools",
            "companies",
            "evaluated_by_school",
            "evaluated_by_company",
        )
    }


def check_reach(reach: service.Reach, now, before):
    assert as_dict(reach.current) == recompute.totals(now)
    assert as_dict(reach.previous) == recompute.totals(before)
    for name in service.DIMENSIONS:
        shown = {
            r.key: (r.students, r.groups, r.schools)
            for r in reach.breakdowns[name].rows
            if r.groups
        }
        assert shown == recompute.breakdown(now, name), name
        last_year = {r.key: r.previous for r in reach.breakdowns[name].rows if r.previous}
        assert last_year == {k: v[0] for k, v in recompute.breakdown(before, name).items()}, name


def test_the_region_figures_match_the_raw_rows(region):
    school_year = region["school_year"]
    reach = service.reach(Scope.region(), school_year, Filters())
    now, before = expected_rows(school_year)
    # The data set really exercises the rules: evaluated head counts differ from
    # the booked sizes, every dimension has several values, both years have groups.
    assert recompute.totals(now)["students"] != recompute.totals(now)["booked"]
    assert len(now) > 10 and len(before) > 10
    assert recompute.breakdown(now, "sector")  # multi-sector activities count in each
    check_reach(reach, now, before)


def test_slots_at_the_edges_of_months_and_years_count_in_local_time(region):
    school_year = region["school_year"]
    reach = service.reach(Scope.region(), school_year, Filters())
    months = {r.key: r.groups for r in reach.breakdowns["month"].rows}
    now, _ = expected_rows(school_year)
    # 1 November 00:15 in Amsterdam is 31 October in UTC; it is a November group.
    assert months.get(11, 0) == sum(1 for r in now if r.month == 11) >= 1
    assert months.get(8, 0) == sum(1 for r in now if r.month == 8) >= 1


@pytest.mark.parametrize(
    "filters",
    [
        Filters(profile="PIE"),
        Filters(profile=Filters.NO_PROFILE),
        Filters(sector="metal"),
        Filters(kind="workshop", path="KB"),
        Filters(year="3", town="Hengelo"),
        Filters(month=11),
    ],
)
def test_filtered_figures_match_the_raw_rows(region, filters):
    school_year = region["school_year"]

    def keep(row):
        b = row.booking
        return all(
            [
                filters.profile is None
                or (
                    b.profile is None if filters.profile == "none" else b.profile == filters.profile
                ),
                filters.sector is None or filters.sector in row.sectors,
                filters.kind is None or row.kind == filters.kind,
                filters.path is None or b.path == filters.path,
                filters.year is None or b.year == filters.year,
                filters.town is None or row.town == filters.town,
                filters.month is None or row.month == filters.month,
            ]
        )

    now, before = expected_rows(school_year, keep)
    check_reach(service.reach(Scope.region(), school_year, filters), now, before)


def test_a_school_and_a_company_see_their_own_figures(region):
    school_year = region["school_year"]
    school, company = region["schools"][0], region["companies"][1]
    now, before = expected_rows(school_year, lambda r: r.booking.school_id == school.id)
    assert now
    check_reach(service.reach(Scope.of([school]), school_year, Filters()), now, before)
    now, before = expected_rows(school_year, lambda r: r.company_id == company.id)
    assert now
    check_reach(service.reach(Scope.of([company]), school_year, Filters()), now, before)
    # Someone in no school or company sees nothing at all.
    empty = service.reach(Scope.of([]), school_year, Filters())
    assert empty.current.groups == empty.previous.groups == 0


def test_the_evaluation_summary_matches_the_raw_rows(region):
    school_year = region["school_year"]
    now, _ = expected_rows(school_year)
    summary = service.evaluation_summary(Scope.region(), school_year, Filters())
    assert summary.groups == len(now)
    assert summary.by_school == sum(1 for r in now if r.school_rating is not None)
    assert summary.by_company == sum(1 for r in now if r.company_rating is not None)
    assert summary.school_rate == pytest.approx(summary.by_school / len(now))

    def ratings(key_of):
        found = {}
        for row in now:
            for key in key_of(row):
                school, company = found.setdefault(key, ([], []))
                if row.school_rating is not None:
                    school.append(row.school_rating)
                if row.company_rating is not None:
                    company.append(row.company_rating)
        return {
            k: (len(s), recompute.average(s), len(c), recompute.average(c))
            for k, (s, c) in found.items()
            if s or c
        }

    assert {
        r.key: (r.school_count, r.school_average, r.company_count, r.company_average)
        for r in summary.by_kind
    } == ratings(lambda r: [r.kind])
    assert {
        r.key: (r.school_count, r.school_average, r.company_count, r.company_average)
        for r in summary.by_sector
    } == ratings(lambda r: sorted(r.sectors))


def test_coverage_names_the_schools_and_companies_without_activity(region):
    school_year = region["school_year"]
    found = service.coverage(Scope.region(), school_year)
    idle_school = region["schools"][-1]
    assert [o.id for o in found.idle_schools] == [idle_school.id]
    assert [o.id for o in found.idle_companies] == [region["idle_company"].id]
    assert (found.idle_schools_count, found.idle_companies_count) == (1, 1)
    assert found.schools == 6


def test_the_lists_behind_the_figures_add_up(region):
    school_year = region["school_year"]
    reach = service.reach(Scope.region(), school_year, Filters())
    for row in reach.breakdowns["profile"].rows:
        page = service.participations(Scope.region(), school_year, row.filters, per_page=None)
        assert page.total == row.groups
        assert sum(p.students for p in page.items) == row.students
    schools = service.by_organisation("school", Scope.region(), school_year, Filters())
    assert sum(r.students for r in schools) == reach.current.students
    assert len(schools) == reach.current.schools
    companies = service.by_organisation("company", Scope.region(), school_year, Filters())
    assert sum(r.groups for r in companies) == reach.current.groups
    evaluations = service.evaluations(Scope.region(), school_year, Filters(), per_page=None)
    assert (
        evaluations.total == reach.current.evaluated_by_school + reach.current.evaluated_by_company
    )


def test_confirmed_groups_still_to_come_are_counted_apart(db, teacher, contact):
    from app.insights.filters import SchoolYear
    from app.timeutil import to_local
    from tests import factories
    from tests.evaluations import builders

    school, company = teacher.organisations()[0], contact.organisations()[0]
    workshop = factories.activity(company, kind="workshop")
    visit = factories.activity(company, kind="company_visit")
    slot = factories.slot(workshop, days_ahead=2)
    builders.booking(slot, school, size=14, status="confirmed")
    builders.booking(slot, factories.school(), size=9, status="confirmed")
    builders.booking(slot, school, size=30, status="requested")  # not confirmed
    builders.booking(factories.slot(visit, days_ahead=2), school, size=5, status="confirmed")
    builders.booking(builders.past_slot(workshop), school, size=11, status="confirmed")  # past
    school_year = SchoolYear.containing(to_local(slot.starts_at).date())
    assert service.planned(Scope.region(), school_year, Filters()) == (3, 28)
    assert service.planned(Scope.region(), school_year, Filters(kind="workshop")) == (2, 23)
    assert service.planned(Scope.of([school]), school_year, Filters()) == (2, 19)
    assert service.planned(Scope.of([company]), school_year, Filters()) == (3, 28)
    assert service.planned(Scope.of([factories.company()]), school_year, Filters()) == (0, 0)
