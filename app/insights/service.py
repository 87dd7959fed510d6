"""The figures: reach, coverage and evaluations, computed by the database.

Every figure is an SQL aggregate, so the numbers on the dashboard, in the
exports and in the annual report are the same numbers. Reach and evaluation
figures aggregate reach_fact, one pre-joined row per booking that took place
(app/insights/models.py, kept by app/insights/facts.py), all breakdowns in
one pass (`figures`); coverage, hybrid-teacher hours and the lists read the
bookings and placements themselves. Tests recompute every figure from the raw
rows in Python.

What counts (the dashboard says so too):
- reach counts bookings that took place (status completed) in the school year
  of their slot's start;
- a group's students are the number the school reported in its evaluation,
  otherwise the group size booked;
- an activity in several sectors counts in each of them, so the sector rows
  add up to more than the total.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask_babel import format_date
from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    ColumnElement,
    Integer,
    String,
    and_,
    case,
    distinct,
    exists,
    false,
    func,
    literal,
    or_,
    select,
    type_coerce,
)
from sqlalchemy.orm import aliased, contains_eager, joinedload

from app import vocabulary
from app.accounts.models import Organisation
from app.bookings.models import Booking
from app.catalogue.models import Activity, Slot
from app.evaluations.models import Evaluation
from app.extensions import db
from app.insights.filters import Filters, Scope
from app.insights.models import ReachFact
from app.placements.models import Placement
from app.school_year import YEAR_STARTS, SchoolYear
from app.timeutil import utcnow

School = aliased(Organisation, name="school")
F = ReachFact

STUDENTS = F.students
# Bookings that are or will be something: the opposite of "no activity".
PLANNED_OR_DONE = ("requested", "confirmed", "completed")

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


@dataclass(frozen=True)
class Columns:
    """Where the filters look: in reach_fact, or in the raw tables (for the
    confirmed bookings still to come, which have no facts). Facts carry their
    school year and local month; raw rows only the start."""

    starts_at: ColumnElement
    school_id: ColumnElement
    company_id: ColumnElement
    kind: ColumnElement
    sectors: ColumnElement
    profile: ColumnElement
    year: ColumnElement
    path: ColumnElement
    school_year: ColumnElement | None = None
    month: ColumnElement | None = None


FACT = Columns(
    F.starts_at,
    F.school_id,
    F.company_id,
    F.kind,
    F.sectors,
    F.profile,
    F.year,
    F.path,
    F.school_year,
    F.month,
)
RAW = Columns(
    Slot.starts_at,
    Booking.school_id,
    Activity.company_id,
    Activity.kind,
    Activity.sectors,
    Booking.profile,
    Booking.year,
    Booking.path,
)


def sector_condition(code: str, column=F.sectors) -> ColumnElement[bool]:
    bit = column.type.mask([code])
    return column.op("&", return_type=Integer)(literal(bit, Integer)) != 0


def scope_condition(scope: Scope, c: Columns = FACT) -> ColumnElement[bool]:
    if scope.is_region:
        return literal(True)
    parts = []
    if scope.school_ids:
        parts.append(c.school_id.in_(scope.school_ids))
    if scope.company_ids:
        parts.append(c.company_id.in_(scope.company_ids))
    return or_(*parts) if parts else false()


def _in_years(years: list[SchoolYear], c: Columns = FACT) -> ColumnElement[bool]:
    if c.school_year is not None:
        return c.school_year.in_(sorted(y.start for y in years))
    start = min(y.bounds[0] for y in years)
    end = max(y.bounds[1] for y in years)
    return and_(c.starts_at >= start, c.starts_at < end)


def filter_conditions(
    filters: Filters, years: list[SchoolYear], c: Columns = FACT
) -> list[ColumnElement[bool]]:
    conditions = []
    if filters.kind:
        conditions.append(c.kind == filters.kind)
    if filters.sector:
        conditions.append(sector_condition(filters.sector, c.sectors))
    if filters.profile == Filters.NO_PROFILE:
        conditions.append(c.profile.is_(None))
    elif filters.profile:
        conditions.append(c.profile == filters.profile)
    if filters.year:
        conditions.append(c.year == filters.year)
    if filters.path:
        conditions.append(c.path == filters.path)
    if filters.month and c.month is not None:
        conditions.append(c.month == filters.month)
    elif filters.month:
        conditions.append(
            or_(
                *(
                    and_(c.starts_at >= lo, c.starts_at < hi)
                    for lo, hi in (y.month_range(filters.month) for y in years)
                )
            )
        )
    if filters.town:
        conditions.append(School.city == filters.town)
    if filters.school:
        conditions.append(c.school_id == filters.school)
    if filters.company:
        conditions.append(c.company_id == filters.company)
    return conditions


def participations_query(
    scope: Scope, years: list[SchoolYear], filters: Filters, *columns, with_school: bool = False
):
    """SELECT columns FROM the facts of the bookings that took place in these
    school years, within the scope and the filters. The school's row (for its
    town) is joined only when needed."""
    query = select(*columns).select_from(F)
    if with_school or filters.town:
        query = query.join(School, School.id == F.school_id)
    return query.where(_in_years(years), scope_condition(scope), *filter_conditions(filters, years))


# --- reach and evaluations, in one pass over the facts ---------------------------------------


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
SECTOR_TYPE = F.__table__.c.sectors.type


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
        return func.bit_or(F.sectors, type_=Integer)
    # Masks share bits, so no sum: the distinct masks, OR-ed in Python.
    return func.group_concat(distinct(F.sectors), type_=String)


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
    sectors = type_coerce(F.sectors, Integer)  # decoded below, once per mask
    cells = participations_query(
        scope,
        years,
        filters,
        F.school_year,
        F.profile,
        F.year,
        F.path,
        F.kind,
        sectors,
        func.sum(F.students),
        func.sum(F.booked),
        func.count(F.id),
        func.count(F.school_rating),
        func.sum(F.school_rating),
        func.count(F.company_rating),
        func.sum(F.company_rating),
    ).group_by(F.school_year, F.profile, F.year, F.path, F.kind, F.sectors)
    per_school = participations_query(
        scope,
        years,
        filters,
        F.school_year,
        F.school_id,
        F.month,
        func.sum(F.students),
        func.count(F.id),
        *(_any_bits(_bits(getattr(F, name), codes), dialect) for name, codes in PRESENCE.items()),
        _any_sectors(dialect),
    ).group_by(F.school_year, F.school_id, F.month)
    companies = participations_query(
        scope, years, filters, F.school_year, func.count(distinct(F.company_id))
    ).group_by(F.school_year)

    totals = {False: Totals(), True: Totals()}
    # dimension -> key -> [students, groups, schools] of this year, then of the year before
    tallies: dict[str, dict] = {name: {} for name in DIMENSIONS}
    # key -> [school evaluations, their rating sum, company evaluations, their sum]
    ratings: dict[str, dict] = {"kind": {}, "sector": {}}

    def tally(name, key, this_year, students, groups, schools=0):
        found = tallies[name].get(key)
        if found is None:
            found = tallies[name][key] = [0, 0, 0, 0, 0, 0]
        at = 0 if this_year else 3
        found[at] += students
        found[at + 1] += groups
        found[at + 2] += schools

    def rate(name, key, numbers):
        found = ratings[name].setdefault(key, [0, 0, 0, 0])
        for i, n in enumerate(numbers):
            found[i] += n

    for row in db.session.execute(cells):
        p, profile, year, path, kind, mask, students, booked, groups, *marks = row
        p, sectors = p == this, _sector_codes(mask)
        students, booked = int(students or 0), int(booked or 0)
        marks = [int(n or 0) for n in marks]
        total = totals[p]
        total.students += students
        total.booked += booked
        total.groups += groups
        total.evaluated_by_school += marks[0]
        total.evaluated_by_company += marks[2]
        for name, key in (("profile", profile), ("year", year), ("path", path), ("kind", kind)):
            tally(name, key, p, students, groups)
        for code in sectors:
            tally("sector", code, p, students, groups)
        if p and (marks[0] or marks[2]):
            rate("kind", kind, marks)
            for code in sectors:
                rate("sector", code, marks)

    schools: dict[tuple[int, int], list[int]] = {}
    for p, school_id, month_number, students, groups, *bits in db.session.execute(per_school):
        p, students = p == this, int(students or 0)
        tally("month", month_number, p, students, groups, 1)
        found = schools.get((p, school_id))
        if found is None:
            found = schools[(p, school_id)] = [0, 0, 0, 0, 0, 0, 0]
        found[0] += students
        found[1] += groups
        for i, value in enumerate(bits[:-1], start=2):
            found[i] |= int(value or 0)
        found[6] |= _sector_mask(bits[-1])
    towns = _towns({school_id for _, school_id in schools})
    for (p, school_id), (students, groups, *bits) in schools.items():
        totals[p].schools += 1
        tally("town", towns.get(school_id, "?"), p, students, groups, 1)
        for (name, codes), present in zip(PRESENCE.items(), bits[:-1], strict=True):
            for bit, code in enumerate(codes):
                if present & (1 << bit):
                    tally(name, code, p, 0, 0, 1)
        for code in _sector_codes(bits[-1]):
            tally("sector", code, p, 0, 0, 1)
    for p, number in db.session.execute(companies):
        totals[p == this].companies = int(number)

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
    for key, (students, groups, schools, previous, previous_groups, _) in tally.items():
        if not (groups or previous_groups):
            continue
        label = (
            labels.get(key, key)
            if key is not None
            else (str(NO_PROFILE_LABEL) if name == "profile" else "?")
        )
        rows[key] = Row(
            key,
            str(label),
            students=students,
            groups=groups,
            schools=schools,
            previous=previous,
            filters=_filter_for(name, key, filters),
        )
    return Breakdown(name, str(DIMENSIONS[name]), _ordered(name, rows, school_year))


def _average(total: int, count: int) -> float | None:
    return round(total / count, 2) if count else None


def _rating_rows(found: dict, words: dict, name: str, filters: Filters) -> list[RatingRow]:
    return [
        RatingRow(
            code,
            str(label),
            found[code][0],
            _average(found[code][1], found[code][0]),
            found[code][2],
            _average(found[code][3], found[code][2]),
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


# --- coverage -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Listed:
    """An organisation as the coverage lists show it: plain values, which a
    process may keep between requests (app/insights/cache.py)."""

    id: int
    name: str
    city: str


@dataclass(frozen=True)
class HoursRow:
    """A school's hybrid teachers: the hours a week of its placements, together."""

    school_id: int
    name: str
    city: str
    hours_per_week: int
    placements: int


