from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.bookings.models import Booking
from app.catalogue.models import Activity
from app.extensions import db
from app.timeutil import utcnow


class ActivityQuestions(db.Model):
    """The company's own questions for the pupils' sheet of an activity, one
    per line: what to prepare, and what to look for during the activity."""

    __tablename__ = "lob_activity_questions"

    activity_id: Mapped[int] = mapped_column(
        ForeignKey("activity.id", ondelete="CASCADE"), primary_key=True
    )
    prepare: Mapped[str] = mapped_column(Text, default="")
    look_for: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    activity: Mapped[Activity] = relationship()


class BookingSheet(db.Model):
    """A booking's loopbaandossier sheet as the teacher adapted it for the
    class, and the unguessable token of the page the pupils fill in. Nothing
    about a pupil is stored: the pupils' answers never leave their browser."""

    __tablename__ = "lob_booking_sheet"

    booking_id: Mapped[int] = mapped_column(
        ForeignKey("booking.id", ondelete="CASCADE"), primary_key=True
    )
    token: Mapped[str] = mapped_column(String(43), unique=True)
    goals: Mapped[str] = mapped_column(Text, default="")
    prepare: Mapped[str] = mapped_column(Text, default="")
    look_for: Mapped[str] = mapped_column(Text, default="")
    follow_up: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    booking: Mapped[Booking] = relationship()
