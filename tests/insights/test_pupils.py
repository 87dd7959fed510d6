"""Coverage in pupils recomputed from the raw rows (the bookings that took
place, the schools' head counts, the enrolment) and shown on the dashboard
with every figure linked to the groups behind it."""

from __future__ import annotations

import re
from collections import defaultdict

import pytest
from sqlalchemy import select

from app.enrolment import service as enrolment
from app.enrolment.models import Enrolment
from app.insights import service
from app.insights.filters import Scope
from app.school_year import SchoolYear
from tests import factories
from tests.apps import login
from tests.evaluations import builders
from tests.insights.recompute import raw_rows

THIS_YEAR = SchoolYear.current()


@pytest.fixture
def picture(db, teacher, contact, coordinator):
    """Two schools with pupil numbers, groups of them that took part (one
    class twice, one evaluated with fewer pupils), a group outside the
    enrolment, and groups that do not count (last year, not yet, cancelled)."""
    school = teacher.organisations()[0]
    other = factories.school(name="Het Assink")
    company = contact.organisations()[0]
    activity = factories.activity(company, contact_id=contact.id)
    enrolment.set_enrolment(
        coordinator, school, THIS_YEAR, {("3", "KB", "PIE"): 40, ("1", "BB", ""): 60}
    )
    enrolment.set_enrolment(coordinator, other, THIS_YEAR, {("3", "KB", "PIE"): 25})
    enrolment.set_enrolment(coordinator, school, THIS_YEAR.previous, {("3", "KB", "PIE"): 99})

    def took_part(where, size, day, **values):
        # A day of October of this school year (or, day 400, of the year before),
        # whatever day the test runs.
        year = THIS_YEAR.start - (1 if day == 400 else 0)
        slot = builders.past_slot(activity, starts_at=builders.local(year, 10, day % 28 + 1))
        return builders.booking(slot, where, size=size, teacher=teacher, **values)

    took_part(school, 22, 3)
    took_part(school, 30, 4)  # together 52, more than the 40 enrolled
    evaluated = took_part(school, 25, 5, year="1", path="BB", profile=None)
    builders.evaluation(evaluated, "school", attended=21)
    took_part(other, 10, 6)
    took_part(other, 12, 7, year="4", path="GL", profile="BWI")  # no enrolment there
    took_part(school, 18, 400)  # last school year (or earlier)
    builders.booking(factories.slot(activity), school, size=15, status="confirmed")
    took_part(school, 19, 8, status="cancelled")
    db.session.commit()
    return school, other


def expected_cells(school_year: SchoolYear) -> dict:
    """From the raw rows: per cell the pupils enrolled and the groups' sizes."""
    groups = defaultdict(list)
    for row in raw_rows():
        if row.school_year != school_year.start:
            continue
        b = row.booking
        groups[(b.school_id, b.year, b.path, b.profile or "")].append(row.students)
    enrolled = {(e.location_id, e.year, e.path, e.profile): e.pupils for e in db_rows(school_year)}
    return {
        key: (pupils, min(pupils, max(groups[key], default=0)), min(pupils, sum(groups[key])))
        for key, pupils in enrolled.items()
    }, {key: sizes for key, sizes in groups.items() if key not in enrolled}


def db_rows(school_year):
    from app.extensions import db

    return db.session.scalars(select(Enrolment).where(Enrolment.school_year == school_year.start))


def test_the_estimate_recomputed_from_the_raw_rows(db, picture):
    school, other = picture
    found = service.pupil_coverage(Scope.region(), THIS_YEAR)
    cells, outside = expected_cells(THIS_YEAR)
    assert {
        (c.school_id, c.year, c.path, c.profile): (c.enrolled, c.at_least, c.at_most)
        for c in found.cells
    } == cells
    # Spelled out once: 40 enrolled, groups of 22 and 30 → 30 to 40; 60 enrolled,
    # one group of whom 21 came → 21 to 21; 25 enrolled, a group of 10 → 10 to 10.
    assert cells[(school.id, "3", "KB", "PIE")] == (40, 30, 40)
    assert cells[(school.id, "1", "BB", "")] == (60, 21, 21)
    total = found.total
    assert (total.enrolled, total.at_least, total.at_most) == (125, 61, 71)
    assert (found.outside_groups, found.outside_students) == (1, 12)
    assert sum(len(v) for v in outside.values()) == 1
    by_school = dict(found.by("school"))
    assert (by_school[other.id].enrolled, by_school[other.id].at_most) == (25, 10)
    by_year = dict(found.by("year"))
    assert (by_year["1"].at_least, by_year["3"].at_least) == (21, 40)


def test_a_school_sees_only_its_own_pupils(db, picture):
    school, other = picture
    own = service.pupil_coverage(Scope(school_ids=(school.id,), company_ids=()), THIS_YEAR)
    assert {c.school_id for c in own.cells} == {school.id}
    assert own.total.enrolled == 100


def test_the_dashboard_shows_the_range_and_links_each_figure_to_its_groups(
    db, app, picture, coordinator
):
    school, _other = picture
    client = login(app.test_client(), coordinator)
    page = client.get(f"/insights?school_year={THIS_YEAR.start}").get_data(as_text=True)
    assert 'id="pupils-total"' in page and 'id="pupils-method"' in page
    row = re.search(rf'<tr id="pupils-school-{school.id}">(.*?)</tr>', page, re.S).group(1)
    assert "100" in row and "51" in row and "61" in row  # 30+21 to 40+21 of 100
    link = re.findall(r'href="([^"]+)"', row)[-1].replace("&amp;", "&")  # the groups
    listed = client.get(link).get_data(as_text=True)
    # The school's groups that took part this year: not last year's, nor the
    # one still to come, nor the cancelled one.
    assert listed.count('<tr id="participation-') == 3


def test_a_company_sees_no_pupil_coverage(db, app, picture, contact):
    client = login(app.test_client(), contact)
    page = client.get("/insights").get_data(as_text=True)
    assert 'id="pupils"' not in page
