"""Exports of anything stored never fail: names, towns, titles and
evaluation answers written before today's input rule (or by hand) with
control characters, bidirectional overrides, noncharacters, formulas and
semicolons still give every table in CSV and XLSX, each cell plain text that
no spreadsheet runs."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from app.insights.tables import TABLES
from tests import factories
from tests.apps import login
from tests.evaluations import builders
from tests.test_text import INVISIBLE

# PostgreSQL refuses NUL in text, so no row can hold it; every other control
# character it stores, and openpyxl refuses most of them.
HOSTILE = [
    "\x01=cmd|' /C calc'!A0",
    "Vak\x0bcollege\x1b[31m \x7f\x85\u202eloohcS",
    'Naam;=HYPERLINK("http://evil.test","Klik")',
    "@SUM(A1)\ufffe",
    "-2+3\u2066",
    "\t=1+1",
    'Het "Assink"\r\nLyceum',
]
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@pytest.fixture
def hostile_region(db):
    """Organisations, an activity and evaluations whose text is each of HOSTILE,
    stored as they are, with groups that took part this school year and last."""
    from app.insights.filters import SchoolYear

    school_year = SchoolYear.current()
    for i, text in enumerate(HOSTILE):
        company = factories.company(name=text, city=text)
        activity = factories.activity(company, title=text)
        for year in (school_year, school_year.previous):
            slot = builders.past_slot(activity, starts_at=builders.local(year.start, 9, 15 + i))
            school = factories.school(name=text, city=text, postcode="7511 AB")
            booking = builders.booking(slot, school, size=5)
            builders.evaluation(booking, "school", went_well=text, could_be_better=text)
            builders.evaluation(booking, "company", went_well=text)
        factories.school(name=f"{text} (zonder groepen)", city=text)
    db.session.commit()
    return school_year


def _texts(cells) -> list[str]:
    return [value for value in cells if isinstance(value, str) and value]


def _assert_harmless(texts, where) -> None:
    assert texts, where
    for text in texts:
        assert not text.startswith(FORMULA_STARTS), (where, text)
        assert not set(text) & set(INVISIBLE), (where, text)


@pytest.mark.parametrize("year", ["this", "previous"])
def test_every_table_exports_whatever_was_stored(app, hostile_region, year):
    coordinator = factories.user(factories.network(), "coordinator")
    client = login(app.test_client(), coordinator)
    start = hostile_region.start if year == "this" else hostile_region.previous.start
    for name in TABLES:
        response = client.get(f"/insights/export/{name}.csv?school_year={start}")
        assert response.status_code == 200, (name, "csv")
        raw = response.get_data().decode("utf-8-sig")
        rows = list(csv.reader(io.StringIO(raw)))
        _assert_harmless(_texts(cell for row in rows for cell in row), (name, "csv"))

        response = client.get(f"/insights/export/{name}.xlsx?school_year={start}")
        assert response.status_code == 200, (name, "xlsx")
        sheet = load_workbook(io.BytesIO(response.get_data())).active
        cells = [cell for row in sheet.iter_rows() for cell in row]
        assert not any(cell.data_type == "f" for cell in cells), name
        _assert_harmless(_texts(cell.value for cell in cells), (name, "xlsx"))


def test_a_semicolon_cannot_start_a_cell_in_a_dutch_spreadsheet(app, hostile_region):
    """Dutch Excel splits CSV at ";": every text cell is quoted, so the name
    stays one cell however it is split, and its formula stays text."""
    coordinator = factories.user(factories.network(), "coordinator")
    client = login(app.test_client(), coordinator)
    raw = (
        client.get(f"/insights/export/companies.csv?school_year={hostile_region.start}")
        .get_data()
        .decode("utf-8-sig")
    )
    assert '"Naam;\'=HYPERLINK(""http://evil.test"",""Klik"")"' in raw
    semicolon_rows = list(csv.reader(io.StringIO(raw), delimiter=";"))
    cells = [cell.strip('"') for row in semicolon_rows for cell in row]
    assert not any(cell.lstrip().startswith(("=", "+", "-", "@")) for cell in cells)
    # What was a formula is text with an apostrophe; what was hidden is gone.
    values = {row[0] for row in csv.reader(io.StringIO(raw))}
    assert "'=cmd|' /C calc'!A0" in values
    assert "'@SUM(A1)" in values and "'-2+3" in values and "'=1+1" in values
    assert "Vakcollege[31m loohcS" in values
    assert 'Naam;\'=HYPERLINK("http://evil.test","Klik")' in values
    assert 'Het "Assink"\nLyceum' in values
