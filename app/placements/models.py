"""Hybrid-teacher placements ("hybride docent") and the candidate pool.

A Placement is a professional from a company teaching some hours a week at a
school over a period. Its weekly schedule is a rule (weekdays, one time range
for all of them, first and last date) minus the school region's holidays, plus
exceptions: a PlacementLessonChange per lesson that was cancelled or moved,
keyed by the lesson's original date. A calendar renders exactly that: one
VEVENT with RRULE, EXDATEs and RECURRENCE-ID overrides (docs/INTEROPERABILITY.md, rule 11).

A Professional is both the candidate-pool entry and the identity the clash rule
works on: every placement names one, and all placements of one professional are
checked against each other under a lock on the professional's row.
"""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    String,
    Text,
    Time,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app import vocabulary
from app.accounts.models import Organisation, User
from app.db_types import FlagSet
from app.extensions import db
from app.timeutil import utcnow

# Placement states.
STATES = ("proposed", "countered", "agreed", "declined", "withdrawn", "ended")
# States in which a placement claims the professional's hours (the clash rule).
CLAIMING = ("proposed", "countered", "agreed")
# States in which the parties are still negotiating.
OPEN = ("proposed", "countered")
SIDES = ("company", "school")

# Candidate-pool entry states: a self-registration waits for a coordinator.
CANDIDATE_STATES = ("pending", "approved", "rejected", "withdrawn")
CANDIDATE_SOURCES = ("company", "self")

MIN_HOURS = 1
MAX_HOURS = 40


class Professional(db.Model):
    """A professional who may teach part-time at a school; also an entry of the
    candidate pool when `in_pool` and approved.

    Personal data is kept to what brokering needs: a name, a way to reach them
    (only for self-registrations, who have no company contact in between), town
    and what they can teach. No birth date, no address."""

    __tablename__ = "professional"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The company that offers this professional. A self-registration has none
    # until a coordinator links it to a company; only then can it be proposed.
    company_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(254), default="")
    kind: Mapped[str] = mapped_column(String(20), default="employee")
    expertise: Mapped[str] = mapped_column(Text, default="")
    subjects: Mapped[str] = mapped_column(String(200), default="")
    profiles: Mapped[frozenset[str]] = mapped_column(
        FlagSet(vocabulary.PROFILES), default=frozenset
    )
    # Availability: on which school days and how many hours a week at most.
    weekdays: Mapped[frozenset[str]] = mapped_column(
        FlagSet(vocabulary.WEEKDAYS), default=frozenset
    )
    hours_per_week: Mapped[int | None]
    town: Mapped[str] = mapped_column(String(100), default="")
    region: Mapped[str] = mapped_column(String(100), default="")
    source: Mapped[str] = mapped_column(String(8), default="company")
    status: Mapped[str] = mapped_column(String(10), default="approved")
    # Listed in the pool for schools and coordinators to find.
    in_pool: Mapped[bool] = mapped_column(default=True)
    consent_at: Mapped[datetime | None]
    registered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    approved_at: Mapped[datetime | None]
    # Raised by every placement change of this professional: the write that
    # serialises clash checks (placements.service._lock_professional).
    lock_version: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    company: Mapped[Organisation | None] = relationship()
    registered_by: Mapped[User | None] = relationship(foreign_keys=[registered_by_id])
    approved_by: Mapped[User | None] = relationship(foreign_keys=[approved_by_id])

    __table_args__ = (
        CheckConstraint("kind IN ('employee', 'career_switcher', 'technician')", name="kind"),
        CheckConstraint("source IN ('company', 'self')", name="source"),
        CheckConstraint(
            "status IN ('pending', 'approved', 'rejected', 'withdrawn')", name="status"
        ),
        CheckConstraint(
            "hours_per_week IS NULL OR (hours_per_week >= 1 AND hours_per_week <= 40)",
            name="hours_per_week_range",
        ),
        Index("ix_professional_pool", "in_pool", "status"),
    )

    @property
    def is_listed(self) -> bool:
        return self.in_pool and self.status == "approved"

    @property
    def kind_label(self) -> str:
        return str(vocabulary.CANDIDATE_KINDS.get(self.kind, self.kind))

    def __repr__(self) -> str:
        return f"<Professional {self.id} {self.name!r}>"


