"""The reach figures' pre-joined facts follow the real services: a booking
that completes, an evaluation that arrives, an activity whose kind or sectors
change. Whatever path wrote them, they equal a rebuild from the raw rows."""

from __future__ import annotations

from sqlalchemy import select

from app.bookings import service as bookings
from app.catalogue import service as catalogue
from app.evaluations import service as evaluations
from app.insights.facts import rebuild
from app.insights.models import ReachFact
from app.timeutil import utcnow
from tests import factories
from tests.evaluations import builders

COLUMNS = (
    "booking_id",
    "starts_at",
    "school_year",
    "month",
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
)


def facts(db) -> list[tuple]:
    return [
        tuple(getattr(f, c) for c in COLUMNS)
        for f in db.session.scalars(select(ReachFact).order_by(ReachFact.booking_id))
    ]


def test_the_facts_follow_the_services_and_equal_a_rebuild(db, teacher, contact):
    school, company = teacher.organisations()[0], contact.organisations()[0]
    activity = factories.activity(
        company, contact_id=contact.id, kind="workshop", sectors=frozenset({"metal"})
    )
    slot = builders.past_slot(activity, days_ago=2)
    confirmed = builders.booking(slot, school, size=24, status="confirmed", teacher=teacher)
    other = builders.booking(slot, factories.school(), size=10, status="confirmed")
    db.session.commit()
    assert facts(db) == []  # nothing took place yet

    bookings.complete_ended_bookings(utcnow())
    db.session.commit()
    rows = {row[0]: row for row in facts(db)}
    assert set(rows) == {confirmed.id, other.id}
    assert rows[confirmed.id][COLUMNS.index("students")] == 24

    evaluations.submit_evaluation(
        teacher, confirmed, "school", evaluations.Answers(rating=5, students_attended=21)
    )
    evaluations.submit_evaluation(contact, confirmed, "company", evaluations.Answers(rating=3))
    db.session.commit()
    row = {r[0]: r for r in facts(db)}[confirmed.id]
    assert (
        row[COLUMNS.index("students")],
        row[COLUMNS.index("booked")],
        row[COLUMNS.index("school_rating")],
        row[COLUMNS.index("company_rating")],
    ) == (21, 24, 5, 3)

    catalogue.update_activity(
        activity, {"kind": "guest_lesson", "sectors": frozenset({"ict", "energy"})}, contact
    )
    db.session.commit()
    assert {(r[COLUMNS.index("kind")], r[COLUMNS.index("sectors")]) for r in facts(db)} == {
        ("guest_lesson", frozenset({"ict", "energy"}))
    }

    incremental = facts(db)
    rebuild()
    db.session.commit()
    assert facts(db) == incremental


def test_a_rebuild_forgets_what_no_longer_took_place(db, teacher, contact):
    school, company = teacher.organisations()[0], contact.organisations()[0]
    booking = builders.booking(builders.past_slot(factories.activity(company)), school)
    db.session.commit()
    assert len(facts(db)) == 1
    booking.status = "cancelled"  # as a data repair outside the services would
    db.session.commit()
    assert rebuild() == 0
    assert facts(db) == []


def test_facts_know_the_local_school_year_and_month(db, teacher, contact):
    from datetime import datetime

    from app.timeutil import local_to_utc

    school, company = teacher.organisations()[0], contact.organisations()[0]
    activity = factories.activity(company)
    edges = {
        datetime(2025, 7, 31, 23, 30): (2024, 7),  # the last half hour of 2024-2025
        datetime(2025, 8, 1, 0, 30): (2025, 8),  # 31 July in UTC, 2025-2026 here
        datetime(2025, 11, 1, 0, 15): (2025, 11),  # still 31 October in UTC
        datetime(2026, 3, 31, 23, 45): (2025, 3),  # summer time
    }
    for local in edges:
        builders.booking(builders.past_slot(activity, starts_at=local_to_utc(local)), school)
    db.session.commit()
    found = db.session.execute(
        select(ReachFact.school_year, ReachFact.month).order_by(ReachFact.starts_at)
    ).all()
    assert [tuple(row) for row in found] == list(edges.values())
    rebuild()
    assert [
        tuple(r)
        for r in db.session.execute(
            select(ReachFact.school_year, ReachFact.month).order_by(ReachFact.starts_at)
        )
    ] == list(edges.values())


def test_the_nightly_job_rebuilds_the_facts(app, db, teacher, contact):
    from app import scheduler
    from app.bookings.models import Booking

    school, company = teacher.organisations()[0], contact.organisations()[0]
    builders.booking(builders.past_slot(factories.activity(company)), school)
    db.session.commit()
    # A repair by hand, outside the services: the facts lag until the job runs.
    db.session.execute(Booking.__table__.update().values(group_size=7))
    db.session.commit()
    scheduler.rebuild_reach_facts()
    assert db.session.scalar(select(ReachFact.booked)) == 7
