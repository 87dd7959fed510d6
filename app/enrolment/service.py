"""Entering and importing pupil numbers.

A school location enters its own numbers for a school year on its page; a
coordinator imports the region's from DUO's open data (app/enrolment/duo.py).
Either way a location's numbers for a year are replaced as a whole: the page
and the file both give the complete picture, and a cell left out means no
pupils there. An import with any problem changes nothing."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import delete, select

from app import vocabulary
from app.accounts.models import Organisation, User
from app.enrolment import duo
from app.enrolment.models import MOST_PUPILS, Enrolment
from app.errors import DomainError
from app.events import emit
from app.events import types as ev
from app.extensions import db
from app.school_year import SchoolYear
from app.timeutil import utcnow

# (class year, learning path, profile): '' is the profile of years 1 and 2.
Cell = tuple[str, str, str]
LOWER_YEARS = ("1", "2")


def cells_allowed(profiles) -> list[Cell]:
    """The cells a location's page asks for: years 1 and 2 per path, and years
    3 and 4 per path and each of these profiles, and without a profile (tl
    pupils, or numbers a school does not split by profile)."""
    lower = [(y, p, "") for y in LOWER_YEARS for p in vocabulary.PATHS]
    upper = [(y, p, pr) for y in ("3", "4") for p in vocabulary.PATHS for pr in [*profiles, ""]]
    return lower + upper


def valid_cell(cell: Cell) -> bool:
    year, path, profile = cell
    if year not in vocabulary.YEARS or path not in vocabulary.PATHS:
        return False
    return profile == "" or (year not in LOWER_YEARS and profile in vocabulary.PROFILES)


def enrolment_of(location_id: int, school_year: SchoolYear) -> dict[Cell, int]:
    rows = db.session.scalars(
        select(Enrolment).where(
            Enrolment.location_id == location_id, Enrolment.school_year == school_year.start
        )
    )
    return {(r.year, r.path, r.profile): r.pupils for r in rows}


def _replace(location_id: int, school_year: SchoolYear, numbers: dict[Cell, int], source: str):
    db.session.execute(
        delete(Enrolment).where(
            Enrolment.location_id == location_id, Enrolment.school_year == school_year.start
        )
    )
    now = utcnow()
    db.session.add_all(
        Enrolment(
            location_id=location_id,
            school_year=school_year.start,
            year=year,
            path=path,
            profile=profile,
            pupils=pupils,
            source=source,
            updated_at=now,
        )
        for (year, path, profile), pupils in sorted(numbers.items())
        if pupils
    )
    db.session.flush()


def set_enrolment(
    actor: User, location: Organisation, school_year: SchoolYear, numbers: dict[Cell, int | None]
) -> int:
    """The location's numbers for the year, as its page gives them; empty
    cells are no pupils. Returns the pupils in all."""
    if location.kind != "school":
        raise DomainError(_("Only a school location has pupils."), field="location")
    for cell, pupils in numbers.items():
        if not valid_cell(cell):
            raise DomainError(_("There is no such year, learning path and profile."))
        if pupils is not None and not 0 <= pupils <= MOST_PUPILS:
            raise DomainError(
                _("Between 0 and %(most)d pupils.", most=MOST_PUPILS), field="-".join(cell)
            )
    clean = {cell: pupils for cell, pupils in numbers.items() if pupils}
    _replace(location.id, school_year, clean, "school")
    emit(
        ev.EnrolmentChanged(
            location_id=location.id, school_year=school_year.start, source="school"
        ),
        actor,
    )
    return sum(clean.values())


@dataclass
class LocationPreview:
    location: Organisation
    numbers: dict[Cell, int]
    before: int  # pupils in all before the import

    @property
    def pupils(self) -> int:
        return sum(self.numbers.values())


@dataclass
class Preview:
    """What an import would do: per location on Techniekpoort its new numbers,
    and what it leaves aside; `problems` non-empty means it cannot be done."""

    locations: list[LocationPreview]
    problems: list[duo.Problem]
    unknown_locations: list[str]  # "BRIN 00": rows of locations not on Techniekpoort
    other_school_types: int

    @property
    def can_import(self) -> bool:
        return not self.problems and bool(self.locations)


def preview_import(
    data: bytes, school_year: SchoolYear, layout: duo.Layout = duo.LAYOUT
) -> Preview:
    reading = duo.read(data, layout)
    schools = {
        (o.brin.upper(), o.location_number): o
        for o in db.session.scalars(
            select(Organisation).where(
                Organisation.kind == "school", Organisation.brin.is_not(None)
            )
        )
        if o.brin and o.location_number
    }
    found: dict[int, dict[Cell, int]] = defaultdict(dict)
    unknown: set[str] = set()
    for row in reading.rows:
        location = schools.get((row.brin, row.location_number))
        if location is None:
            unknown.add(f"{row.brin} {row.location_number}")
            continue
        cell = (row.year, row.path, row.profile)
        # Years 1 and 2 add up over the rows of their profiles.
        found[location.id][cell] = found[location.id].get(cell, 0) + row.pupils
    by_id = {o.id: o for o in schools.values()}
    locations = [
        LocationPreview(by_id[i], numbers, sum(enrolment_of(i, school_year).values()))
        for i, numbers in found.items()
    ]
    locations.sort(key=lambda p: (p.location.city, p.location.name))
    return Preview(locations, reading.problems, sorted(unknown), reading.other_school_types)


def import_enrolment(actor: User | None, data: bytes, school_year: SchoolYear) -> Preview:
    """Replaces the numbers of every location in the file for the year, or,
    with any problem in the file, refuses and changes nothing."""
    preview = preview_import(data, school_year)
    if preview.problems:
        raise DomainError(_("The file has problems: nothing was imported."), field="file")
    if not preview.locations:
        raise DomainError(_("The file has no pupils of locations on Techniekpoort."), field="file")
    for item in preview.locations:
        _replace(item.location.id, school_year, item.numbers, "import")
        emit(
            ev.EnrolmentChanged(
                location_id=item.location.id, school_year=school_year.start, source="import"
            ),
            actor,
        )
    return preview