@dataclass
class Coverage:
    idle_schools: list[Listed]  # the first `limit`, by town and name
    idle_companies: list[Listed]
    idle_schools_count: int
    idle_companies_count: int
    schools: int  # approved schools in scope
    offering_companies: int  # approved companies in scope with slots this year
    hybrid_hours: list[HoursRow] = field(default_factory=list)  # every school, most hours first

    @property
    def hybrid_hours_total(self) -> int:
        return sum(r.hours_per_week for r in self.hybrid_hours)

    @property
    def hybrid_placements(self) -> int:
        return sum(r.placements for r in self.hybrid_hours)


def _organisations_in(scope: Scope, kind: str):
    condition = Organisation.kind == kind
    if not scope.is_region:
        ids = scope.school_ids if kind == "school" else scope.company_ids
        condition = and_(condition, Organisation.id.in_(ids or ()))
    return and_(condition, Organisation.status == "approved")


def _slot_in(year: SchoolYear):
    start, end = year.bounds
    return and_(Slot.starts_at >= start, Slot.starts_at < end)


def _school_busy(school_year: SchoolYear):
    """The school has a booking (asked, confirmed or done) for a slot of this school year."""
    return exists(
        select(Booking.id)
        .join(Slot, Slot.id == Booking.slot_id)
        .where(
            Booking.school_id == Organisation.id,
            Booking.status.in_(PLANNED_OR_DONE),
            _slot_in(school_year),
        )
    )


