"""`flask --app wsgi demo load`: the fictional Twente region of fixtures/.

Idempotent: organisations are matched by name, people by e-mail address, so
running it again changes nothing. Each domain adds its part as a step in
DEMO_STEPS, run in order.
"""

from __future__ import annotations

from sqlalchemy import func, select

from app.accounts.demo import load_organisations_and_people
from app.accounts.models import Organisation
from app.bookings.demo import load_bookings
from app.catalogue.demo import load_activities, load_holidays
from app.curriculum.demo import load_curriculum_demo
from app.curriculum.service import load_reference
from app.enrolment.demo import load_enrolment
from app.evaluations.demo import load_evaluations
from app.extensions import db
from app.lob.demo import load_lob_questions
from app.placements.demo import load_placements
from app.school_requests.demo import load_requests


def database_is_empty() -> bool:
    return not db.session.scalar(select(func.count()).select_from(Organisation))


def demo_steps():
    """The loaders, in order; each domain adds its own."""
    return [
        load_organisations_and_people,
        load_holidays,
        load_reference,
        load_activities,
        load_curriculum_demo,
        load_bookings,
        load_placements,
        load_evaluations,
        load_requests,
        load_enrolment,
        load_lob_questions,
    ]


def load_demo() -> dict[str, int]:
    summary: dict[str, int] = {}
    for step in demo_steps():
        summary.update(step())
    return summary
