"""Reach and the evaluation summary: students, groups, schools and companies
of the bookings that took place, in every breakdown, this school year and the
year before, from three aggregates over the reach facts (`figures`); and the
confirmed groups still to come, shown beside them (`planned`).

Kept as one module: every breakdown is the same three aggregates cut another
way, and they must stay in step to add up."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple

from flask_babel import format_date
from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, Integer, String, case, distinct, func, select, type_coerce

from app import vocabulary
from app.accounts.models import Organisation
from app.bookings.models import Booking
from app.catalogue.models import Activity, Slot
from app.extensions import db
from app.insights.filters import Filters, Scope
from app.insights.models import ReachFact
from app.insights.service.conditions import (
    RAW,
    School,
    filter_conditions,
    in_years,
    participations_query,
    scope_condition,
)
from app.school_year import SchoolYear
from app.timeutil import utcnow

DIMENSIONS = {
    "profile": _l("Profile"),
    "year": _l("Class year"),
    "path": _l("Learning path"),
    "sector": _l("Sector"),
    "kind": _l("Kind of activity"),
    "month": _l("Month"),
    "town": _l("Town of the school"),
}
NO_PROFILE_LABEL = _l("No profile (years 1 and 2)")


@dataclass
class Totals:
    students: int = 0
    booked: int = 0
    groups: int = 0
    schools: int = 0
    companies: int = 0
    evaluated_by_school: int = 0
    evaluated_by_company: int = 0

    @property
    def counted_from_evaluations(self) -> int:
        return self.evaluated_by_school


@dataclass
class Row:
    key: str | int | None
    label: str
    students: int = 0
    groups: int = 0
    schools: int = 0
    previous: int = 0
    filters: Filters = field(default_factory=Filters)

    @property
    def change(self) -> int:
        return self.students - self.previous


@dataclass
class Breakdown:
    name: str
    title: str
    rows: list[Row]

    @property
    def total_students(self) -> int:
        return sum(r.students for r in self.rows)


@dataclass
class Reach:
    school_year: SchoolYear
    current: Totals
    previous: Totals
    breakdowns: dict[str, Breakdown]


@dataclass
class RatingRow:
    key: str
    label: str
    school_count: int
    school_average: float | None
    company_count: int
    company_average: float | None
    filters: Filters


@dataclass
class EvaluationSummary:
    groups: int
    by_school: int
    by_company: int
    by_kind: list[RatingRow]
    by_sector: list[RatingRow]

    @staticmethod
    def rate(part: int, whole: int) -> float | None:
        return part / whole if whole else None

    @property
    def school_rate(self) -> float | None:
        return self.rate(self.by_school, self.groups)

    @property
    def company_rate(self) -> float | None:
        return self.rate(self.by_company, self.groups)


@dataclass(slots=True)
class Tally:
    """One row of a breakdown while it is counted: this year's students, groups
    and distinct schools, and the year before's."""

    students: int = 0
    groups: int = 0
    schools: int = 0
    previous_students: int = 0
    previous_groups: int = 0
    previous_schools: int = 0

    def add(self, this_year: bool, students: int, groups: int, schools: int) -> None:
        if this_year:
            self.students += students
            self.groups += groups
            self.schools += schools
        else:
            self.previous_students += students
            self.previous_groups += groups
            self.previous_schools += schools


@dataclass(slots=True)
class Ratings:
    """Evaluations counted for a rating table: how many each side gave, and
    the sum of their ratings."""

    by_school: int = 0
    school_sum: int = 0
    by_company: int = 0
    company_sum: int = 0

    def add(self, other: Ratings) -> None:
        self.by_school += other.by_school
        self.school_sum += other.school_sum
        self.by_company += other.by_company
        self.company_sum += other.company_sum


@dataclass(slots=True)
class SchoolPresence:
    """A school's groups in a year: students, groups, and per dimension the
    values they had, one bit per code (PRESENCE), sectors as their mask."""

    students: int = 0
    groups: int = 0
    bits: dict[str, int] = field(default_factory=lambda: dict.fromkeys(PRESENCE, 0))
    sectors: int = 0


