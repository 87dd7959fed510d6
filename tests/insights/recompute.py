"""The figures recomputed in Python from the raw rows, without the SQL of
app/insights: what the dashboard must show."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import select

from app.accounts.models import Organisation
from app.bookings.models import Booking
from app.evaluations.models import Evaluation
from app.extensions import db
from app.insights.filters import SchoolYear
from app.timeutil import to_local


@dataclass
class Raw:
    booking: Booking
    students: int
    school_year: int
    month: int
    kind: str
    sectors: frozenset
    town: str
    company_id: int
    school_rating: int | None
    company_rating: int | None


def raw_rows() -> list[Raw]:
    evaluations = {(e.booking_id, e.side): e for e in db.session.scalars(select(Evaluation))}
    towns = {o.id: o.city for o in db.session.scalars(select(Organisation))}
    rows = []
    for booking in db.session.scalars(select(Booking)):
        if booking.status != "completed":
            continue
        local = to_local(booking.slot.starts_at)
        school_side = evaluations.get((booking.id, "school"))
        company_side = evaluations.get((booking.id, "company"))
        rows.append(
            Raw(
                booking=booking,
                students=school_side.students_attended if school_side else booking.group_size,
                school_year=SchoolYear.containing(local.date()).start,
                month=local.month,
                kind=booking.slot.activity.kind,
                sectors=booking.slot.activity.sectors,
                town=towns[booking.school_id],
                company_id=booking.slot.activity.company_id,
                school_rating=school_side.rating if school_side else None,
                company_rating=company_side.rating if company_side else None,
            )
        )
    return rows


def keys_of(row: Raw, dimension: str) -> list:
    return {
        "profile": [row.booking.profile],
        "year": [row.booking.year],
        "path": [row.booking.path],
        "kind": [row.kind],
        "month": [row.month],
        "town": [row.town],
        "sector": sorted(row.sectors),
    }[dimension]


def totals(rows: list[Raw]) -> dict:
    return {
        "students": sum(r.students for r in rows),
        "booked": sum(r.booking.group_size for r in rows),
        "groups": len(rows),
        "schools": len({r.booking.school_id for r in rows}),
        "companies": len({r.company_id for r in rows}),
        "evaluated_by_school": sum(1 for r in rows if r.school_rating is not None),
        "evaluated_by_company": sum(1 for r in rows if r.company_rating is not None),
    }


def breakdown(rows: list[Raw], dimension: str) -> dict:
    """{key: (students, groups, distinct schools)}."""
    students, groups, schools = defaultdict(int), defaultdict(int), defaultdict(set)
    for row in rows:
        for key in keys_of(row, dimension):
            students[key] += row.students
            groups[key] += 1
            schools[key].add(row.booking.school_id)
    return {k: (students[k], groups[k], len(schools[k])) for k in students}


def average(values: list[int]) -> float | None:
    return round(sum(values) / len(values), 2) if values else None