def _offering(school_year: SchoolYear):
    """The company has a published activity with an open slot this school year."""
    return exists(
        select(Slot.id)
        .join(Activity, Activity.id == Slot.activity_id)
        .where(
            Activity.company_id == Organisation.id,
            Activity.status == "published",
            Slot.status == "open",
            _slot_in(school_year),
        )
    )


def _company_booked(school_year: SchoolYear):
    """A slot of the company's in this school year has a booking (asked, confirmed or done)."""
    return exists(
        select(Booking.id)
        .join(Slot, Slot.id == Booking.slot_id)
        .join(Activity, Activity.id == Slot.activity_id)
        .where(
            Activity.company_id == Organisation.id,
            Booking.status.in_(PLANNED_OR_DONE),
            _slot_in(school_year),
        )
    )


def idle_schools_query(scope: Scope, school_year: SchoolYear):
    """Approved schools without any booking (asked, confirmed or done) for a slot
    of this school year."""
    return select(Organisation).where(
        _organisations_in(scope, "school"), ~_school_busy(school_year)
    )


def idle_companies_query(scope: Scope, school_year: SchoolYear):
    """Approved companies that offer slots this school year, none of them booked."""
    return select(Organisation).where(
        _organisations_in(scope, "company"), _offering(school_year), ~_company_booked(school_year)
    )


