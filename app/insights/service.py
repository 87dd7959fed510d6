"""The figures: reach, coverage and evaluations, computed by the database.

Every figure is an SQL aggregate, so the numbers on the dashboard, in the
exports and in the annual report are the same numbers. Reach and evaluation
figures aggregate reach_fact, one pre-joined row per booking that took place
(app/insights/models.py, kept by app/insights/facts.py); coverage and the
lists read the bookings themselves. Tests recompute every figure from the raw
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

from dataclasses import dataclass, field
from datetime import datetime
from itertools import pairwise

from flask_babel import format_date
from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    ColumnElement,
    Integer,
    and_,
    case,
    exists,
    false,
    func,
    literal,
    or_,
    select,
)
from sqlalchemy.orm import aliased, contains_eager, joinedload

from app import vocabulary
from app.accounts.models import Organisation
from app.bookings.models import Booking
from app.catalogue.models import Activity, Slot
from app.evaluations.models import Evaluation
from app.extensions import db
from app.insights.filters import Filters, SchoolYear, Scope
from app.insights.models import ReachFact

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
    confirmed bookings still to come, which have no facts)."""

    starts_at: ColumnElement
    school_id: ColumnElement
    company_id: ColumnElement
    kind: ColumnElement
    sectors: ColumnElement
    profile: ColumnElement
    year: ColumnElement
    path: ColumnElement


FACT = Columns(F.starts_at, F.school_id, F.company_id, F.kind, F.sectors, F.profile, F.year, F.path)
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
    if filters.month:
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


def _period(year: SchoolYear) -> ColumnElement[int]:
    """1 for a slot in `year`, 0 for one in the year before."""
    return case((F.starts_at >= year.bounds[0], 1), else_=0)


def _month_key(years: list[SchoolYear]) -> ColumnElement[int]:
    """The calendar month (1-12) of the slot's local start, as one CASE over the
    UTC instants where local months begin: the same on every backend, and exact
    across the change to and from summer time."""
    whens = []
    for year in sorted(years, key=lambda y: y.start):
        for month, (_, end) in zip(year.months(), pairwise(year.month_bounds()), strict=True):
            whens.append((F.starts_at < end, month.month))
    return case(*whens, else_=None)


# --- reach --------------------------------------------------------------------------------


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


def totals(scope: Scope, school_year: SchoolYear, filters: Filters) -> tuple[Totals, Totals]:
    """The headline figures of a school year and of the year before."""
    years = [school_year.previous, school_year]
    period = _period(school_year).label("period")
    query = participations_query(
        scope,
        years,
        filters,
        period,
        func.sum(F.students),
        func.sum(F.booked),
        func.count(F.id),
        func.count(func.distinct(F.school_id)),
        func.count(func.distinct(F.company_id)),
        func.count(F.school_rating),
        func.count(F.company_rating),
    ).group_by(period)
    found = {0: Totals(), 1: Totals()}
    for p, *numbers in db.session.execute(query):
        found[p] = Totals(*(int(n or 0) for n in numbers))
    return found[1], found[0]


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


def breakdown(name: str, scope: Scope, school_year: SchoolYear, filters: Filters) -> Breakdown:
    """Students, groups and distinct schools per value of one dimension, this
    school year, with last year's students beside them."""
    years = [school_year.previous, school_year]
    if name == "sector":
        return _sector_breakdown(scope, school_year, filters)
    key = {
        "profile": F.profile,
        "year": F.year,
        "path": F.path,
        "kind": F.kind,
        "town": School.city,
        "month": _month_key(years),
    }[name].label("key")
    period = _period(school_year).label("period")
    query = participations_query(
        scope,
        years,
        filters,
        period,
        key,
        func.sum(F.students),
        func.count(F.id),
        func.count(func.distinct(F.school_id)),
        with_school=name == "town",
    ).group_by(period, key)
    labels = _labels(name, school_year)
    rows: dict = {}
    for p, k, students, groups, schools in db.session.execute(query):
        label = (
            labels.get(k, k)
            if k is not None
            else (str(NO_PROFILE_LABEL) if name == "profile" else "?")
        )
        row = rows.setdefault(k, Row(k, str(label), filters=_filter_for(name, k, filters)))
        if p == 1:
            row.students, row.groups, row.schools = int(students), int(groups), int(schools)
        else:
            row.previous = int(students)
    return Breakdown(name, str(DIMENSIONS[name]), _ordered(name, rows, school_year))


