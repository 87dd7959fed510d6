"""The dashboard pages: who sees which figures, htmx filters, charts with a
text alternative, links to the lists behind the figures, and exports whose
cells cannot become spreadsheet formulas."""

from __future__ import annotations

import csv
import io
import re

import pytest
from flask_babel import force_locale, format_decimal
from openpyxl import load_workbook

from app.insights import service
from app.insights.filters import Filters, Scope
from tests import factories
from tests.apps import login
from tests.insights import dataset

HTMX = {"HX-Request": "true"}


@pytest.fixture
def region(db):
    return dataset.build()


def dutch_number(value: int) -> str:
    with force_locale("nl"):
        return format_decimal(value)


def figure(page: str, row_id: str) -> str:
    match = re.search(rf'<tr id="{row_id}">.*?<td>(.*?)</td>', page, re.S)
    assert match, row_id
    return re.sub(r"<[^>]+>", "", match.group(1)).strip()


def test_the_coordinator_sees_the_region(app, region, coordinator_client):
    school_year = region["school_year"]
    reach = service.reach(Scope.region(), school_year, Filters())
    response = coordinator_client.get(f"/insights?school_year={school_year.start}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert figure(page, "figure-students") == dutch_number(reach.current.students)
    assert figure(page, "figure-schools") == str(reach.current.schools)
    assert figure(page, "figure-companies") == str(reach.current.companies)
    # Every figure links to the list behind it.
    assert f'href="/insights/bookings?school_year={school_year.start}"' in page
    assert f'href="/insights/schools?school_year={school_year.start}"' in page
    assert f'href="/insights/bookings?school_year={school_year.start}&amp;profile=PIE"' in page
    # Charts: an image with a title and a text alternative, and the table beside it.
    for name in service.DIMENSIONS:
        assert re.search(rf'<svg [^>]*id="chart-{name}"[^>]*role="img"', page), name
    desc = re.search(r'<desc id="chart-kind-desc">(.*?)</desc>', page, re.S).group(1)
    for row in reach.breakdowns["kind"].rows:
        assert f"{row.label} {row.students}" in desc
    # The coverage loads after the first paint, from a link that also works without htmx.
    assert "Bedrijf zonder boekingen" not in page
    panel = f"/insights/panels/coverage?school_year={school_year.start}"
    assert f'hx-get="{panel}" hx-trigger="load"' in page
    assert f'href="{panel}"' in page
    assert "Bedrijf zonder boekingen" in coordinator_client.get(panel).get_data(as_text=True)


def test_filters_work_with_and_without_htmx(app, region, coordinator_client):
    school_year = region["school_year"]
    pie = service.reach(Scope.region(), school_year, Filters(profile="PIE"))
    url = f"/insights?school_year={school_year.start}&profile=PIE"
    full = coordinator_client.get(url).get_data(as_text=True)
    assert '<option value="PIE" selected>' in full
    assert figure(full, "figure-students") == dutch_number(pie.current.students)
    partial = coordinator_client.get(url, headers=HTMX)
    body = partial.get_data(as_text=True)
    assert body.lstrip().startswith('<div id="figures">') and "<html" not in body
    assert figure(body, "figure-students") == dutch_number(pie.current.students)
    assert "HX-Request" in partial.headers["Vary"]
    # Nonsense in the query string is ignored, not an error.
    assert (
        coordinator_client.get(
            "/insights?school_year=abc&profile=<x>&month=99&school=-1&page=x"
        ).status_code
        == 200
    )


def test_a_teacher_sees_only_the_own_school(app, region):
    school_year = region["school_year"]
    school, teacher = region["schools"][0], region["teachers"][0]
    own = service.reach(Scope.of([school]), school_year, Filters())
    client = login(app.test_client(), teacher)
    page = client.get(f"/insights?school_year={school_year.start}").get_data(as_text=True)
    assert figure(page, "figure-students") == dutch_number(own.current.students)
    assert figure(page, "figure-schools") == "1"
    listing = client.get(f"/insights/schools?school_year={school_year.start}").get_data(
        as_text=True
    )
    assert re.findall(r'<tr id="organisation-(\d+)">', listing) == [str(school.id)]
    # Asking for another school's slice gives nothing of it.
    other = region["schools"][1]
    page = client.get(f"/insights/bookings?school_year={school_year.start}&school={other.id}")
    assert re.findall(r'<tr id="participation-', page.get_data(as_text=True)) == []
    assert (
        client.get(
            f"/insights/export/bookings.csv?school={other.id}&school_year={school_year.start}"
        )
        .get_data(as_text=True)
        .count("\r\n")
        == 1
    )  # the header only


def test_people_outside_schools_and_companies_find_no_dashboard(app, db, client):
    stranger = factories.user(email="nobody@example.test")
    login(client, stranger)
    for path in ("/insights", "/insights/bookings", "/insights/export/reach.csv"):
        assert client.get(path).status_code == 404, path
    assert app.test_client().get("/insights").status_code == 302  # to the login page


def test_the_lists_behind_the_figures(app, region, coordinator_client):
    school_year = region["school_year"]
    pie = service.reach(Scope.region(), school_year, Filters(profile="PIE")).current
    page = coordinator_client.get(
        f"/insights/bookings?school_year={school_year.start}&profile=PIE"
    ).get_data(as_text=True)
    assert len(re.findall(r'<tr id="participation-\d+">', page)) == pie.groups
    evaluations = coordinator_client.get(
        f"/insights/evaluations?school_year={school_year.start}"
    ).get_data(as_text=True)
    everything = service.reach(Scope.region(), school_year, Filters()).current
    shown = len(re.findall(r'<article class="evaluation"', evaluations))
    assert shown == min(50, everything.evaluated_by_school + everything.evaluated_by_company)
    assert shown > 0
    idle = coordinator_client.get(
        f"/insights/coverage/idle_schools?school_year={school_year.start}"
    ).get_data(as_text=True)
    assert re.findall(r'<tr id="organisation-(\d+)">', idle) == [str(region["schools"][-1].id)]


def test_a_csv_export_has_the_numbers_of_the_table(app, region, coordinator_client):
    school_year = region["school_year"]
    reach = service.reach(Scope.region(), school_year, Filters())
    response = coordinator_client.get(f"/insights/export/kind.csv?school_year={school_year.start}")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))
    assert [(r[0], int(r[1]), int(r[2])) for r in rows[1:]] == [
        (row.label, row.students, row.groups) for row in reach.breakdowns["kind"].rows
    ]