def coverage(scope: Scope, school_year: SchoolYear, limit: int | None = None) -> Coverage:
    """Two statements, each listing the organisations concerned with whether
    they are idle: the counts and the lists come from the same rows."""
    by_place = (Organisation.city, Organisation.name, Organisation.id)
    schools = db.session.execute(
        select(Organisation.id, Organisation.name, Organisation.city, ~_school_busy(school_year))
        .where(_organisations_in(scope, "school"))
        .order_by(*by_place)
    ).all()
    offering = db.session.execute(
        select(Organisation.id, Organisation.name, Organisation.city, ~_company_booked(school_year))
        .where(_organisations_in(scope, "company"), _offering(school_year))
        .order_by(*by_place)
    ).all()
    idle_schools = [Listed(i, n, c) for i, n, c, idle in schools if idle]
    idle_companies = [Listed(i, n, c) for i, n, c, idle in offering if idle]
    return Coverage(
        idle_schools=idle_schools[:limit] if limit else idle_schools,
        idle_companies=idle_companies[:limit] if limit else idle_companies,
        idle_schools_count=len(idle_schools),
        idle_companies_count=len(idle_companies),
        schools=len(schools),
        offering_companies=len(offering),
        hybrid_hours=hybrid_hours(scope, school_year),
    )


def _placement_ran_in(school_year: SchoolYear) -> list[ColumnElement[bool]]:
    """Placements that were agreed and ran for part of the school year (ended
    ones too: they took place). The same placements as the placements
    overview counts (app/placements/service.py, hours_per_school)."""
    first = school_year.first_day
    last = date(school_year.start + 1, *YEAR_STARTS) - timedelta(days=1)
    return [
        Placement.status.in_(("agreed", "ended")),
        Placement.agreed_at.is_not(None),
        Placement.first_date <= last,
        Placement.last_date >= first,
        or_(Placement.ended_on.is_(None), Placement.ended_on >= first),
    ]


def hybrid_hours(scope: Scope, school_year: SchoolYear) -> list[HoursRow]:
    """Hybrid-teacher hours a week per school, for the placements in scope
    (a school's own, a company's own, or the region's)."""
    hours = func.sum(Placement.hours_per_week)
    query = (
        select(Organisation.id, Organisation.name, Organisation.city, hours, func.count())
        .join(Placement, Placement.school_id == Organisation.id)
        .where(*_placement_ran_in(school_year))
        .group_by(Organisation.id, Organisation.name, Organisation.city)
        .order_by(hours.desc(), Organisation.name, Organisation.id)
    )
    if not scope.is_region:
        query = query.where(
            or_(
                Placement.school_id.in_(scope.school_ids or ()),
                Placement.company_id.in_(scope.company_ids or ()),
            )
        )
    return [
        HoursRow(school_id, name, city, int(total or 0), int(number))
        for school_id, name, city, total, number in db.session.execute(query)
    ]


def count(query) -> int:
    return db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))


