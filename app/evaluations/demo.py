"""Demo evaluations: most completed demo bookings have one from the school and
many one from the company, so the dashboard's evaluation figures and the
annual report have something to show. The newest completed booking of the
demo school and of the demo company stays open, so the demo accounts find
something to evaluate.

Deterministic (each booking's answers come from a generator seeded with its
id) and idempotent (a side already evaluated is left alone)."""

from __future__ import annotations

import random

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from app.accounts.demo import demo_organisation
from app.bookings.models import Booking
from app.catalogue.models import Activity, Slot
from app.evaluations import service
from app.evaluations.models import Evaluation
from app.extensions import db
from app.insights.facts import rebuild

WENT_WELL = [
    "De leerlingen mochten veel zelf doen.",
    "Enthousiaste begeleiders die goed konden uitleggen.",
    "Goede rondleiding, veel gezien in korte tijd.",
    "De opdracht sloot mooi aan bij wat we in de les doen.",
    "Leerlingen stelden veel vragen en kregen eerlijke antwoorden.",
    "",
]
COULD_BE_BETTER = [
    "Het programma liep uit; de bus moest wachten.",
    "Meer tijd voor de praktijkopdracht.",
    "Graag vooraf een korte introductie voor de klas.",
    "De groep was wat groot voor de werkplaats.",
    "",
    "",
]


# How often a demo school says yes to each question: purpose and contact with
# professionals are usual, the pupils' reflection and a follow-up are where
# schools fall short, so the company's feedback has something to say.
MEANINGFUL_YES = {
    "clear_purpose": 0.85,
    "professionals_interaction": 0.75,
    "pupils_reflected": 0.5,
    "follow_up_planned": 0.35,
}


def _meaningful(booking_id: int) -> dict[str, bool]:
    # A generator of its own, so the other answers stay what they were.
    rng = random.Random(f"meaningful-{booking_id}")
    return {code: rng.random() < share for code, share in MEANINGFUL_YES.items()}


def load_evaluations() -> dict[str, int]:

    demo_school = demo_organisation("school1")
    demo_company = demo_organisation("company2")
    completed = (
        db.session.scalars(
            select(Booking)
            .join(Booking.slot)
            .where(Booking.status == "completed")
            .options(
                joinedload(Booking.slot).joinedload(Slot.activity).joinedload(Activity.contact),
                joinedload(Booking.teacher),
            )
            .order_by(Booking.id)
        )
        .unique()
        .all()
    )
    done = set(db.session.execute(select(Evaluation.booking_id, Evaluation.side)).tuples())
    keep_open = set()
    for side, organisation in (("school", demo_school), ("company", demo_company)):
        own = [
            b
            for b in completed
            if organisation is not None
            and (b.school_id if side == "school" else b.slot.activity.company_id) == organisation.id
        ]
        if own:
            keep_open.add((max(own, key=lambda b: (b.slot.ends_at, b.id)).id, side))

    for booking in completed:
        rng = random.Random(f"evaluation-{booking.id}")
        answers_school = rng.random() < 0.8
        answers_company = rng.random() < 0.65
        rating = rng.choices((2, 3, 4, 5), weights=(1, 3, 6, 4))[0]
        for side, wanted, actor in (
            ("school", answers_school, booking.teacher),
            ("company", answers_company, booking.slot.activity.contact),
        ):
            if not wanted or actor is None or (booking.id, side) in done | keep_open:
                continue
            service.submit_evaluation(
                actor,
                booking,
                side,
                service.Answers(
                    rating=max(1, min(5, rating + rng.choice((-1, 0, 0, 1)))),
                    went_well=rng.choice(WENT_WELL),
                    could_be_better=rng.choice(COULD_BE_BETTER),
                    students_attended=(
                        max(0, booking.group_size - rng.choice((0, 0, 1, 2, 3)))
                        if side == "school"
                        else None
                    ),
                    meaningful=_meaningful(booking.id) if side == "school" else {},
                ),
            )
    db.session.flush()
    # The demo's past bookings were written as history, without the events
    # that keep the reach figures' facts: write them all once.

    rebuild()
    return {"evaluations": db.session.scalar(select(func.count()).select_from(Evaluation))}
