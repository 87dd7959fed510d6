"""Importing pupil numbers from DUO's open data: the fictional sample in
fixtures/ imports with the numbers the file holds (summed here from the raw
file, independently of the reader), and every kind of bad file is refused
with its lines named and nothing imported."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.enrolment import duo, service
from app.enrolment.models import Enrolment
from app.errors import DomainError
from app.school_year import SchoolYear
from tests import factories

SAMPLE = Path(__file__).parents[2] / "fixtures" / "duo_leerlingen_vo_per_vestiging.csv"
YEAR = SchoolYear(2026)
HEADER = (
    "BRIN NUMMER;VESTIGINGSNUMMER;ONDERWIJSTYPE VO;AFDELING;"
    "LEER- OF VERBLIJFSJAAR 1;LEER- OF VERBLIJFSJAAR 2;"
    "LEER- OF VERBLIJFSJAAR 3;LEER- OF VERBLIJFSJAAR 4"
)


@pytest.fixture
def kolk(db):
    return factories.school(name="Vakcollege De Kolk", brin="20AA", location_number="00")


@pytest.fixture
def thij(db):
    return factories.school(name="De Thij", brin="22JV", location_number="02")


def stored(db) -> dict:
    rows = db.session.scalars(select(Enrolment))
    return {(r.location_id, r.year, r.path, r.profile): r.pupils for r in rows}


def count(db) -> int:
    return db.session.scalar(select(func.count()).select_from(Enrolment))


def file(*lines: str, header: str = HEADER) -> bytes:
    return "\r\n".join([header, *lines]).encode()


def test_the_sample_imports_as_the_file_says(db, kolk, thij, coordinator):
    # Independently of the reader: the pupils per location and class year in the raw file.
    expected: Counter = Counter()
    with SAMPLE.open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f, delimiter=";"):
            if not row["ONDERWIJSTYPE VO"].startswith("VMBO "):
                continue
            key = (row["BRIN NUMMER"], row["VESTIGINGSNUMMER"])
            for year in "1234":
                expected[(*key, year)] += int(row[f"LEER- OF VERBLIJFSJAAR {year}"] or 0)

    preview = service.preview_import(SAMPLE.read_bytes(), YEAR)
    assert preview.problems == [] and preview.can_import
    assert {p.location.id for p in preview.locations} == {kolk.id, thij.id}
    assert "99ZZ 00" in preview.unknown_locations  # not on Techniekpoort: left aside
    assert preview.other_school_types == 1  # the havo row
    assert count(db) == 0  # a preview changes nothing

    service.import_enrolment(coordinator, SAMPLE.read_bytes(), YEAR)
    rows = stored(db)
    for location in (kolk, thij):
        for year in "1234":
            got = sum(n for (i, y, _p, _pr), n in rows.items() if i == location.id and y == year)
            assert got == expected[(location.brin, location.location_number, year)] > 0
    # Years 1 and 2 have no profile; years 3 and 4 are per profile.
    assert {pr for (_i, y, _p, pr) in rows if y in "12"} == {""}
    assert {"BWI", "PIE", "M&T", "MVI"} <= {pr for (i, y, _p, pr) in rows if i == kolk.id}
    assert set(db.session.scalars(select(Enrolment.source))) == {"import"}


def test_an_import_replaces_the_years_numbers_of_the_locations_in_the_file(
    db, kolk, thij, coordinator, teacher
):
    service.set_enrolment(teacher, kolk, YEAR, {("3", "KB", "PIE"): 99, ("1", "BB", ""): 5})
    service.set_enrolment(teacher, kolk, YEAR.previous, {("1", "BB", ""): 7})
    service.import_enrolment(coordinator, file("20AA;00;VMBO KB;PIE;;;12;"), YEAR)
    # Replaced as a whole: the year-1 number the file does not give is gone.
    assert service.enrolment_of(kolk.id, YEAR) == {("3", "KB", "PIE"): 12}
    # Another school year is left alone.
    assert service.enrolment_of(kolk.id, YEAR.previous) == {("1", "BB", ""): 7}


@pytest.mark.parametrize(
    "encoding, bom", [("utf-8", False), ("utf-8", True), ("cp1252", False)], ids=str
)
@pytest.mark.parametrize("separator", [";", ","])
def test_encodings_and_separators_of_spreadsheets(db, kolk, coordinator, encoding, bom, separator):
    text = "\r\n".join(
        [
            HEADER.replace(";", separator) + separator + "INSTELLINGSNAAM VESTIGING",
            separator.join(["20AA", "0", "VMBO BB", "", "30", "31", "", "", "Vakcollege De Kölk"]),
        ]
    )
    data = ("\ufeff" if bom else "").encode(encoding) + text.encode(encoding)
    service.import_enrolment(coordinator, data, YEAR)
    assert service.enrolment_of(kolk.id, YEAR) == {("1", "BB", ""): 30, ("2", "BB", ""): 31}


BAD_ROWS = [
    ("20AA;00;VMBO KB;PIE;;;-3;", "LEER- OF VERBLIJFSJAAR 3"),
    ("20AA;00;VMBO KB;PIE;;;5000;", "LEER- OF VERBLIJFSJAAR 3"),
    ("20AA;00;VMBO KB;PIE;;;twaalf;", "twaalf"),
    ("20AA;00;VMBO KB;KOKEN;;;12;", "KOKEN"),
    ("20AA;00;VMBO XL;PIE;;;12;", "VMBO XL"),
    ("20A;00;VMBO KB;PIE;;;12;", "20A"),
    ("20AA;001;VMBO KB;PIE;;;12;", "001"),
    ("20AA;00;VMBO KB;PIE;;;12", "7"),  # a cell short
    ("20AA;00;VMBO KB;PIE;;;12;;;", "10"),  # cells over
]


@pytest.mark.parametrize("bad, named", BAD_ROWS)
def test_a_bad_row_is_named_with_its_line_and_nothing_is_imported(
    db, kolk, coordinator, bad, named
):
    data = file("20AA;00;VMBO BB;;20;20;;", bad)
    preview = service.preview_import(data, YEAR)
    assert [p.line for p in preview.problems] == [3]
    assert named in preview.problems[0].message
    assert not preview.can_import
    with pytest.raises(DomainError):
        service.import_enrolment(coordinator, data, YEAR)
    assert count(db) == 0


def test_a_duplicate_row_names_the_first(db, kolk):
    data = file(
        "20AA;00;VMBO KB;PIE;;;12;", "20AA;00;VMBO KB;PRODUCEREN, INSTALLEREN EN ENERGIE;;;3;"
    )
    [problem] = service.preview_import(data, YEAR).problems
    assert problem.line == 3 and "2" in problem.message


def test_missing_or_repeated_columns_refuse_the_file(db, kolk):
    missing = service.preview_import(
        file(
            "20AA;00;VMBO KB;12",
            header="BRIN NUMMER;VESTIGINGSNUMMER;ONDERWIJSTYPE VO;LEER- OF VERBLIJFSJAAR 3",
        ),
        YEAR,
    )
    [problem] = missing.problems
    assert problem.line is None and "AFDELING" in problem.message
    assert "LEER- OF VERBLIJFSJAAR 1" in problem.message
    repeated = service.preview_import(file(header=HEADER + ";AFDELING"), YEAR)
    assert "AFDELING" in repeated.problems[0].message
    assert service.preview_import(b"", YEAR).problems


def test_a_changed_layout_needs_only_a_new_mapping(db, kolk):
    """The reader finds columns by the names the layout gives."""
    layout = duo.Layout(
        brin="INSTELLINGSCODE",
        location_number="VESTIGING",
        path="LEERWEG",
        profile="PROFIEL",
        pupils={"JAAR 3 MAN": "3", "JAAR 3 VROUW": "3"},
        path_values={"KB": "KB"},
        other_school_types=frozenset(),
    )
    data = (
        b"VESTIGING;INSTELLINGSCODE;PROFIEL;LEERWEG;JAAR 3 VROUW;JAAR 3 MAN\n00;20AA;PIE;KB;7;9\n"
    )
    reading = duo.read(data, layout)
    assert reading.problems == []
    assert [(r.brin, r.year, r.path, r.profile, r.pupils) for r in reading.rows] == [
        ("20AA", "3", "KB", "PIE", 16)
    ]
