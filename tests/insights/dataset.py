"""A varied little region for the figure tests: schools in several towns,
companies whose activities have one or more sectors, bookings in every state
across two school years (and one older), some evaluated by one side or both,
and slots at the edges of months and school years in local time."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from app.extensions import db
from app.insights.filters import SchoolYear
from app.timeutil import local_to_utc
from tests import factories
from tests.evaluations import builders

KINDS = ["company_visit", "guest_lesson", "workshop", "job_shadowing", "event"]
SECTOR_SETS = [{"metal"}, {"electrical", "energy"}, {"ict"}, {"construction", "metal"}, {"process"}]
TOWNS = ["Enschede", "Hengelo", "Almelo", "Oldenzaal"]
PROFILES = ["PIE", "BWI", "MVI", None]
STATES = ["completed"] * 6 + ["confirmed", "cancelled", "declined"]


def build(seed: int = 7) -> dict:
    """Returns the school year the figures are about (wholly in the past) and
    the organisations made."""
    rng = random.Random(seed)
    school_year = SchoolYear.current().previous
    schools = [factories.school(city=TOWNS[i % len(TOWNS)], name=f"School {i}") for i in range(6)]
    teachers = [factories.user(s, "teacher") for s in schools]
    companies = [factories.company(name=f"Bedrijf {i}") for i in range(4)]
    activities = [
        factories.activity(
            companies[i % len(companies)],
            kind=KINDS[i % len(KINDS)],
            sectors=frozenset(SECTOR_SETS[i % len(SECTOR_SETS)]),
        )
        for i in range(7)
    ]
    # An idle company: an open slot in the school year, nobody booked it.
    idle_company = factories.company(name="Bedrijf zonder boekingen")
    lonely = factories.activity(idle_company)
    factories.slot(lonely, starts_at=local_to_utc(datetime(school_year.start, 10, 6, 10)))

    edges = [
        datetime(school_year.start, 8, 1, 0, 30),  # first half hour of the year
        datetime(school_year.start, 7, 31, 23, 30),  # last half hour of the year before
        datetime(school_year.start, 11, 1, 0, 15),  # 1 November, still 31 October in UTC
        datetime(school_year.start + 1, 3, 31, 23, 45),  # summer time
        datetime(school_year.start - 2, 10, 1, 10),  # long ago: in no year shown
    ]
    first = datetime(school_year.start - 1, 8, 20, 9)
    moments = edges + [
        first + timedelta(days=rng.randint(0, 690), hours=rng.randint(0, 7)) for _ in range(40)
    ]
    for index, moment in enumerate(moments):
        activity = rng.choice(activities)
        slot = builders.past_slot(activity, starts_at=local_to_utc(moment), capacity=200)
        for _ in range(rng.randint(1, 2)):
            school_index = rng.randrange(len(schools) - 1)  # the last school does nothing
            school, teacher = schools[school_index], teachers[school_index]
            year = rng.choice("1234")
            profile = rng.choice(PROFILES) if year in "34" else None
            state = STATES[index % len(STATES)] if index >= len(edges) else "completed"
            booking = builders.booking(
                slot,
                school,
                size=rng.randint(5, 28),
                status=state,
                year=year,
                path=rng.choice(["BB", "KB", "GL", "TL"]),
                profile=profile,
                teacher=teacher,
            )
            if state == "completed":
                if rng.random() < 0.6:
                    builders.evaluation(
                        booking,
                        "school",
                        rating=rng.randint(1, 5),
                        attended=rng.randint(0, booking.group_size),
                    )
                if rng.random() < 0.5:
                    builders.evaluation(booking, "company", rating=rng.randint(1, 5))
    # Written as history, without events: the facts are written once.
    from app.insights.facts import rebuild

    rebuild()
    db.session.commit()
    return {
        "school_year": school_year,
        "schools": schools,
        "companies": companies,
        "idle_company": idle_company,
        "teachers": teachers,
    }