class Placement(db.Model):
    """A professional teaching at a school for some hours a week over a period.

        proposed --accept--> agreed --end--> ended (early, or finished after last_date)
           |  \\--counter--> countered --accept--> agreed
           |                    |
           +--decline/withdraw--+--> declined | withdrawn

    `proposed_by` is the side that made the proposal (normally the company; a
    school teacher may start one from the pool). The other side accepts,
    declines or counters; a counter goes back to the proposing side.
    Weekdays share one time range (start_time..end_time): a hybrid teacher's
    hours are a fixed block on their school days."""

    __tablename__ = "placement"

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    school_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    professional_id: Mapped[int] = mapped_column(
        ForeignKey("professional.id", ondelete="CASCADE"), index=True
    )
    proposed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    proposed_by: Mapped[str] = mapped_column(String(8), default="company")
    # What the professional teaches here (may be narrower than their expertise).
    subjects: Mapped[str] = mapped_column(String(200), default="")
    profiles: Mapped[frozenset[str]] = mapped_column(
        FlagSet(vocabulary.PROFILES), default=frozenset
    )
    hours_per_week: Mapped[int]
    weekdays: Mapped[frozenset[str]] = mapped_column(
        FlagSet(vocabulary.WEEKDAYS), default=frozenset
    )
    start_time: Mapped[time] = mapped_column(Time)
    end_time: Mapped[time] = mapped_column(Time)
    first_date: Mapped[date] = mapped_column(Date)
    last_date: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10), default="proposed")
    remarks: Mapped[str] = mapped_column(Text, default="")
    counter_message: Mapped[str] = mapped_column(Text, default="")
    decline_reason: Mapped[str] = mapped_column(Text, default="")
    # Set when the placement ended: the last day with lessons, and why.
    ended_on: Mapped[date | None] = mapped_column(Date)
    end_reason: Mapped[str] = mapped_column(Text, default="")
    ended_early: Mapped[bool] = mapped_column(default=False)
    # Raised on every change people should see; calendar feeds use it as SEQUENCE.
    revision: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    agreed_at: Mapped[datetime | None]
    # What the school's HR asks (placements.service.hr, docs/decisions/0021):
    # the date of the professional's certificate of conduct (VOG), whether they
    # hold a teaching qualification, the school's teacher who supervises them,
    # and above the hours allowed without one, their route to a qualification
    # and its deadline.
    vog_date: Mapped[date | None] = mapped_column(Date)
    qualified: Mapped[bool] = mapped_column(default=False)
    supervisor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    qualification_route: Mapped[str] = mapped_column(String(200), default="")
    qualification_deadline: Mapped[date | None] = mapped_column(Date)

    company: Mapped[Organisation] = relationship(foreign_keys=[company_id])
    school: Mapped[Organisation] = relationship(foreign_keys=[school_id])
    professional: Mapped[Professional] = relationship()
    proposer: Mapped[User | None] = relationship(foreign_keys=[proposed_by_id])
    supervisor: Mapped[User | None] = relationship(foreign_keys=[supervisor_id])
    changes: Mapped[list[PlacementLessonChange]] = relationship(
        back_populates="placement",
        cascade="all, delete-orphan",
        order_by="PlacementLessonChange.original_date",
    )

    __table_args__ = (
        CheckConstraint(
            "status IN ('proposed', 'countered', 'agreed', 'declined', 'withdrawn', 'ended')",
            name="status",
        ),
        CheckConstraint("proposed_by IN ('company', 'school')", name="proposed_by"),
        CheckConstraint(
            "hours_per_week >= 1 AND hours_per_week <= 40", name="hours_per_week_range"
        ),
        CheckConstraint("last_date >= first_date", name="dates_in_order"),
        CheckConstraint("end_time > start_time", name="ends_after_start"),
        Index("ix_placement_professional_status", "professional_id", "status"),
        Index("ix_placement_status_last_date", "status", "last_date"),
    )

    @property
    def awaiting(self) -> str | None:
        """The side whose answer the placement waits for, if any."""
        if self.status == "proposed":
            return "school" if self.proposed_by == "company" else "company"
        if self.status == "countered":
            return self.proposed_by
        return None

    @property
    def effective_last_date(self) -> date:
        """The last day that can have lessons: the agreed last date, or the day it
        ended early."""
        if self.ended_on is not None and self.ended_on < self.last_date:
            return self.ended_on
        return self.last_date

    @property
    def claims_hours(self) -> bool:
        return self.status in CLAIMING

    @property
    def weekday_codes(self) -> list[str]:
        """The weekdays in calendar order (mo..fr)."""
        return [code for code in vocabulary.WEEKDAYS if code in self.weekdays]

    def __repr__(self) -> str:
        return (
            f"<Placement {self.id} {self.status} school={self.school_id} company={self.company_id}>"
        )


class PlacementLessonChange(db.Model):
    """One lesson of a placement that was cancelled or moved, keyed by the date
    it originally fell on (the RECURRENCE-ID of a calendar override).

    Moving a moved lesson again updates this row; `revision` rises with each
    change, for the override's SEQUENCE."""

    __tablename__ = "placement_lesson_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    placement_id: Mapped[int] = mapped_column(ForeignKey("placement.id", ondelete="CASCADE"))
    original_date: Mapped[date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(10))  # cancelled | moved
    new_date: Mapped[date | None] = mapped_column(Date)
    new_start_time: Mapped[time | None] = mapped_column(Time)
    new_end_time: Mapped[time | None] = mapped_column(Time)
    reason: Mapped[str] = mapped_column(Text, default="")
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    revision: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    placement: Mapped[Placement] = relationship(back_populates="changes")
    changed_by: Mapped[User | None] = relationship()

    __table_args__ = (
        UniqueConstraint("placement_id", "original_date", name="uq_placement_lesson_change_date"),
        CheckConstraint("kind IN ('cancelled', 'moved')", name="kind"),
        CheckConstraint(
            "kind = 'cancelled' OR (new_date IS NOT NULL AND new_start_time IS NOT NULL"
            " AND new_end_time IS NOT NULL AND new_end_time > new_start_time)",
            name="moved_has_new_time",
        ),
    )

    @property
    def is_cancelled(self) -> bool:
        return self.kind == "cancelled"
