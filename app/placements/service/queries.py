"""Reading placements: the lists of the pages, a placement's history, those
ending soon, and the hybrid-teacher hours of the overview."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload

from app import vocabulary
from app.accounts.models import Organisation
from app.events import history as event_history
from app.extensions import db
from app.placements.models import Placement
from app.timeutil import today_local


def with_details(query):
    return query.options(
        joinedload(Placement.company),
        joinedload(Placement.school),
        joinedload(Placement.professional),
    )


def placements_of(query, *, statuses: Iterable[str] | None = None, limit: int = 500):
    """Placements from a visible_placements() query, soonest first date first."""
    if statuses:
        query = query.where(Placement.status.in_(tuple(statuses)))
    query = with_details(query).order_by(Placement.first_date, Placement.id).limit(limit)
    return list(db.session.scalars(query).unique())


def history(placement: Placement):
    """The event log of a placement, oldest first."""

    return event_history(("placement", placement.id))


def ending_within(days: int, today: date | None = None) -> list[Placement]:
    """Agreed placements whose last date comes within `days` days."""
    today = today or today_local()
    return list(
        db.session.scalars(
            with_details(select(Placement))
            .where(
                Placement.status == "agreed",
                Placement.last_date >= today,
                Placement.last_date <= today + timedelta(days=days),
            )
            .order_by(Placement.last_date, Placement.id)
        ).unique()
    )


@dataclass(frozen=True)
class SchoolHours:
    school_id: int
    school_name: str
    hours_per_week: int
    placements: int


def _overlapping(first: date, last: date):
    """Placements that were agreed and ran for some of first..last."""
    return (
        Placement.status.in_(("agreed", "ended")),
        Placement.agreed_at.is_not(None),
        Placement.first_date <= last,
        Placement.last_date >= first,
        or_(Placement.ended_on.is_(None), Placement.ended_on >= first),
    )


def hours_per_school(school_year_first: date, school_year_last: date) -> list[SchoolHours]:
    """Hybrid-teacher hours per week per school over placements that were agreed
    and ran in the period (ended ones included: they took place), most hours first."""
    rows = db.session.execute(
        select(
            Organisation.id,
            Organisation.name,
            func.sum(Placement.hours_per_week),
            func.count(Placement.id),
        )
        .join(Placement, Placement.school_id == Organisation.id)
        .where(*_overlapping(school_year_first, school_year_last))
        .group_by(Organisation.id, Organisation.name)
        .order_by(func.sum(Placement.hours_per_week).desc(), Organisation.name)
    )
    return [SchoolHours(sid, name, int(hours or 0), int(count)) for sid, name, hours, count in rows]


@dataclass(frozen=True)
class SectorHours:
    sector: str
    hours_per_week: int
    placements: int


def hours_per_sector(first: date, last: date) -> list[SectorHours]:
    """The same by the company's sectors (a company in two sectors counts in both)."""
    placements = (
        db.session.scalars(
            select(Placement)
            .options(joinedload(Placement.company))
            .where(*_overlapping(first, last))
        )
        .unique()
        .all()
    )
    totals: dict[str, list[int]] = {}
    for placement in placements:
        for sector in placement.company.sectors:
            total = totals.setdefault(sector, [0, 0])
            total[0] += placement.hours_per_week
            total[1] += 1
    return [SectorHours(code, *totals[code]) for code in vocabulary.SECTORS if code in totals]
