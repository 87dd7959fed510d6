"""A school's curriculum this school year: which profile modules and
keuzevakken of its offer met a company (an activity tagged with them that
the school booked or took part in), month by month, and which did not.

The offer is the location's profiles and keuzevakken for the year
(app/curriculum); the modules of an offered profile are all four of it. An
activity counts for a module once it is planned (requested or confirmed) or
took place in the school year: a module with a company visit in May is not a
gap in December."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import select

from app.accounts.models import Organisation
from app.bookings.models import Booking
from app.catalogue.models import Activity, Slot
from app.curriculum.models import ActivityTag, CurriculumEntry
from app.curriculum.service import entries, offer_of
from app.extensions import db
from app.insights.service.conditions import PLANNED_OR_DONE
from app.school_year import SchoolYear
from app.timeutil import to_local

DIMENSIONS = ("module", "keuzevak")


@dataclass(frozen=True)
class Served:
    booking_id: int
    activity_id: int
    title: str
    status: str


@dataclass
class Line:
    """One module or keuzevak: the activities that served it, per month (1-12)."""

    entry: CurriculumEntry
    offered: bool
    months: dict[int, list[Served]] = field(default_factory=dict)

    @property
    def met(self) -> bool:
        return bool(self.months)


@dataclass
class CurriculumMap:
    school: Organisation
    school_year: SchoolYear
    lines: list[Line]  # offered first (reading order), then others that were served
    offer_named: bool  # False: the location has no offer for the year

    @property
    def gaps(self) -> list[Line]:
        return [line for line in self.lines if line.offered and not line.met]


def curriculum_map(school: Organisation, school_year: SchoolYear) -> CurriculumMap:
    """Three queries: the offer, the reference entries, and the school's
    bookings of the year joined to their activities' module and keuzevak tags."""
    offer = offer_of(school.id, school_year)
    offered_codes = {
        ("module", e.code)
        for e in entries("module")
        if e.profile in offer["profile"] and e.retired_at is None
    } | {("keuzevak", code) for code in offer["keuzevak"]}
    start, end = school_year.bounds
    rows = db.session.execute(
        select(
            ActivityTag.dimension,
            ActivityTag.code,
            Booking.id,
            Booking.status,
            Activity.id,
            Activity.title,
            Slot.starts_at,
        )
        .select_from(Booking)
        .join(Slot, Slot.id == Booking.slot_id)
        .join(Activity, Activity.id == Slot.activity_id)
        .join(ActivityTag, ActivityTag.activity_id == Activity.id)
        .where(
            Booking.school_id == school.id,
            Booking.status.in_(PLANNED_OR_DONE),
            Slot.starts_at >= start,
            Slot.starts_at < end,
            ActivityTag.dimension.in_(DIMENSIONS),
        )
        .order_by(Slot.starts_at, Booking.id)
    )
    served: dict[tuple[str, str], dict[int, list[Served]]] = defaultdict(lambda: defaultdict(list))
    for dimension, code, booking_id, status, activity_id, title, starts_at in rows:
        month = to_local(starts_at).month
        served[(dimension, code)][month].append(Served(booking_id, activity_id, title, status))
    lines = []
    for dimension in DIMENSIONS:
        for entry in entries(dimension):
            key = (dimension, entry.code)
            if key in offered_codes or key in served:
                lines.append(Line(entry, key in offered_codes, dict(served.get(key, {}))))
    lines.sort(key=lambda line: not line.offered)
    return CurriculumMap(
        school=school,
        school_year=school_year,
        lines=lines,
        offer_named=bool(offer["profile"] or offer["keuzevak"]),
    )
