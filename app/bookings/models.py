from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import Organisation, User
from app.catalogue.models import Slot
from app.extensions import db
from app.timeutil import utcnow

# States in which a booking holds places on its slot. An offered booking holds
# the places offered to it until it accepts or its offer lapses
# (app/bookings/waiting_list.py).
HOLDING = ("requested", "confirmed", "offered")
# States from which a booking can still be cancelled by its school.
ACTIVE = ("requested", "confirmed", "waitlisted", "offered")
# On the waiting list: waiting for places, or holding an offer of them.
WAITING = ("waitlisted", "offered")
STATES = (
    "requested",
    "confirmed",
    "waitlisted",
    "offered",
    "declined",
    "cancelled",
    "completed",
)
# How the waiting lists of the region give freed places (WaitingListRule).
PROMOTION_RULES = ("first_come", "fewest_first")


class Booking(db.Model):
    """A school's reservation of a slot for one group ("boeking").

    A group is counted, never named: size, year, learning path and profile."""

    __tablename__ = "booking"

    id: Mapped[int] = mapped_column(primary_key=True)
    slot_id: Mapped[int] = mapped_column(ForeignKey("slot.id", ondelete="CASCADE"))
    school_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    # The teacher responsible for the group on the day.
    teacher_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    booked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    group_size: Mapped[int]
    year: Mapped[str] = mapped_column(String(1))
    path: Mapped[str] = mapped_column(String(2))
    profile: Mapped[str | None] = mapped_column(String(3))
    remarks: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(12))
    accept_waitlist: Mapped[bool] = mapped_column(default=False)
    decline_reason: Mapped[str] = mapped_column(Text, default="")
    cancel_reason: Mapped[str] = mapped_column(Text, default="")
    # school | company | lapsed (an offer nobody answered in time)
    cancelled_by: Mapped[str | None] = mapped_column(String(8))
    # While offered: until when the school may accept the places held for it.
    offer_expires_at: Mapped[datetime | None]
    # Makes a form sent twice (or an API call retried) one booking.
    idempotency_key: Mapped[str | None] = mapped_column(String(64))
    revision: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    slot: Mapped[Slot] = relationship()
    school: Mapped[Organisation] = relationship()
    teacher: Mapped[User | None] = relationship(foreign_keys=[teacher_id])
    booked_by: Mapped[User | None] = relationship(foreign_keys=[booked_by_id])

    __table_args__ = (
        CheckConstraint("group_size > 0", name="group_size_positive"),
        CheckConstraint(
            "status IN ('requested', 'confirmed', 'waitlisted', 'offered', 'declined', "
            "'cancelled', 'completed')",
            name="status",
        ),
        UniqueConstraint("booked_by_id", "idempotency_key", name="uq_booking_idempotency"),
        Index("ix_booking_slot_status", "slot_id", "status"),
    )

    @property
    def holds_places(self) -> bool:
        return self.status in HOLDING

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE

    def __repr__(self) -> str:
        return f"<Booking {self.id} {self.status} slot={self.slot_id} size={self.group_size}>"


class WaitingListRule(db.Model):
    """The region's choice of who gets freed places first, set by a
    coordinator: `first_come` (the order of booking) or `fewest_first` (the
    schools with the fewest activities this school year, ties by the order of
    booking). One platform serves one regional programme, so one row (id 1);
    no row means first come, first served."""

    __tablename__ = "waiting_list_rule"

    id: Mapped[int] = mapped_column(primary_key=True)
    rule: Mapped[str] = mapped_column(String(16), default="first_come")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    __table_args__ = (CheckConstraint("rule IN ('first_come', 'fewest_first')", name="rule"),)
