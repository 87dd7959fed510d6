"""Bookings that took place, and their evaluations, for the evaluation,
insights and document tests. Rows are added directly, as history: the booking
lifecycle itself is tested in tests/bookings. The reach facts are written as
the BookingCompleted and EvaluationSubmitted handlers would."""

from __future__ import annotations

from datetime import datetime, timedelta

from app.bookings.models import Booking
from app.evaluations.models import Evaluation
from app.extensions import db
from app.insights.facts import record_bookings
from app.timeutil import local_to_utc
from tests import factories


def past_slot(activity, *, days_ago: int = 3, starts_at: datetime | None = None, **values):
    return factories.slot(activity, starts_at=starts_at, days_ahead=-days_ago, **values)


def local(year: int, month: int, day: int, hour: int = 10) -> datetime:
    """A naive UTC instant for a local (Amsterdam) wall-clock time."""
    return local_to_utc(datetime(year, month, day, hour))


def booking(
    slot,
    school,
    *,
    size: int = 20,
    status: str = "completed",
    year: str = "3",
    path: str = "KB",
    profile: str | None = "PIE",
    teacher=None,
    **values,
) -> Booking:
    row = Booking(
        slot=slot,
        school=school,
        teacher=teacher,
        booked_by=teacher,
        group_size=size,
        year=year,
        path=path,
        profile=profile,
        status=status,
        created_at=slot.starts_at - timedelta(days=30),
        **values,
    )
    if status in ("requested", "confirmed", "completed"):
        slot.taken += size
        slot.capacity = max(slot.capacity, slot.taken)
    db.session.add(row)
    db.session.flush()
    record_bookings([row.id])
    return row


def evaluation(
    booking: Booking,
    side: str = "school",
    *,
    rating: int = 4,
    attended: int | None = None,
    **values,
) -> Evaluation:
    row = Evaluation(
        booking=booking,
        side=side,
        rating=rating,
        students_attended=(attended if side == "school" else None),
        **values,
    )
    db.session.add(row)
    db.session.flush()
    record_bookings([booking.id])
    return row
