"""Keeping reach_fact (app/insights/models.py) equal to the raw rows.

Every write is "delete the facts of these bookings, insert them again from
the raw rows" in two statements, so a fact is always a pure function of the
booking, its slot, its activity and its evaluations, whichever event caused
the write and however often it runs. The event handlers call it in the
transaction of the change; `rebuild()` does the same for every booking.
"""

from __future__ import annotations

from itertools import pairwise

from sqlalchemy import and_, case, delete, func, insert, select

from app.bookings.models import Booking
from app.catalogue.models import Activity, Slot
from app.evaluations.models import Evaluation
from app.events import types as ev
from app.extensions import db
from app.insights.filters import SchoolYear
from app.insights.models import ReachFact
from app.timeutil import to_local


def _calendar(years: list[SchoolYear]):
    """The school year and the local calendar month of a slot's start, as CASE
    expressions over the UTC instants where these school years' local months
    begin: the same on every backend, and exact across summer time."""
    year_whens, month_whens = [], []
    for year in sorted(years, key=lambda y: y.start):
        for month, (_, end) in zip(year.months(), pairwise(year.month_bounds()), strict=True):
            month_whens.append((Slot.starts_at < end, month.month))
        year_whens.append((Slot.starts_at < year.bounds[1], year.start))
    return case(*year_whens, else_=None), case(*month_whens, else_=None)


def _years_of(condition) -> list[SchoolYear]:
    """The school years of the slots of the completed bookings concerned."""
    first, last = db.session.execute(
        select(func.min(Slot.starts_at), func.max(Slot.starts_at))
        .select_from(Booking)
        .join(Slot, Slot.id == Booking.slot_id)
        .join(Activity, Activity.id == Slot.activity_id)
        .where(Booking.status == "completed", condition)
    ).one()
    if first is None:
        return []
    low = SchoolYear.containing(to_local(first).date()).start
    high = SchoolYear.containing(to_local(last).date()).start
    return [SchoolYear(y) for y in range(low, high + 1)]


def _source(condition, years: list[SchoolYear]):
    school = Evaluation.__table__.alias("school_side")
    company = Evaluation.__table__.alias("company_side")
    school_year, month = _calendar(years)
    return (
        select(
            Booking.id,
            Slot.starts_at,
            school_year,
            month,
            Booking.school_id,
            Activity.company_id,
            Activity.id,
            Activity.kind,
            Activity.sectors,
            Booking.year,
            Booking.path,
            Booking.profile,
            Booking.group_size,
            func.coalesce(school.c.students_attended, Booking.group_size),
            school.c.rating,
            company.c.rating,
        )
        .select_from(Booking)
        .join(Slot, Slot.id == Booking.slot_id)
        .join(Activity, Activity.id == Slot.activity_id)
        .outerjoin(school, and_(school.c.booking_id == Booking.id, school.c.side == "school"))
        .outerjoin(company, and_(company.c.booking_id == Booking.id, company.c.side == "company"))
        .where(Booking.status == "completed", condition)
        .order_by(Slot.starts_at, Booking.id)
    )


_COLUMNS = [
    "booking_id",
    "starts_at",
    "school_year",
    "month",
    "school_id",
    "company_id",
    "activity_id",
    "kind",
    "sectors",
    "year",
    "path",
    "profile",
    "booked",
    "students",
    "school_rating",
    "company_rating",
]


def _write(booking_condition, fact_condition) -> None:
    db.session.execute(delete(ReachFact).where(fact_condition))
    years = _years_of(booking_condition)
    if years:
        source = _source(booking_condition, years)
        db.session.execute(insert(ReachFact).from_select(_COLUMNS, source))


def record_bookings(booking_ids: list[int]) -> None:
    if booking_ids:
        _write(Booking.id.in_(booking_ids), ReachFact.booking_id.in_(booking_ids))


def record_activity(activity_id: int) -> None:
    _write(Activity.id == activity_id, ReachFact.activity_id == activity_id)


def rebuild() -> int:
    """All facts again from the raw rows; returns how many there are."""
    _write(Booking.id.is_not(None), ReachFact.id.is_not(None))
    return db.session.scalar(select(func.count()).select_from(ReachFact))


# --- event handlers (listed in app/reactions/__init__.py) ------------------------------


def booking_completed(event: ev.BookingCompleted) -> None:
    record_bookings([event.booking_id])


def evaluation_submitted(event: ev.EvaluationSubmitted) -> None:
    record_bookings([event.booking_id])


def activity_changed(event: ev.ActivityChanged) -> None:
    # Kind and sectors are counted from the activity as it is now.
    record_activity(event.activity_id)


def slot_rescheduled(event: ev.SlotRescheduled) -> None:
    record_bookings(
        list(
            db.session.scalars(
                select(Booking.id).where(
                    Booking.slot_id == event.slot_id, Booking.status == "completed"
                )
            )
        )
    )
