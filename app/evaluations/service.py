"""Submitting and reading evaluations.

A party evaluates a booking once it took place (status completed), once per
side. The school's head count is the number the reach figures use instead of
the booked group size, so it may not exceed what was booked: more students
than the places held would be a count no capacity ever allowed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import case, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from app.accounts.models import Organisation, User
from app.bookings.models import Booking
from app.catalogue.models import Activity, Slot
from app.errors import Conflict, DomainError
from app.evaluations.meaningful import CRITERIA
from app.evaluations.models import SIDES, Evaluation
from app.evaluations.permissions import can_evaluate
from app.events import emit
from app.events import types as ev
from app.extensions import db
from app.text import limited
from app.timeutil import utcnow


@dataclass
class Answers:
    rating: int | None
    went_well: str = ""
    could_be_better: str = ""
    students_attended: int | None = None
    # The school's yes-or-no per criterion of app/evaluations/meaningful.py;
    # a criterion left out stays unanswered.
    meaningful: dict[str, bool] = field(default_factory=dict)


def evaluation_of(booking: Booking, side: str) -> Evaluation | None:
    return db.session.scalar(
        select(Evaluation).where(Evaluation.booking_id == booking.id, Evaluation.side == side)
    )


def evaluations_of(booking: Booking) -> dict[str, Evaluation]:
    rows = db.session.scalars(select(Evaluation).where(Evaluation.booking_id == booking.id))
    return {row.side: row for row in rows}


def submit_evaluation(actor: User, booking: Booking, side: str, answers: Answers) -> Evaluation:
    if side not in SIDES:
        raise DomainError(_("Choose the school's or the company's side."), field="side")
    if not can_evaluate(actor, booking, side):
        raise DomainError(_("Only a party of this booking can evaluate it."), code="not_a_party")
    if booking.status != "completed":
        # A conflict with the booking's state, not bad input: the same answers
        # are fine once the activity has taken place.
        raise Conflict(
            _("A booking can be evaluated once the activity has taken place."),
            code="not_completed",
        )
    if evaluation_of(booking, side) is not None:
        raise Conflict(
            _("This booking has already been evaluated by your side."), code="already_evaluated"
        )
    rating = answers.rating
    if rating is None or not 1 <= rating <= 5:
        raise DomainError(_("Give a rating from 1 to 5."), field="rating")
    attended = None
    if side == "school":
        attended = answers.students_attended
        if attended is None:
            raise DomainError(
                _("Give the number of students who took part."), field="students_attended"
            )
        if not 0 <= attended <= booking.group_size:
            raise DomainError(
                ngettext(
                    "Between 0 and the %(size)d student booked.",
                    "Between 0 and the %(size)d students booked.",
                    booking.group_size,
                    size=booking.group_size,
                ),
                field="students_attended",
            )
    unknown = set(answers.meaningful) - set(CRITERIA)
    if unknown:
        raise DomainError(
            _("Unknown question: %(code)s.", code=sorted(unknown)[0]), field="meaningful"
        )
    if side != "school" and answers.meaningful:
        raise DomainError(
            _("Only the school says how meaningful it was for its pupils."), field="meaningful"
        )
    evaluation = Evaluation(
        booking_id=booking.id,
        side=side,
        students_attended=attended,
        rating=rating,
        went_well=limited(answers.went_well, "went_well"),
        could_be_better=limited(answers.could_be_better, "could_be_better"),
        submitted_by_id=actor.id,
        submitted_at=utcnow(),
        **{code: answers.meaningful.get(code) for code in CRITERIA},
    )
    db.session.add(evaluation)
    try:
        # Two colleagues sending the form at once: the unique constraint decides.
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        raise Conflict(
            _("This booking has already been evaluated by your side."), code="already_evaluated"
        ) from None
    emit(
        ev.EvaluationSubmitted(
            evaluation_id=evaluation.id,
            booking_id=booking.id,
            side=side,
            rating=rating,
            school_id=booking.school_id,
            company_id=booking.slot.activity.company_id,
            students_attended=attended,
        ),
        actor,
    )
    return evaluation


# --- reading ----------------------------------------------------------------------------


def _of_organisations(organisations: list[Organisation]):
    """The condition "a booking of one of these schools or companies"."""
    school_ids = [o.id for o in organisations if o.kind == "school"]
    company_ids = [o.id for o in organisations if o.kind == "company"]
    return Booking.school_id.in_(school_ids) | Activity.company_id.in_(company_ids)


def _own_side(booking: Booking, organisation_ids: set[int]) -> list[str]:
    sides = []
    if booking.school_id in organisation_ids:
        sides.append("school")
    if booking.slot.activity.company_id in organisation_ids:
        sides.append("company")
    return sides


def awaiting(organisations: list[Organisation], limit: int = 100) -> list[tuple[Booking, str]]:
    """Completed bookings of these organisations that their side has not
    evaluated yet, newest first, as (booking, side)."""
    bookings = (
        db.session.scalars(
            select(Booking)
            .join(Booking.slot)
            .join(Slot.activity)
            .where(Booking.status == "completed", _of_organisations(organisations))
            # Fully evaluated bookings are skipped in SQL; half-evaluated ones are
            # sorted out below, per side.
            .where(
                select(func.count())
                .where(Evaluation.booking_id == Booking.id)
                .correlate(Booking)
                .scalar_subquery()
                < 2
            )
            .options(
                joinedload(Booking.slot).joinedload(Slot.activity).joinedload(Activity.company),
                joinedload(Booking.school),
            )
            .order_by(Slot.starts_at.desc(), Booking.id.desc())
            .limit(limit)
        )
        .unique()
        .all()
    )
    done = (
        set(
            db.session.execute(
                select(Evaluation.booking_id, Evaluation.side).where(
                    Evaluation.booking_id.in_([b.id for b in bookings])
                )
            ).tuples()
        )
        if bookings
        else set()
    )
    ids = {o.id for o in organisations}
    return [
        (booking, side)
        for booking in bookings
        for side in _own_side(booking, ids)
        if (booking.id, side) not in done
    ]


def evaluations_for(organisations: list[Organisation], limit: int = 100) -> list[Evaluation]:
    """Evaluations of these organisations' bookings, by either side, newest first."""
    return list(
        db.session.scalars(
            select(Evaluation)
            .join(Evaluation.booking)
            .join(Booking.slot)
            .join(Slot.activity)
            .where(_of_organisations(organisations))
            .options(
                joinedload(Evaluation.booking)
                .joinedload(Booking.slot)
                .joinedload(Slot.activity)
                .joinedload(Activity.company),
                joinedload(Evaluation.booking).joinedload(Booking.school),
            )
            .order_by(Evaluation.submitted_at.desc(), Evaluation.id.desc())
            .limit(limit)
        ).unique()
    )


@dataclass(frozen=True)
class Share:
    """How many of the school evaluations that answered a criterion said yes."""

    criterion: str
    yes: int
    answered: int

    @property
    def percent(self) -> int | None:
        return round(100 * self.yes / self.answered) if self.answered else None


def meaningfulness_of(company: Organisation) -> list[Share]:
    """Per criterion, over the schools' evaluations of this company's bookings,
    the share that said yes; evaluations from before the question was asked
    do not count for it. One grouped query."""
    columns = [getattr(Evaluation, code) for code in CRITERIA]
    row = db.session.execute(
        select(
            *(func.count(case((c.is_(True), 1))) for c in columns),
            *(func.count(c) for c in columns),
        )
        .select_from(Evaluation)
        .join(Evaluation.booking)
        .join(Booking.slot)
        .join(Slot.activity)
        .where(Evaluation.side == "school", Activity.company_id == company.id)
    ).one()
    n = len(columns)
    return [Share(code, row[i], row[n + i]) for i, code in enumerate(CRITERIA)]