class Planned(NamedTuple):
    """Confirmed groups still to come this school year, and their students."""

    groups: int
    students: int


@dataclass
class Figures:
    reach: Reach
    evaluations: EvaluationSummary


def _labels(name: str, school_year: SchoolYear) -> dict:
    if name == "month":
        return {d.month: format_date(d, "MMMM yyyy") for d in school_year.months()}
    words = {
        "profile": vocabulary.PROFILES,
        "year": vocabulary.YEARS,
        "path": vocabulary.PATHS,
        "kind": vocabulary.ACTIVITY_KINDS,
        "sector": vocabulary.SECTORS,
    }.get(name, {})
    return {code: str(label) for code, label in words.items()}


def _ordered(name: str, rows: dict, school_year: SchoolYear) -> list[Row]:
    if name == "month":
        order = [d.month for d in school_year.months()]
        return [rows[m] for m in order if m in rows]
    if name == "town":
        return sorted(rows.values(), key=lambda r: (-r.students, r.label))
    labels = _labels(name, school_year)
    order = {code: i for i, code in enumerate(labels)}
    return sorted(rows.values(), key=lambda r: order.get(r.key, len(order)))


def _filter_for(name: str, key, filters: Filters) -> Filters:
    if name == "profile" and key is None:
        return filters.but(profile=Filters.NO_PROFILE)
    return filters.but(**{name: key})


# Which values of a dimension a school's groups had, as one number per school:
# a bit per code (for the profile, bit 0 is "no profile").
PRESENCE = {
    "profile": (None, *vocabulary.PROFILES),
    "year": tuple(vocabulary.YEARS),
    "path": tuple(vocabulary.PATHS),
    "kind": tuple(vocabulary.ACTIVITY_KINDS),
}
SECTOR_TYPE = ReachFact.__table__.columns.sectors.type


def _bits(column, codes) -> ColumnElement[int]:
    return case(
        *(
            (column.is_(None) if code is None else column == code, 1 << bit)
            for bit, code in enumerate(codes)
        ),
        else_=0,
    )


def _any_bits(bits: ColumnElement[int], dialect: str) -> ColumnElement[int]:
    if dialect == "postgresql":
        return func.bit_or(bits, type_=Integer)
    # SQLite has no bit_or; over single bits, the sum of the distinct values is the same.
    return func.sum(distinct(bits), type_=Integer)


def _any_sectors(dialect: str) -> ColumnElement:
    if dialect == "postgresql":
        return func.bit_or(ReachFact.sectors, type_=Integer)
    # Masks share bits, so no sum: the distinct masks, OR-ed in Python.
    return func.group_concat(distinct(ReachFact.sectors), type_=String)


@functools.cache
def _sector_codes(mask: int | None) -> frozenset[str]:
    return SECTOR_TYPE.process_result_value(mask, None)


def _sector_mask(value) -> int:
    if isinstance(value, str):
        mask = 0
        for part in value.split(","):
            mask |= int(part)
        return mask
    return int(value or 0)


