from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app import vocabulary
from app.accounts.models import Organisation, User
from app.db_types import FlagSet
from app.extensions import db
from app.timeutil import utcnow


class Activity(db.Model):
    """Something a company offers to schools ("aanbod")."""

    __tablename__ = "activity"

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    sectors: Mapped[frozenset[str]] = mapped_column(FlagSet(vocabulary.SECTORS), default=frozenset)
    profiles: Mapped[frozenset[str]] = mapped_column(
        FlagSet(vocabulary.PROFILES), default=frozenset
    )
    years: Mapped[frozenset[str]] = mapped_column(FlagSet(vocabulary.YEARS), default=frozenset)
    paths: Mapped[frozenset[str]] = mapped_column(FlagSet(vocabulary.PATHS), default=frozenset)
    venue: Mapped[str] = mapped_column(String(10), default="company")
    address: Mapped[str] = mapped_column(String(200), default="")
    postcode: Mapped[str] = mapped_column(String(7), default="")
    city: Mapped[str] = mapped_column(String(100), default="")
    # Where the class has to go; for activities at the school, the company's
    # location (how far its people travel). Distance filters use these.
    latitude: Mapped[float | None]
    longitude: Mapped[float | None]
    duration_minutes: Mapped[int] = mapped_column(default=120)
    max_group_size: Mapped[int] = mapped_column(default=30)
    min_notice_days: Mapped[int] = mapped_column(default=7)
    requires_approval: Mapped[bool] = mapped_column(default=True)
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(10), default="draft")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    published_at: Mapped[datetime | None]

    company: Mapped[Organisation] = relationship()
    contact: Mapped[User | None] = relationship()
    slots: Mapped[list[Slot]] = relationship(
        back_populates="activity", order_by="Slot.starts_at", cascade="all, delete-orphan"
    )

    __table_args__ = (
        CheckConstraint(
            "kind IN ('company_visit', 'guest_lesson', 'workshop', 'job_shadowing', 'event')",
            name="kind",
        ),
        CheckConstraint("status IN ('draft', 'published', 'archived')", name="status"),
        CheckConstraint("venue IN ('company', 'school', 'online')", name="venue"),
        CheckConstraint("max_group_size > 0", name="max_group_size_positive"),
        CheckConstraint("min_notice_days >= 0", name="min_notice_not_negative"),
        Index("ix_activity_status_kind", "status", "kind"),
        # The box of a ring around a school (the catalogue sorted by distance).
        Index("ix_activity_status_latitude", "status", "latitude", "longitude"),
    )

    @property
    def is_published(self) -> bool:
        return self.status == "published"

    @property
    def kind_label(self) -> str:
        return str(vocabulary.ACTIVITY_KINDS[self.kind])

    def __repr__(self) -> str:
        return f"<Activity {self.id} {self.title!r}>"


class Slot(db.Model):
    """A dated occurrence of an activity ("tijdslot") with a capacity in students.

    `taken` is the number of students of requested and confirmed bookings. It is
    only ever changed by one conditional UPDATE (bookings.capacity), never by
    read-modify-write in Python, so it cannot exceed capacity under any
    concurrency; the CHECK constraint is the last line of defence."""

    __tablename__ = "slot"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Indexed with status and start (ix_slot_activity_status_starts_at, below).
    activity_id: Mapped[int] = mapped_column(ForeignKey("activity.id", ondelete="CASCADE"))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    capacity: Mapped[int]
    taken: Mapped[int] = mapped_column(default=0)
    status: Mapped[str] = mapped_column(String(10), default="open")
    cancel_reason: Mapped[str] = mapped_column(Text, default="")
    cancelled_at: Mapped[datetime | None]
    # Slots made together as a series ("every Tuesday in March") share this.
    series_key: Mapped[str | None] = mapped_column(String(32))
    # Raised on every change people should see; calendar feeds use it as SEQUENCE.
    revision: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    activity: Mapped[Activity] = relationship(back_populates="slots")

    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint("capacity > 0", name="capacity_positive"),
        CheckConstraint("taken >= 0 AND taken <= capacity", name="taken_within_capacity"),
        CheckConstraint("status IN ('open', 'cancelled')", name="status"),
        Index("ix_slot_status_starts_at", "status", "starts_at"),
        # An activity's upcoming open slots in date order, from the index alone:
        # the catalogue when the activities are chosen first, and its rings.
        Index("ix_slot_activity_status_starts_at", "activity_id", "status", "starts_at"),
    )

    @property
    def free_places(self) -> int:
        return max(self.capacity - self.taken, 0)

    @property
    def is_cancelled(self) -> bool:
        return self.status == "cancelled"

    def __repr__(self) -> str:
        return f"<Slot {self.id} of activity {self.activity_id} at {self.starts_at}>"


class CatalogueVersion(db.Model):
    """One row whose number rises with every committed change that the public
    catalogue shows (app/catalogue/cache.py). Every web process compares it
    with the number its cached pages were rendered under, so a booking made
    through one process shows on the next page any process serves."""

    __tablename__ = "catalogue_version"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    version: Mapped[int] = mapped_column(BigInteger)
