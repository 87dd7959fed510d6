"""Golden bytes: a small school feed must come out byte for byte as stored in
golden/school_feed.ics, on SQLite and PostgreSQL alike. Every instant in the
fixture is fixed (and lies in the future, so the feed's window keeps it), and
DTSTAMP comes from the data, so nothing depends on the clock.

After an intended change of the output, regenerate with
TECHNIEKPOORT_UPDATE_GOLDEN=1 and review the diff."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

from app.accounts.models import Membership, Organisation, User
from app.bookings.models import Booking
from app.catalogue.models import Activity, Slot
from tests.calendar.helpers import make_feed
from tests.calendar.parsers import read_all

GOLDEN = Path(__file__).parent / "golden" / "school_feed.ics"
CHANGED = datetime(2040, 1, 10, 12, 0)


def _fixture(db):
    school = Organisation(
        id=9001,
        kind="school",
        name="Het Stedelijk Lyceum",
        status="approved",
        address="Noorderhagen 10",
        postcode="7511 EJ",
        city="Enschede",
        brin="99ZZ",
        location_number="01",
        holiday_region="noord",
    )
    company = Organisation(
        id=9002,
        kind="company",
        name="Metaalbedrijf Twente, afdeling Verspaning",
        status="approved",
        address="Industriestraat 12",
        postcode="7554 AB",
        city="Hengelo",
        kvk="99999999",
        sectors=frozenset({"metal", "energy"}),
    )
    teacher = User(id=9003, email="docent@golden.test", name="A. Docent", locale="en")
    activity = Activity(
        id=9004,
        company=company,
        kind="company_visit",
        title="CNC milling; from drawing to part",
        sectors=frozenset({"metal", "energy"}),
        profiles=frozenset({"PIE"}),
        years=frozenset({"3", "4"}),
        paths=frozenset({"KB", "GL"}),
        venue="company",
        address="Industriestraat 12",
        postcode="7554 AB",
        city="Hengelo",
        status="published",
        created_at=CHANGED,
        updated_at=CHANGED,
    )
    winter = Slot(
        id=9005,
        activity=activity,
        starts_at=datetime(2041, 3, 14, 8, 0),
        ends_at=datetime(2041, 3, 14, 10, 30),
        capacity=30,
        taken=24,
        revision=0,
        created_at=CHANGED,
        updated_at=CHANGED,
    )
    summer = Slot(
        id=9006,
        activity=activity,
        starts_at=datetime(2041, 6, 20, 11, 0),
        ends_at=datetime(2041, 6, 20, 13, 0),
        capacity=30,
        taken=0,
        revision=0,
        created_at=CHANGED,
        updated_at=CHANGED,
    )
    db.session.add_all([school, company, teacher, activity, winter, summer])
    db.session.add(Membership(user=teacher, organisation=school, role="teacher"))
    db.session.add_all(
        [
            Booking(
                id=9007,
                slot=winter,
                school=school,
                teacher=teacher,
                booked_by=teacher,
                group_size=24,
                year="3",
                path="KB",
                profile="PIE",
                status="confirmed",
                revision=2,
                created_at=CHANGED,
                updated_at=datetime(2040, 1, 12, 9, 15),
            ),
            Booking(
                id=9008,
                slot=summer,
                school=school,
                teacher=teacher,
                booked_by=teacher,
                group_size=18,
                year="4",
                path="GL",
                profile=None,
                status="cancelled",
                cancel_reason="Exam week moved, sorry",
                cancelled_by="school",
                revision=1,
                created_at=CHANGED,
                updated_at=datetime(2040, 1, 15, 16, 0),
            ),
        ]
    )
    db.session.commit()
    return teacher, school


def test_golden_school_feed(app, db, fetch):
    teacher, school = _fixture(db)
    feed = make_feed(db, teacher, "organisation", organisation=school)
    body = fetch(feed).data
    if os.environ.get("TECHNIEKPOORT_UPDATE_GOLDEN"):
        GOLDEN.write_bytes(body)
    assert body == GOLDEN.read_bytes()
    read = read_all(body)
    assert [e["status"] for e in read] == ["CONFIRMED", "CANCELLED"]
