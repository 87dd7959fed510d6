"""Coverage: the approved schools without any activity this school year, the
companies whose offers nobody booked, and the hybrid-teacher hours per school."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, and_, exists, func, or_, select

from app.accounts.models import Organisation
from app.bookings.models import Booking
from app.catalogue.models import Activity, Slot
from app.extensions import db
from app.insights.filters import Scope
from app.insights.service.conditions import PLANNED_OR_DONE
from app.placements.models import Placement
from app.school_year import SchoolYear


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
        select(
            Organisation.id,
            Organisation.name,
            Organisation.city,
            (~_school_busy(school_year)).label("idle"),
        )
        .where(_organisations_in(scope, "school"))
        .order_by(*by_place)
    ).all()
    offering = db.session.execute(
        select(
            Organisation.id,
            Organisation.name,
            Organisation.city,
            (~_company_booked(school_year)).label("idle"),
        )
        .where(_organisations_in(scope, "company"), _offering(school_year))
        .order_by(*by_place)
    ).all()
    idle_schools = [Listed(row.id, row.name, row.city) for row in schools if row.idle]
    idle_companies = [Listed(row.id, row.name, row.city) for row in offering if row.idle]
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
    first, last = school_year.first_day, school_year.last_day
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