DANGEROUS = ['=HYPERLINK("http://evil.test","Klik")', "+31 6 1234", "-2+3", "@SUM(A1)", "\t=1+1"]


@pytest.fixture
def dangerous_schools(db, region):
    """Schools whose names are formulas, each with a group that took place."""
    from tests.evaluations import builders

    school_year = region["school_year"]
    activity = factories.activity(region["companies"][0])
    slot = builders.past_slot(activity, starts_at=builders.local(school_year.start, 9, 15))
    for name in DANGEROUS:
        builders.booking(slot, factories.school(name=name, city=name), size=5)
    db.session.commit()
    return school_year


def test_exported_cells_cannot_become_formulas(app, dangerous_schools, coordinator_client):
    school_year = dangerous_schools
    csv_body = coordinator_client.get(
        f"/insights/export/schools.csv?school_year={school_year.start}"
    ).get_data()
    rows = list(csv.reader(io.StringIO(csv_body.decode("utf-8-sig"))))
    names = {r[0] for r in rows[1:]}
    towns = {r[1] for r in rows[1:]}
    for text in DANGEROUS:
        # A tab before the formula is white space, which exports leave out.
        assert "'" + text.lstrip() in names and "'" + text.lstrip() in towns
        assert text not in names
    # Numbers stay numbers.
    assert all(r[2].isdigit() for r in rows[1:])

    xlsx = coordinator_client.get(f"/insights/export/schools.xlsx?school_year={school_year.start}")
    assert xlsx.mimetype.endswith("spreadsheetml.sheet")
    sheet = load_workbook(io.BytesIO(xlsx.get_data())).active
    cells = [row for row in sheet.iter_rows(min_row=2)]
    by_name = {row[0].value: row for row in cells}
    for text in DANGEROUS:
        row = by_name["'" + text.lstrip()]
        assert row[0].data_type == "s" and row[1].data_type == "s"
        assert isinstance(row[2].value, int) and row[2].data_type == "n"
    assert not any(c.data_type == "f" for row in sheet.iter_rows() for c in row)


def test_every_table_exports(app, region, coordinator_client):
    from app.insights.tables import TABLES

    school_year = region["school_year"]
    for name in TABLES:
        for fmt in ("csv", "xlsx"):
            response = coordinator_client.get(
                f"/insights/export/{name}.{fmt}?school_year={school_year.start}"
            )
            assert response.status_code == 200, (name, fmt)
    assert coordinator_client.get("/insights/export/users.csv").status_code == 404


def test_the_school_years_offered_run_from_the_first_slot_to_the_last_of_any_status(db):
    from app.insights.views import school_years
    from app.school_year import SchoolYear

    current = SchoolYear.current()
    # Without slots: this school year and the last.
    assert [y.start for y in school_years()] == [current.start, current.start - 1]
    activity = factories.activity(factories.company())
    late = factories.slot(activity, days_ahead=400)
    early = factories.slot(activity, days_ahead=-1100, status="cancelled")
    factories.slot(activity, days_ahead=-30)
    db.session.flush()
    first = SchoolYear.containing(early.starts_at.date()).start
    last = SchoolYear.containing(late.starts_at.date()).start
    assert [y.start for y in school_years()] == list(range(last, first - 1, -1))
