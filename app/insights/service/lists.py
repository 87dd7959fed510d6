"""The lists behind the figures: the bookings that took part, their
evaluations, and the figures per school or per company."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.orm import aliased, contains_eager, joinedload

from app.accounts.models import Organisation
from app.bookings.models import Booking
from app.catalogue.models import Activity, Slot
from app.evaluations.models import Evaluation
from app.extensions import db
from app.insights.filters import Filters, Scope
from app.insights.models import ReachFact
from app.insights.service.conditions import School, count, participations_query
from app.school_year import SchoolYear


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
    total = count(participations_query(scope, years, filters, ReachFact.id))
    query = (
        participations_query(
            scope,
            years,
            filters,
            Booking,
            ReachFact.students,
            ReachFact.school_rating,
            ReachFact.company_rating,
        )
        .join(Booking, Booking.id == ReachFact.booking_id)
        .options(
            joinedload(Booking.slot).joinedload(Slot.activity).joinedload(Activity.company),
            joinedload(Booking.school),
        )
        .order_by(ReachFact.starts_at, ReachFact.booking_id)
    )
    if per_page:
        query = query.limit(per_page).offset((page - 1) * per_page)
    items = [
        Participation(row.Booking, int(row.students), row.school_rating, row.company_rating)
        for row in db.session.execute(query)
    ]
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
    booking_ids = participations_query(scope, years, filters, ReachFact.booking_id)
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
        ReachFact.school_year,
        owner.id,
        owner.name,
        owner.city,
        func.sum(ReachFact.students),
        func.count(ReachFact.id),
        with_school=kind == "school",
    )
    if kind == "company":
        query = query.join(Company, Company.id == ReachFact.company_id)
    query = query.group_by(ReachFact.school_year, owner.id, owner.name, owner.city)
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