# --- the lists behind the figures -------------------------------------------------------------


@dataclass
class Participation:
    booking: Booking
    students: int
    school_rating: int | None
    company_rating: int | None


@dataclass
class Page:
    items: list
    page: int
    per_page: int
    total: int

    @property
    def has_next(self) -> bool:
        return self.page * self.per_page < self.total

    @property
    def has_previous(self) -> bool:
        return self.page > 1


def participations(
    scope: Scope,
    school_year: SchoolYear,
    filters: Filters,
    *,
    page: int = 1,
    per_page: int | None = 50,
) -> Page:
    """The bookings behind a reach figure, by date."""
    years = [school_year]
    total = count(participations_query(scope, years, filters, F.id))
    query = (
        participations_query(
            scope, years, filters, Booking, F.students, F.school_rating, F.company_rating
        )
        .join(Booking, Booking.id == F.booking_id)
        .options(
            joinedload(Booking.slot).joinedload(Slot.activity).joinedload(Activity.company),
            joinedload(Booking.school),
        )
        .order_by(F.starts_at, F.booking_id)
    )
    if per_page:
        query = query.limit(per_page).offset((page - 1) * per_page)
    items = [Participation(b, int(s), sr, cr) for b, s, sr, cr in db.session.execute(query)]
    return Page(items, page, per_page or max(total, 1), total)


def evaluations(
    scope: Scope,
    school_year: SchoolYear,
    filters: Filters,
    *,
    page: int = 1,
    per_page: int | None = 50,
    with_text: bool = False,
) -> Page:
    """The evaluations (either side) of the bookings behind the figures;
    `with_text` keeps only those in which someone wrote something."""
    years = [school_year]
    booking_ids = participations_query(scope, years, filters, F.booking_id)
    base = select(Evaluation).where(Evaluation.booking_id.in_(booking_ids.scalar_subquery()))
    if with_text:
        base = base.where(or_(Evaluation.went_well != "", Evaluation.could_be_better != ""))
    total = count(base)
    query = (
        base.join(Evaluation.booking)
        .join(Booking.slot)
        .options(
            contains_eager(Evaluation.booking)
            .contains_eager(Booking.slot)
            .joinedload(Slot.activity)
            .joinedload(Activity.company),
            contains_eager(Evaluation.booking).joinedload(Booking.school),
        )
        .order_by(Slot.starts_at.desc(), Evaluation.booking_id, Evaluation.side)
    )
    if per_page:
        query = query.limit(per_page).offset((page - 1) * per_page)
    return Page(list(db.session.scalars(query)), page, per_page or max(total, 1), total)


@dataclass
class OrganisationRow:
    organisation_id: int
    name: str
    city: str
    students: int
    groups: int
    previous: int
    filters: Filters


def by_organisation(
    kind: str, scope: Scope, school_year: SchoolYear, filters: Filters
) -> list[OrganisationRow]:
    """Students and groups per school (or per company) this year, with last year."""
    years = [school_year.previous, school_year]
    Company = aliased(Organisation, name="company")
    owner = School if kind == "school" else Company
    query = participations_query(
        scope,
        years,
        filters,
        F.school_year,
        owner.id,
        owner.name,
        owner.city,
        func.sum(F.students),
        func.count(F.id),
        with_school=kind == "school",
    )
    if kind == "company":
        query = query.join(Company, Company.id == F.company_id)
    query = query.group_by(F.school_year, owner.id, owner.name, owner.city)
    rows: dict[int, OrganisationRow] = {}
    for year, oid, name, city, students, groups in db.session.execute(query):
        row = rows.setdefault(
            oid, OrganisationRow(oid, name, city, 0, 0, 0, filters.but(**{kind: oid}))
        )
        if year == school_year.start:
            row.students, row.groups = int(students), int(groups)
        else:
            row.previous = int(students)
    return sorted(rows.values(), key=lambda r: (-r.students, r.name))


def planned(
    scope: Scope, school_year: SchoolYear, filters: Filters, now: datetime | None = None
) -> tuple[int, int]:
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
            _in_years(years, RAW),
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
    return int(groups), int(students)