def _sector_breakdown(scope: Scope, school_year: SchoolYear, filters: Filters) -> Breakdown:
    years = [school_year.previous, school_year]
    period = _period(school_year).label("period")
    columns = []
    for code in vocabulary.SECTORS:
        inside = sector_condition(code)
        columns += [
            func.sum(case((inside, F.students), else_=0)),
            func.sum(case((inside, 1), else_=0)),
            func.count(func.distinct(case((inside, F.school_id), else_=None))),
        ]
    query = participations_query(scope, years, filters, period, *columns).group_by(period)
    rows = {
        code: Row(code, str(label), filters=filters.but(sector=code))
        for code, label in vocabulary.SECTORS.items()
    }
    for p, *numbers in db.session.execute(query):
        for index, code in enumerate(vocabulary.SECTORS):
            students, groups, schools = (int(n or 0) for n in numbers[3 * index : 3 * index + 3])
            if p == 1:
                row = rows[code]
                row.students, row.groups, row.schools = students, groups, schools
            else:
                rows[code].previous = students
    kept = [r for r in rows.values() if r.students or r.previous]
    return Breakdown("sector", str(DIMENSIONS["sector"]), kept)


def reach(scope: Scope, school_year: SchoolYear, filters: Filters) -> Reach:
    current, previous = totals(scope, school_year, filters)
    return Reach(
        school_year=school_year,
        current=current,
        previous=previous,
        breakdowns={name: breakdown(name, scope, school_year, filters) for name in DIMENSIONS},
    )


# --- coverage -----------------------------------------------------------------------------


@dataclass
class Coverage:
    idle_schools: list[Organisation]  # the first `limit`, by town and name
    idle_companies: list[Organisation]
    idle_schools_count: int
    idle_companies_count: int
    schools: int  # approved schools in scope
    offering_companies: int  # approved companies in scope with slots this year


def _organisations_in(scope: Scope, kind: str):
    condition = Organisation.kind == kind
    if not scope.is_region:
        ids = scope.school_ids if kind == "school" else scope.company_ids
        condition = and_(condition, Organisation.id.in_(ids or ()))
    return and_(condition, Organisation.status == "approved")


def _slot_in(year: SchoolYear):
    start, end = year.bounds
    return and_(Slot.starts_at >= start, Slot.starts_at < end)


def idle_schools_query(scope: Scope, school_year: SchoolYear):
    """Approved schools without any booking (asked, confirmed or done) for a slot
    of this school year."""
    busy = (
        select(Booking.id)
        .join(Slot, Slot.id == Booking.slot_id)
        .where(
            Booking.school_id == Organisation.id,
            Booking.status.in_(PLANNED_OR_DONE),
            _slot_in(school_year),
        )
    )
    return select(Organisation).where(_organisations_in(scope, "school"), ~exists(busy))


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


def idle_companies_query(scope: Scope, school_year: SchoolYear):
    """Approved companies that offer slots this school year, none of them booked."""
    booked = (
        select(Booking.id)
        .join(Slot, Slot.id == Booking.slot_id)
        .join(Activity, Activity.id == Slot.activity_id)
        .where(
            Activity.company_id == Organisation.id,
            Booking.status.in_(PLANNED_OR_DONE),
            _slot_in(school_year),
        )
    )
    return select(Organisation).where(
        _organisations_in(scope, "company"), _offering(school_year), ~exists(booked)
    )


