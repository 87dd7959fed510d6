"""What each document shows, gathered for its template. Reading only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.accounts.models import Organisation, User
from app.accounts.permissions import organisations_acted_for
from app.bookings.models import Booking
from app.catalogue.models import Activity, Slot
from app.evaluations.service import evaluation_of
from app.extensions import db
from app.holidays.service import holidays_overlapping
from app.insights import service as figures
from app.insights.filters import Filters, SchoolYear, Scope
from app.placements import schedule
from app.placements.models import Placement

# The bookings a school's programme lists: what happens or happened, and what
# waits for a place.
IN_PROGRAMME = ("requested", "confirmed", "waitlisted", "completed")
REMARKS_IN_REPORT = 120
# The appendices list the most active organisations; the complete lists are
# the dashboard's exports (a national report would otherwise print 20,000
# companies on hundreds of pages).
APPENDIX_ROWS = 250


def has_confirmation(booking: Booking) -> bool:
    return booking.status in ("confirmed", "completed")


def has_certificate(booking: Booking) -> bool:
    return booking.status == "completed"


def has_agreement(placement: Placement) -> bool:
    """A placement agreement is printed once both sides agreed (and stays
    printable after the placement ended)."""
    return placement.status in ("agreed", "ended")


@dataclass(frozen=True)
class SkippedHoliday:
    name: str
    start_date: date
    end_date: date
    dates: list[date]  # the lesson days it takes


def placement_agreement(placement: Placement) -> dict:
    """What the agreement shows beside the placement's own fields: its
    lessons with their changes, and the school holidays that skip lessons."""
    skipped_days = schedule.holiday_exdates(placement)
    holidays = []
    if skipped_days:
        for holiday in holidays_overlapping(
            placement.school.holiday_region, skipped_days[0], skipped_days[-1]
        ):
            days = [d for d in skipped_days if holiday.start_date <= d <= holiday.end_date]
            if days:
                holidays.append(
                    SkippedHoliday(holiday.name, holiday.start_date, holiday.end_date, days)
                )
    return {
        "lessons": schedule.lessons(placement),
        "changes": sorted(placement.changes, key=lambda c: (c.original_date, c.id)),
        "skipped": holidays,
        "skipped_days": len(skipped_days),
    }


def students_who_took_part(booking: Booking) -> int:
    school_side = evaluation_of(booking, "school")
    if school_side is not None and school_side.students_attended is not None:
        return school_side.students_attended
    return booking.group_size


def programme(school: Organisation, school_year: SchoolYear) -> list[Booking]:
    start, end = school_year.bounds
    return list(
        db.session.scalars(
            select(Booking)
            .join(Booking.slot)
            .where(
                Booking.school_id == school.id,
                Booking.status.in_(IN_PROGRAMME),
                Slot.starts_at >= start,
                Slot.starts_at < end,
            )
            .options(
                joinedload(Booking.slot).joinedload(Slot.activity).joinedload(Activity.company)
            )
            .order_by(Slot.starts_at, Booking.id)
        ).unique()
    )


def _curriculum_gaps(school_year: SchoolYear) -> list:
    """Per approved school with an offer for the year, the modules and
    keuzevakken of it that met no company (the curriculum map's gaps)."""
    schools = db.session.scalars(
        select(Organisation)
        .where(Organisation.kind == "school", Organisation.status == "approved")
        .order_by(Organisation.name)
    )
    found = [figures.curriculum_map(school, school_year) for school in schools]
    return [m for m in found if m.offer_named]


def annual_report(user: User, school_year: SchoolYear) -> dict:
    """The region's figures of a school year, as the dashboard computes them."""
    scope, filters = Scope.region(), Filters()
    found = figures.figures(scope, school_year, filters)
    reach = found.reach
    remarks = figures.evaluations(
        scope, school_year, filters, per_page=REMARKS_IN_REPORT, with_text=True
    ).items
    networks = [o.name for o in organisations_acted_for(user, "network")]
    return {
        "reach": reach,
        "planned": figures.planned(scope, school_year, filters),
        "coverage": figures.coverage(scope, school_year),
        "pupils": figures.pupil_coverage(scope, school_year),
        "curriculum_gaps": _curriculum_gaps(school_year),
        "evaluations": found.evaluations,
        "remarks": remarks,
        "schools": figures.by_organisation("school", scope, school_year, filters),
        "companies": figures.by_organisation("company", scope, school_year, filters),
        "appendix_rows": APPENDIX_ROWS,
        "issuer": ", ".join(networks) or "Techniekpoort",
    }
