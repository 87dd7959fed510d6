from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import User
from app.bookings.models import Booking
from app.extensions import db
from app.timeutil import utcnow

SIDES = ("school", "company")


class Evaluation(db.Model):
    """One party's evaluation of a booking that took place; one per side.

    Only the school counts heads: `students_attended` is how many students of
    the group actually came, and the reach figures prefer it to the booked size.
    The company side leaves it empty."""

    __tablename__ = "evaluation"

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("booking.id", ondelete="CASCADE"))
    side: Mapped[str] = mapped_column(String(8))
    students_attended: Mapped[int | None]
    rating: Mapped[int]
    went_well: Mapped[str] = mapped_column(Text, default="")
    could_be_better: Mapped[str] = mapped_column(Text, default="")
    # The school's four answers on how meaningful it was (app/evaluations/meaningful.py).
    clear_purpose: Mapped[bool | None]
    professionals_interaction: Mapped[bool | None]
    pupils_reflected: Mapped[bool | None]
    follow_up_planned: Mapped[bool | None]
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)

    booking: Mapped[Booking] = relationship()
    submitted_by: Mapped[User | None] = relationship()

    __table_args__ = (
        UniqueConstraint("booking_id", "side", name="uq_evaluation_booking_side"),
        CheckConstraint("side IN ('school', 'company')", name="side"),
        CheckConstraint("rating BETWEEN 1 AND 5", name="rating_range"),
        CheckConstraint(
            "students_attended IS NULL OR students_attended >= 0",
            name="students_attended_not_negative",
        ),
        # The reach figures join the school side's head count onto bookings.
        Index("ix_evaluation_side_booking", "side", "booking_id"),
    )

    def __repr__(self) -> str:
        return f"<Evaluation {self.id} {self.side} booking={self.booking_id} rating={self.rating}>"
