"""Hybrid-teacher hours per school: recomputed in Python from the raw
placement rows, for the region, a school and a company; the same placements
as the placements overview counts; on the dashboard and in the exports."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from datetime import date, time, timedelta

import pytest
from sqlalchemy import select

from app.extensions import db as database
from app.insights import service
from app.insights.filters import SchoolYear, Scope
from app.placements import service as placements
from app.placements.models import Placement, Professional
from app.timeutil import utcnow
from tests import factories

HTMX = {"HX-Request": "true"}


def placement(company, school, status, first, last, hours, ended_on=None):
    """A placement as history, straight into the table (the lifecycle is tested
    in tests/placements)."""
    person = Professional(company_id=company.id, name=f"Vakmens {company.id}-{hours}")
    database.session.add(person)
    database.session.flush()
    row = Placement(
        company_id=company.id,
        school_id=school.id,
        professional_id=person.id,
        hours_per_week=hours,
        weekdays=frozenset({"mo"}),
        start_time=time(9),
        end_time=time(12),
        first_date=first,
        last_date=last,
        status=status,
        ended_on=ended_on,
        agreed_at=utcnow() if status in ("agreed", "ended") else None,
    )
    database.session.add(row)
    database.session.flush()
    return row


@pytest.fixture
def hybrid(db):
    school_year = SchoolYear.current().previous
    first = school_year.first_day
    last = date(school_year.start + 1, 7, 31)
    s1 = factories.school(name="Het Stedelijk", city="Enschede")
    s2 = factories.school(name="Twents Carmel", city="Oldenzaal")
    s3 = factories.school(name="Zonder uren", city="Almelo")
    c1 = factories.company(name="Draaierij")
    c2 = factories.company(name="Installateur")
    month = timedelta(days=30)
    placement(c1, s1, "agreed", first + month, first + 5 * month, 4)
    placement(c2, s1, "ended", first, last, 3, ended_on=first + 2 * month)
    placement(c1, s2, "agreed", first + 3 * month, last + month, 6)
    placement(c1, s1, "agreed", first - 2 * month, first + month, 2)  # across the year's start
    placement(c2, s2, "proposed", first + month, first + 3 * month, 5)
    placement(c1, s3, "agreed", first - 6 * month, first - timedelta(days=1), 7)  # year before
    placement(c2, s3, "ended", first - month, first + 4 * month, 8, ended_on=first - month)
    placement(c1, s3, "declined", first + month, first + 2 * month, 9)
    db.session.commit()
    return {"school_year": school_year, "schools": (s1, s2, s3), "companies": (c1, c2)}


def expected(school_year: SchoolYear, keep=lambda p: True) -> dict[int, tuple[int, int]]:
    """{school id: (hours a week, placements)} from the raw rows."""
    first, last = school_year.first_day, date(school_year.start + 1, 7, 31)
    found = defaultdict(lambda: [0, 0])
    for p in database.session.scalars(select(Placement)):
        ran = p.status in ("agreed", "ended") and p.first_date <= last and p.last_date >= first
        if ran and (p.ended_on is None or p.ended_on >= first) and keep(p):
            found[p.school_id][0] += p.hours_per_week
            found[p.school_id][1] += 1
    return {k: tuple(v) for k, v in found.items()}


def shown(rows) -> dict[int, tuple[int, int]]:
    return {r.school_id: (r.hours_per_week, r.placements) for r in rows}


def test_the_hours_match_the_raw_placement_rows(app, hybrid):
    school_year = hybrid["school_year"]
    s1, s2, _ = hybrid["schools"]
    c1, c2 = hybrid["companies"]
    region = service.hybrid_hours(Scope.region(), school_year)
    assert shown(region) == expected(school_year) == {s1.id: (9, 3), s2.id: (6, 1)}
    assert [r.school_id for r in region] == [s1.id, s2.id]  # most hours first
    assert shown(service.hybrid_hours(Scope.of([s2]), school_year)) == expected(
        school_year, lambda p: p.school_id == s2.id
    )
    assert (
        shown(service.hybrid_hours(Scope.of([c2]), school_year))
        == expected(school_year, lambda p: p.company_id == c2.id)
        == {s1.id: (3, 1)}
    )
    assert service.hybrid_hours(Scope.of([]), school_year) == []
    # The placements overview counts the same placements.
    overview = placements.hours_per_school(
        school_year.first_day, date(school_year.start + 1, 7, 31)
    )
    assert {h.school_id: (h.hours_per_week, h.placements) for h in overview} == shown(region)
    # In the year before, only what ran then.
    assert shown(service.hybrid_hours(Scope.region(), school_year.previous)) == expected(
        school_year.previous
    )


def test_the_dashboard_shows_them_and_exports_them(app, hybrid, coordinator_client):
    start = hybrid["school_year"].start
    s1, s2, s3 = hybrid["schools"]
    panel = coordinator_client.get(
        f"/insights/panels/coverage?school_year={start}", headers=HTMX
    ).get_data(as_text=True)
    assert '<strong id="hybrid-hours-total">15</strong>' in panel
    assert f'id="hybrid-school-{s1.id}"' in panel and f'id="hybrid-school-{s2.id}"' in panel
    assert f'id="hybrid-school-{s3.id}"' not in panel
    assert 'href="/placements/overview"' in panel
    export = coordinator_client.get(f"/insights/export/hybrid_hours.csv?school_year={start}")
    rows = list(csv.reader(io.StringIO(export.get_data().decode("utf-8-sig"))))
    assert [(r[0], r[1], int(r[2]), int(r[3])) for r in rows[1:]] == [
        ("Het Stedelijk", "Enschede", 9, 3),
        ("Twents Carmel", "Oldenzaal", 6, 1),
    ]
    assert (
        coordinator_client.get(
            f"/insights/export/hybrid_hours.xlsx?school_year={start}"
        ).status_code
        == 200
    )


def test_a_school_sees_only_its_own_hours(app, hybrid):
    from tests.apps import login

    s1, s2, _ = hybrid["schools"]
    teacher = factories.user(s2, "teacher")
    client = login(app.test_client(), teacher)
    start = hybrid["school_year"].start
    panel = client.get(f"/insights/panels/coverage?school_year={start}", headers=HTMX).get_data(
        as_text=True
    )
    assert '<strong id="hybrid-hours-total">6</strong>' in panel
    assert f'id="hybrid-school-{s1.id}"' not in panel