def figures(scope: Scope, school_year: SchoolYear, filters: Filters) -> Figures:
    """Reach (this school year and the year before) and the evaluation summary
    (this school year), from three aggregates over the year's facts instead of
    one per breakdown (docs/PERFORMANCE.md, "Documents and dashboard"):

    1. per combination of profile, class year, path, kind and sectors: students,
       groups, ratings; rolled up in Python into every breakdown but month and
       town, the totals and the rating tables;
    2. per school and month: students, groups, and which profiles, years,
       paths, kinds and sectors its groups had; rolled up into the month and
       town breakdowns and into the distinct schools of every breakdown row;
    3. the distinct companies per year.
    The first two group in the order of the covering indexes of reach_fact,
    so SQLite neither sorts nor reads the table. The same statements run on
    SQLite and PostgreSQL."""
    years = [school_year.previous, school_year]
    dialect = db.session.get_bind().dialect.name
    this = school_year.start
    fact = ReachFact
    # Decoded below, once per mask.
    sectors = type_coerce(fact.sectors, Integer).label("sectors")
    cells = participations_query(
        scope,
        years,
        filters,
        fact.school_year,
        fact.profile,
        fact.year,
        fact.path,
        fact.kind,
        sectors,
        func.sum(fact.students).label("students"),
        func.sum(fact.booked).label("booked"),
        func.count(fact.id).label("groups"),
        func.count(fact.school_rating).label("school_ratings"),
        func.sum(fact.school_rating).label("school_rating_sum"),
        func.count(fact.company_rating).label("company_ratings"),
        func.sum(fact.company_rating).label("company_rating_sum"),
    ).group_by(fact.school_year, fact.profile, fact.year, fact.path, fact.kind, fact.sectors)
    per_school = participations_query(
        scope,
        years,
        filters,
        fact.school_year,
        fact.school_id,
        fact.month,
        func.sum(fact.students).label("students"),
        func.count(fact.id).label("groups"),
        *(
            _any_bits(_bits(getattr(fact, name), codes), dialect).label(name)
            for name, codes in PRESENCE.items()
        ),
        _any_sectors(dialect).label("sectors"),
    ).group_by(fact.school_year, fact.school_id, fact.month)
    companies = participations_query(
        scope, years, filters, fact.school_year, func.count(distinct(fact.company_id))
    ).group_by(fact.school_year)

    totals = {False: Totals(), True: Totals()}
    tallies: dict[str, dict] = {name: {} for name in DIMENSIONS}
    ratings: dict[str, dict[str, Ratings]] = {"kind": {}, "sector": {}}

    def tally(name, key, this_year, students, groups, schools=0):
        found = tallies[name].get(key)
        if found is None:
            found = tallies[name][key] = Tally()
        found.add(this_year, students, groups, schools)

    def rate(name, key, cell: Ratings):
        ratings[name].setdefault(key, Ratings()).add(cell)

    for row in db.session.execute(cells):
        this_year = row.school_year == this
        sectors = _sector_codes(row.sectors)
        students, booked = int(row.students or 0), int(row.booked or 0)
        marks = Ratings(
            int(row.school_ratings),
            int(row.school_rating_sum or 0),
            int(row.company_ratings),
            int(row.company_rating_sum or 0),
        )
        total = totals[this_year]
        total.students += students
        total.booked += booked
        total.groups += row.groups
        total.evaluated_by_school += marks.by_school
        total.evaluated_by_company += marks.by_company
        for name in ("profile", "year", "path", "kind"):
            tally(name, getattr(row, name), this_year, students, row.groups)
        for code in sectors:
            tally("sector", code, this_year, students, row.groups)
        if this_year and (marks.by_school or marks.by_company):
            rate("kind", row.kind, marks)
            for code in sectors:
                rate("sector", code, marks)

    schools: dict[tuple[bool, int], SchoolPresence] = {}
    for row in db.session.execute(per_school):
        this_year, students = row.school_year == this, int(row.students or 0)
        tally("month", row.month, this_year, students, row.groups, 1)
        found = schools.get((this_year, row.school_id))
        if found is None:
            found = schools[(this_year, row.school_id)] = SchoolPresence()
        found.students += students
        found.groups += row.groups
        for name in PRESENCE:
            found.bits[name] |= int(getattr(row, name) or 0)
        found.sectors |= _sector_mask(row.sectors)
    towns = _towns({school_id for _, school_id in schools})
    for (this_year, school_id), found in schools.items():
        totals[this_year].schools += 1
        tally("town", towns.get(school_id, "?"), this_year, found.students, found.groups, 1)
        for name, codes in PRESENCE.items():
            for bit, code in enumerate(codes):
                if found.bits[name] & (1 << bit):
                    tally(name, code, this_year, 0, 0, 1)
        for code in _sector_codes(found.sectors):
            tally("sector", code, this_year, 0, 0, 1)
    for school_year_start, number in db.session.execute(companies):
        totals[school_year_start == this].companies = int(number)

    reach = Reach(
        school_year=school_year,
        current=totals[True],
        previous=totals[False],
        breakdowns={
            name: _breakdown(name, tallies[name], school_year, filters) for name in DIMENSIONS
        },
    )
    current = totals[True]
    summary = EvaluationSummary(
        current.groups,
        current.evaluated_by_school,
        current.evaluated_by_company,
        _rating_rows(ratings["kind"], vocabulary.ACTIVITY_KINDS, "kind", filters),
        _rating_rows(ratings["sector"], vocabulary.SECTORS, "sector", filters),
    )
    return Figures(reach, summary)


