"""Evaluations: after a booking took place, the school and the company each say
how it went, once. Both parties and coordinators read both sides. The same
service as the evaluation page (app/evaluations/service.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from flask_babel import gettext as _
from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt

from app.api.activities import as_utc
from app.api.blueprint import bp
from app.api.slots import BookingStatus
from app.api.spec import forbidden, invalid, not_found, operation, require_user
from app.bookings.models import Booking
from app.evaluations import permissions, service
from app.evaluations.meaningful import CRITERIA
from app.evaluations.models import Evaluation
from app.extensions import db
from app.text import TEXT

Side = Literal["school", "company"]
Rating = Annotated[StrictInt, Field(ge=1, le=5, description="1 (bad) to 5 (excellent).")]


class Meaningful(BaseModel):
    """The school's yes or no on what makes an encounter meaningful; null where
    it was not answered (the company's side, evaluations from before)."""

    model_config = ConfigDict(extra="forbid")

    clear_purpose: StrictBool | None = Field(
        None, description="A clear purpose and learning goals."
    )
    professionals_interaction: StrictBool | None = Field(
        None, description="The pupils talked and worked with the professionals."
    )
    pupils_reflected: StrictBool | None = Field(
        None, description="The pupils reflected on it themselves afterwards."
    )
    follow_up_planned: StrictBool | None = Field(None, description="A follow-up is planned.")


class EvaluationOut(BaseModel):
    id: int
    booking_id: int
    side: Side
    rating: int = Field(ge=1, le=5)
    students_attended: int | None = Field(
        description="Students of the group who actually took part; the school's side only."
    )
    went_well: str
    could_be_better: str
    meaningful: Meaningful
    submitted_by: str | None = Field(description="The name of who sent it, while they exist.")
    submitted_at: datetime


class EvaluationsOut(BaseModel):
    booking_id: int
    booking_status: BookingStatus
    items: list[EvaluationOut] = Field(description="At most one per side.")
    you_may_evaluate: list[Side] = Field(
        description="The sides you speak for that can still evaluate this booking now."
    )


class EvaluationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    side: Side | None = Field(
        None, description="Needed only when you belong to both the school and the company."
    )
    rating: Rating
    students_attended: Annotated[StrictInt, Field(ge=0, le=10_000)] | None = Field(
        None,
        description="Required from the school, at most the group size booked; "
        "not sent by the company.",
    )
    went_well: str = Field("", max_length=TEXT)
    could_be_better: str = Field("", max_length=TEXT)
    meaningful: Meaningful | None = Field(
        None, description="The school's answers; not sent by the company."
    )


def evaluation_out(row: Evaluation) -> EvaluationOut:
    return EvaluationOut(
        id=row.id,
        booking_id=row.booking_id,
        side=row.side,
        rating=row.rating,
        students_attended=row.students_attended,
        went_well=row.went_well or "",
        could_be_better=row.could_be_better or "",
        meaningful=Meaningful(**{code: getattr(row, code) for code in CRITERIA}),
        submitted_by=row.submitted_by.name if row.submitted_by else None,
        submitted_at=as_utc(row.submitted_at),
    )


def load_booking(booking_id: int, user) -> Booking:
    """Another organisation's booking does not exist for the caller (ASVS 4.2.1)."""
    booking = db.session.get(Booking, booking_id)
    if booking is None or not permissions.can_read_evaluations(user, booking):
        raise not_found(_("There is no booking with this id."))
    return booking


@operation(
    bp,
    "GET",
    "/bookings/<int:booking_id>/evaluations",
    summary="Both sides' evaluations of a booking",
    tag="evaluations",
    response=EvaluationsOut,
    errors=(404,),
)
def list_evaluations(booking_id: int) -> EvaluationsOut:
    user = require_user()
    booking = load_booking(booking_id, user)
    found = service.evaluations_of(booking)
    open_sides = [
        side
        for side in permissions.sides_of(user, booking)
        if side not in found and booking.status == "completed"
    ]
    return EvaluationsOut(
        booking_id=booking.id,
        booking_status=booking.status,
        items=[evaluation_out(found[side]) for side in ("school", "company") if side in found],
        you_may_evaluate=open_sides,
    )


@operation(
    bp,
    "POST",
    "/bookings/<int:booking_id>/evaluation",
    summary="Evaluate a booking that took place, for your side (once)",
    tag="evaluations",
    body=EvaluationIn,
    response=EvaluationOut,
    status=201,
    errors=(403, 404, 409),
)
def submit_evaluation(booking_id: int, body: EvaluationIn):
    user = require_user()
    booking = load_booking(booking_id, user)
    sides = permissions.sides_of(user, booking)
    if not sides:
        raise forbidden(_("Only a party of this booking can evaluate it."))
    if body.side is None and len(sides) > 1:
        raise invalid("side", _("You are on both sides of this booking: choose one."))
    side = body.side or sides[0]
    if side not in sides:
        raise forbidden(_("Only a party of this booking can evaluate it."))
    if side == "company" and body.students_attended is not None:
        raise invalid("students_attended", _("Only the school counts the students."))
    meaningful = body.meaningful.model_dump(exclude_none=True) if body.meaningful else {}
    answers = service.Answers(
        rating=body.rating,
        went_well=body.went_well,
        could_be_better=body.could_be_better,
        students_attended=body.students_attended,
        meaningful=meaningful,
    )
    row = service.submit_evaluation(user, booking, side, answers)
    db.session.commit()
    return evaluation_out(row), 201
