"""A school's curriculum map: the modules and keuzevakken of its offer by
month with the activities that served them, and the ones that met no company
this school year, recomputed from the raw rows."""

from __future__ import annotations

import re
from datetime import datetime

import pytest

from app.curriculum.service import entries, load_reference, set_offer, set_tags
from app.insights import service
from app.school_year import SchoolYear
from app.timeutil import local_to_utc
from tests import factories
from tests.apps import login
from tests.evaluations import builders

YEAR = SchoolYear.current()


@pytest.fixture
def school(db, teacher, contact):
    load_reference()
    school = teacher.organisations()[0]
    set_offer(school, YEAR, {"profile": ["BWI"], "keuzevak": ["BWI-K01", "BWI-K02"]})
    company = contact.organisations()[0]
    visit = factories.activity(company, title="Bouwplaatsbezoek")
    set_tags(visit.id, {"module": ["BWI-1", "PIE-1"], "keuzevak": ["BWI-K01"]})
    other = factories.activity(company, title="Meubelwerkplaats")
    set_tags(other.id, {"module": ["BWI-3"]})
    first = YEAR.first_day
    october = local_to_utc(datetime(first.year, 10, 7, 10))
    builders.booking(builders.past_slot(visit, starts_at=october), school, teacher=teacher)
    # Planned for later counts too; a cancelled one and another school's do not.
    may = local_to_utc(datetime(first.year + 1, 5, 12, 10))
    builders.booking(
        factories.slot(other, starts_at=may), school, status="confirmed", teacher=teacher
    )
    builders.booking(builders.past_slot(other, starts_at=october), school, status="cancelled")
    builders.booking(builders.past_slot(visit, starts_at=october), factories.school())
    db.session.commit()
    return school


def test_the_gaps_and_the_months_from_the_raw_rows(db, school):
    found = service.curriculum_map(school, YEAR)
    bwi_modules = {e.code for e in entries("module") if e.profile == "BWI"}
    served = {"BWI-1", "BWI-3", "BWI-K01"}
    assert {line.entry.code for line in found.gaps} == (
        bwi_modules | {"BWI-K01", "BWI-K02"}
    ) - served
    by_code = {line.entry.code: line for line in found.lines}
    assert [s.title for s in by_code["BWI-1"].months[10]] == ["Bouwplaatsbezoek"]
    # Served but not in the offer: shown, marked, never a gap.
    assert by_code["PIE-1"].offered is False and by_code["PIE-1"].met
    assert 5 in by_code["BWI-3"].months
    assert all(line.offered for line in found.lines[: len(bwi_modules) + 2])


def test_the_page_for_the_school_and_coordinators_only(db, app, school, teacher, coordinator):
    page = login(app.test_client(), teacher).get(f"/insights/schools/{school.id}/curriculum")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'id="gap-keuzevak-BWI-K02"' in html and 'id="gap-module-BWI-1"' not in html
    assert re.search(r'id="line-module-BWI-1".*?Bouwplaatsbezoek', html, re.S)
    assert (
        login(app.test_client(), coordinator)
        .get(f"/insights/schools/{school.id}/curriculum")
        .status_code
        == 200
    )
    stranger = login(app.test_client(), factories.user(factories.school(), "teacher"))
    assert stranger.get(f"/insights/schools/{school.id}/curriculum").status_code == 404