def _towns(school_ids: set[int]) -> dict[int, str]:
    if not school_ids:
        return {}
    query = select(Organisation.id, Organisation.city)
    if len(school_ids) <= 500:
        query = query.where(Organisation.id.in_(sorted(school_ids)))
    else:
        query = query.where(Organisation.kind == "school")
    return {school_id: city for school_id, city in db.session.execute(query)}


def _breakdown(name: str, tally: dict, school_year: SchoolYear, filters: Filters) -> Breakdown:
    labels = _labels(name, school_year)
    rows = {}
    for key, found in tally.items():
        if not (found.groups or found.previous_groups):
            continue
        label = (
            labels.get(key, key)
            if key is not None
            else (str(NO_PROFILE_LABEL) if name == "profile" else "?")
        )
        rows[key] = Row(
            key,
            str(label),
            students=found.students,
            groups=found.groups,
            schools=found.schools,
            previous=found.previous_students,
            filters=_filter_for(name, key, filters),
        )
    return Breakdown(name, str(DIMENSIONS[name]), _ordered(name, rows, school_year))


def _average(total: int, count: int) -> float | None:
    return round(total / count, 2) if count else None


def _rating_rows(
    found: dict[str, Ratings], words: dict, name: str, filters: Filters
) -> list[RatingRow]:
    return [
        RatingRow(
            code,
            str(label),
            found[code].by_school,
            _average(found[code].school_sum, found[code].by_school),
            found[code].by_company,
            _average(found[code].company_sum, found[code].by_company),
            filters.but(**{name: code}),
        )
        for code, label in words.items()
        if code in found
    ]


def reach(scope: Scope, school_year: SchoolYear, filters: Filters) -> Reach:
    return figures(scope, school_year, filters).reach


def totals(scope: Scope, school_year: SchoolYear, filters: Filters) -> tuple[Totals, Totals]:
    """The headline figures of a school year and of the year before."""
    found = reach(scope, school_year, filters)
    return found.current, found.previous


def breakdown(name: str, scope: Scope, school_year: SchoolYear, filters: Filters) -> Breakdown:
    """Students, groups and distinct schools per value of one dimension, this
    school year, with last year's students beside them."""
    return reach(scope, school_year, filters).breakdowns[name]


def evaluation_summary(
    scope: Scope, school_year: SchoolYear, filters: Filters
) -> EvaluationSummary:
    return figures(scope, school_year, filters).evaluations


def planned(
    scope: Scope, school_year: SchoolYear, filters: Filters, now: datetime | None = None
) -> Planned:
    """Confirmed groups and their students still to come this school year: not
    reach yet, shown beside it."""

    now = now or utcnow()
    years = [school_year]
    query = (
        select(func.count(Booking.id), func.coalesce(func.sum(Booking.group_size), 0))
        .select_from(Booking)
        .join(Slot, Slot.id == Booking.slot_id)
        .where(
            Booking.status == "confirmed",
            Slot.starts_at > now,
            in_years(years, RAW),
            scope_condition(scope, RAW),
            *filter_conditions(filters, years, RAW),
        )
    )
    # Only what the filters and the scope look at is joined: a lookup per booking.
    if filters.kind or filters.sector or filters.company or scope.company_ids:
        query = query.join(Activity, Activity.id == Slot.activity_id)
    if filters.town:
        query = query.join(School, School.id == Booking.school_id)
    groups, students = db.session.execute(query).one()
    return Planned(int(groups), int(students))
