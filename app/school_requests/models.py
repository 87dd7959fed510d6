"""School requests ("vraag") and the companies' answers to them ("reactie").

A teacher asks for something that is not (yet) on offer; companies answer with
a proposal: one of their slots, a new date for one of their activities, or a
hybrid teacher (a placement). The teacher accepts one proposal, which becomes
a booking or an agreed placement through the same services as everywhere else.

    open --proposal--> answered --accept one--> fulfilled
      \\                  |
       +--(period ends)--+--> expired
       +--(teacher)------+--> withdrawn

A request is "answered" while it has at least one open proposal. When it is
fulfilled, withdrawn or expires, its other open proposals are closed (and their
companies told politely); the reason says which.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app import vocabulary
from app.accounts.models import Organisation, User
from app.bookings.models import Booking
from app.catalogue.models import Activity, Slot
from app.db_types import FlagSet
from app.extensions import db
from app.placements.models import Placement
from app.timeutil import utcnow

STATES = ("open", "answered", "fulfilled", "expired", "withdrawn")
# States in which companies can still answer and the teacher can still choose.
RUNNING = ("open", "answered")

# What a teacher can ask for: one of the catalogue's kinds, or a hybrid teacher.
PLACEMENT = "placement"
KINDS = (*vocabulary.ACTIVITY_KINDS, PLACEMENT)
KIND_LABELS = {**vocabulary.ACTIVITY_KINDS, PLACEMENT: _l("Hybrid teacher")}

# A proposal is an existing slot, a new date for one of the company's
# activities (made into a slot only when the teacher accepts it), or a placement.
OPTIONS = ("slot", "new_slot", "placement")
RESPONSE_STATES = ("open", "accepted", "closed")
# Why a proposal was closed: another one was chosen, or the request ended.
# A request unanswered this long shows in the coordinators' mismatch view.
UNANSWERED_AFTER = timedelta(days=14)

CLOSE_REASONS = ("not_chosen", "request_withdrawn", "request_expired", "gone")


def _in(values) -> str:
    return ", ".join(f"'{v}'" for v in values)


class SchoolRequest(db.Model):
    """A teacher's request for an activity (or a hybrid teacher) for one group."""

    __tablename__ = "school_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    # Who asked; the companies never see who (docs/FIELD.md, "Privacy"), the school does.
    teacher_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(20))
    topic: Mapped[str] = mapped_column(String(200))
    # The group: counted, never named.
    group_size: Mapped[int]
    year: Mapped[str] = mapped_column(String(1))
    path: Mapped[str] = mapped_column(String(2))
    profile: Mapped[str | None] = mapped_column(String(8))
    # The preferred period, local dates, both included.
    first_day: Mapped[date] = mapped_column(Date)
    last_day: Mapped[date] = mapped_column(Date)
    # Where it may take place (at least one of vocabulary.VENUES).
    venues: Mapped[frozenset[str]] = mapped_column(FlagSet(vocabulary.VENUES), default=frozenset)
    # How far the class can travel, from the school's stored location; None: no limit.
    max_km: Mapped[int | None]
    remarks: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(10), default="open")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    first_answered_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]

    school: Mapped[Organisation] = relationship()
    teacher: Mapped[User | None] = relationship()
    responses: Mapped[list[RequestResponse]] = relationship(
        back_populates="request", order_by="RequestResponse.id", cascade="all, delete-orphan"
    )

    __table_args__ = (
        CheckConstraint(f"status IN ({_in(STATES)})", name="status"),
        CheckConstraint(f"kind IN ({_in(KINDS)})", name="kind"),
        CheckConstraint("group_size > 0", name="group_size_positive"),
        CheckConstraint("last_day >= first_day", name="period_in_order"),
        CheckConstraint("max_km IS NULL OR max_km > 0", name="max_km_positive"),
        Index("ix_school_request_status_last_day", "status", "last_day"),
    )

    @property
    def is_running(self) -> bool:
        return self.status in RUNNING

    @property
    def is_placement(self) -> bool:
        return self.kind == PLACEMENT

    @property
    def kind_label(self) -> str:
        return str(KIND_LABELS.get(self.kind, self.kind))

    def __repr__(self) -> str:
        return f"<SchoolRequest {self.id} {self.status} {self.topic!r}>"


class RequestResponse(db.Model):
    """A company's proposal for a request ("reactie").

    A new-slot proposal holds the date, times and capacity; the slot itself is
    added to the catalogue only when the teacher accepts (see
    school_requests.service), and is then linked here as `slot`."""

    __tablename__ = "request_response"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("school_request.id", ondelete="CASCADE"), index=True
    )
    company_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    proposed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    option: Mapped[str] = mapped_column(String(10))
    slot_id: Mapped[int | None] = mapped_column(ForeignKey("slot.id", ondelete="SET NULL"))
    activity_id: Mapped[int | None] = mapped_column(ForeignKey("activity.id", ondelete="CASCADE"))
    # A new slot's proposed times (naive UTC) and capacity.
    starts_at: Mapped[datetime | None]
    ends_at: Mapped[datetime | None]
    capacity: Mapped[int | None]
    placement_id: Mapped[int | None] = mapped_column(
        ForeignKey("placement.id", ondelete="SET NULL")
    )
    message: Mapped[str] = mapped_column(Text, default="")
    # The company's sectors and profiles do not fit the request: allowed, but
    # the teacher sees it ("outside their sectors").
    outside_match: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(String(10), default="open")
    close_reason: Mapped[str | None] = mapped_column(String(20))
    booking_id: Mapped[int | None] = mapped_column(ForeignKey("booking.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None]

    request: Mapped[SchoolRequest] = relationship(back_populates="responses")
    company: Mapped[Organisation] = relationship()
    proposed_by: Mapped[User | None] = relationship()
    slot: Mapped[Slot | None] = relationship()
    activity: Mapped[Activity | None] = relationship()
    placement: Mapped[Placement | None] = relationship()
    booking: Mapped[Booking | None] = relationship()

    __table_args__ = (
        CheckConstraint(f"option IN ({_in(OPTIONS)})", name="option"),
        CheckConstraint(f"status IN ({_in(RESPONSE_STATES)})", name="status"),
        CheckConstraint(
            f"close_reason IS NULL OR close_reason IN ({_in(CLOSE_REASONS)})", name="close_reason"
        ),
        CheckConstraint(
            "option != 'new_slot' OR (activity_id IS NOT NULL AND starts_at IS NOT NULL"
            " AND ends_at IS NOT NULL AND capacity IS NOT NULL)",
            name="new_slot_complete",
        ),
        Index("ix_request_response_request_status", "request_id", "status"),
    )

    @property
    def is_open(self) -> bool:
        return self.status == "open"

    @property
    def the_activity(self) -> Activity | None:
        """The activity proposed, through the slot or directly."""
        return self.slot.activity if self.slot is not None else self.activity

    def __repr__(self) -> str:
        return f"<RequestResponse {self.id} {self.option} {self.status} request={self.request_id}>"


def unanswered_conditions(now: datetime) -> list:
    """Open (no proposal ever, or none left), still running, posted over two weeks ago."""
    return [SchoolRequest.status == "open", SchoolRequest.created_at <= now - UNANSWERED_AFTER]
