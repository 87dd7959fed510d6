"""Where the figures look: the conditions of a scope, a school year and the
filters, over the reach facts (FACT) or over the raw bookings (RAW), and the
query of the facts that took place that every figure and list starts from."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, Integer, and_, false, func, literal, or_, select
from sqlalchemy.orm import aliased

from app.accounts.models import Organisation
from app.bookings.models import Booking
from app.catalogue.models import Activity, Slot
from app.extensions import db
from app.insights.filters import Filters, Scope
from app.insights.models import ReachFact
from app.school_year import SchoolYear

School = aliased(Organisation, name="school")

# Bookings that are or will be something: the opposite of "no activity".
PLANNED_OR_DONE = ("requested", "confirmed", "completed")


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
    ReachFact.starts_at,
    ReachFact.school_id,
    ReachFact.company_id,
    ReachFact.kind,
    ReachFact.sectors,
    ReachFact.profile,
    ReachFact.year,
    ReachFact.path,
    ReachFact.school_year,
    ReachFact.month,
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


def sector_condition(code: str, column=ReachFact.sectors) -> ColumnElement[bool]:
    bit = column.type.mask([code])
    return column.op("&", return_type=Integer)(literal(bit, Integer)) != 0


def scope_condition(scope: Scope, columns: Columns = FACT) -> ColumnElement[bool]:
    if scope.is_region:
        return literal(True)
    parts = []
    if scope.school_ids:
        parts.append(columns.school_id.in_(scope.school_ids))
    if scope.company_ids:
        parts.append(columns.company_id.in_(scope.company_ids))
    return or_(*parts) if parts else false()


def in_years(years: list[SchoolYear], columns: Columns = FACT) -> ColumnElement[bool]:
    if columns.school_year is not None:
        return columns.school_year.in_(sorted(y.start for y in years))
    start = min(y.bounds[0] for y in years)
    end = max(y.bounds[1] for y in years)
    return and_(columns.starts_at >= start, columns.starts_at < end)


def filter_conditions(
    filters: Filters, years: list[SchoolYear], columns: Columns = FACT
) -> list[ColumnElement[bool]]:
    conditions = []
    if filters.kind:
        conditions.append(columns.kind == filters.kind)
    if filters.sector:
        conditions.append(sector_condition(filters.sector, columns.sectors))
    if filters.profile == Filters.NO_PROFILE:
        conditions.append(columns.profile.is_(None))
    elif filters.profile:
        conditions.append(columns.profile == filters.profile)
    if filters.year:
        conditions.append(columns.year == filters.year)
    if filters.path:
        conditions.append(columns.path == filters.path)
    if filters.month and columns.month is not None:
        conditions.append(columns.month == filters.month)
    elif filters.month:
        conditions.append(
            or_(
                *(
                    and_(columns.starts_at >= lo, columns.starts_at < hi)
                    for lo, hi in (y.month_range(filters.month) for y in years)
                )
            )
        )
    if filters.town:
        conditions.append(School.city == filters.town)
    if filters.school:
        conditions.append(columns.school_id == filters.school)
    if filters.company:
        conditions.append(columns.company_id == filters.company)
    return conditions


def participations_query(
    scope: Scope, years: list[SchoolYear], filters: Filters, *columns, with_school: bool = False
):
    """SELECT columns FROM the facts of the bookings that took place in these
    school years, within the scope and the filters. The school's row (for its
    town) is joined only when needed."""
    query = select(*columns).select_from(ReachFact)
    if with_school or filters.town:
        query = query.join(School, School.id == ReachFact.school_id)
    return query.where(in_years(years), scope_condition(scope), *filter_conditions(filters, years))


def count(query) -> int:
    return db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
