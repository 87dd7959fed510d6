"""Keeping reach_fact (app/insights/models.py) equal to the raw rows.

Every write is "delete the facts of these bookings, insert them again from
the raw rows" in two statements, so a fact is always a pure function of the
booking, its slot, its activity and its evaluations, whichever event caused
the write and however often it runs. The event handlers call it in the
transaction of the change; `rebuild()` does the same for every booking.
"""

from __future__ import annotations

from sqlalchemy import and_, delete, func, insert, select

from app.bookings.models import Booking
from app.catalogue.models import Activity, Slot
from app.evaluations.models import Evaluation
from app.events import types as ev
from app.extensions import db
from app.insights.models import ReachFact


def _source(condition):
    school = Evaluation.__table__.alias("school_side")
    company = Evaluation.__table__.alias("company_side")
    return (
        select(
            Booking.id,
            Slot.starts_at,
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
    db.session.execute(insert(ReachFact).from_select(_COLUMNS, _source(booking_condition)))


def record_bookings(booking_ids: list[int]) -> None:
    if booking_ids:
        _write(Booking.id.in_(booking_ids), ReachFact.booking_id.in_(booking_ids))


def record_activity(activity_id: int) -> None:
    _write(Activity.id == activity_id, ReachFact.activity_id == activity_id)


def rebuild() -> int:
    """All facts again from the raw rows; returns how many there are."""
    _write(Booking.id.is_not(None), ReachFact.id.is_not(None))
    return db.session.scalar(select(func.count()).select_from(ReachFact))


# --- event handlers (listed in app/events/handlers/__init__.py) ------------------------------


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