def coverage(scope: Scope, school_year: SchoolYear, limit: int | None = None) -> Coverage:
    def listed(query):
        query = query.order_by(Organisation.city, Organisation.name)
        return list(db.session.scalars(query.limit(limit) if limit else query))

    return Coverage(
        idle_schools=listed(idle_schools_query(scope, school_year)),
        idle_companies=listed(idle_companies_query(scope, school_year)),
        idle_schools_count=count(idle_schools_query(scope, school_year)),
        idle_companies_count=count(idle_companies_query(scope, school_year)),
        schools=count(select(Organisation.id).where(_organisations_in(scope, "school"))),
        offering_companies=count(
            select(Organisation.id).where(
                _organisations_in(scope, "company"), _offering(school_year)
            )
        ),
    )


def count(query) -> int:
    return db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))


# --- evaluations --------------------------------------------------------------------------


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


def _average(value) -> float | None:
    return None if value is None else round(float(value), 2)


def evaluation_summary(
    scope: Scope, school_year: SchoolYear, filters: Filters, current: Totals | None = None
) -> EvaluationSummary:
    years = [school_year]
    if current is None:
        current, _ = totals(scope, school_year, filters)
    kind = F.kind.label("kind")
    by_kind_query = participations_query(
        scope,
        years,
        filters,
        kind,
        func.count(F.school_rating),
        func.avg(F.school_rating),
        func.count(F.company_rating),
        func.avg(F.company_rating),
    ).group_by(kind)
    found = {k: (sc, sa, cc, ca) for k, sc, sa, cc, ca in db.session.execute(by_kind_query)}
    by_kind = [
        RatingRow(
            code,
            str(label),
            int(found[code][0]),
            _average(found[code][1]),
            int(found[code][2]),
            _average(found[code][3]),
            filters.but(kind=code),
        )
        for code, label in vocabulary.ACTIVITY_KINDS.items()
        if code in found
    ]
    columns = []
    for code in vocabulary.SECTORS:
        inside = sector_condition(code)
        columns += [
            func.count(case((inside, F.school_rating), else_=None)),
            func.avg(case((inside, F.school_rating), else_=None)),
            func.count(case((inside, F.company_rating), else_=None)),
            func.avg(case((inside, F.company_rating), else_=None)),
        ]
    numbers = db.session.execute(participations_query(scope, years, filters, *columns)).one()
    by_sector = []
    for index, (code, label) in enumerate(vocabulary.SECTORS.items()):
        sc, sa, cc, ca = numbers[4 * index : 4 * index + 4]
        if sc or cc:
            by_sector.append(
                RatingRow(
                    code,
                    str(label),
                    int(sc),
                    _average(sa),
                    int(cc),
                    _average(ca),
                    filters.but(sector=code),
                )
            )
    return EvaluationSummary(
        current.groups,
        current.evaluated_by_school,
        current.evaluated_by_company,
        by_kind,
        by_sector,
    )


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
    period = _period(school_year).label("period")
    query = participations_query(
        scope,
        years,
        filters,
        period,
        owner.id,
        owner.name,
        owner.city,
        func.sum(F.students),
        func.count(F.id),
        with_school=kind == "school",
    )
    if kind == "company":
        query = query.join(Company, Company.id == F.company_id)
    query = query.group_by(period, owner.id, owner.name, owner.city)
    rows: dict[int, OrganisationRow] = {}
    for p, oid, name, city, students, groups in db.session.execute(query):
        row = rows.setdefault(
            oid, OrganisationRow(oid, name, city, 0, 0, 0, filters.but(**{kind: oid}))
        )
        if p == 1:
            row.students, row.groups = int(students), int(groups)
        else:
            row.previous = int(students)
    return sorted(rows.values(), key=lambda r: (-r.students, r.name))


def planned(
    scope: Scope, school_year: SchoolYear, filters: Filters, now: datetime | None = None
) -> tuple[int, int]:
    """Confirmed groups and their students still to come this school year: not
    reach yet, shown beside it."""
    from app.timeutil import utcnow

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
