"""Evaluation pages: a booking's evaluations (and the form for the person's
side), and the list of bookings a person's school or company still has to
evaluate. The evaluation request mail links to `evaluations.evaluate`."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from app.bookings.models import Booking
from app.errors import DomainError
from app.evaluations import permissions, service
from app.evaluations.forms import EvaluationForm
from app.evaluations.meaningful import CRITERIA
from app.extensions import db
from app.web.forms import apply_domain_error
from app.web.rendering import is_htmx, render

bp = Blueprint("evaluations", __name__)

SIDE_LABELS = {"school": _l("The school"), "company": _l("The company")}


@bp.context_processor
def evaluation_helpers():
    return {"SIDE_LABELS": SIDE_LABELS}


@bp.app_context_processor
def meaningful_questions():
    # Also on the booking's page, which shows the evaluations given.
    return {"MEANINGFUL": CRITERIA}


@bp.app_template_global()
def booking_evaluation(booking: Booking) -> dict | None:
    """For the booking's own page: the sides the reader may still evaluate,
    and the evaluations given, with their sides' names; None until the
    activity took place or for someone who may not read them."""
    if booking.status != "completed" or not permissions.can_read_evaluations(current_user, booking):
        return None
    given = service.evaluations_of(booking)
    return {
        "open_sides": [s for s in permissions.sides_of(current_user, booking) if s not in given],
        "given": [given[s] for s in ("school", "company") if s in given],
        "labels": SIDE_LABELS,
    }


def get_booking_or_404(booking_id: int) -> Booking:
    """Someone else's booking does not exist for this person (ASVS 4.2.1)."""
    booking = db.session.get(Booking, booking_id)
    if booking is None or not permissions.can_read_evaluations(current_user, booking):
        abort(404)
    return booking


def _chosen_side(booking: Booking) -> str | None:
    """The side this person speaks for: the one asked for if they may, else
    their only (or first) side; None for a coordinator who is no party."""
    sides = permissions.sides_of(current_user, booking)
    asked = request.values.get("side")
    if asked in sides:
        return asked
    return sides[0] if sides else None


def _page(
    booking: Booking,
    side: str | None,
    form=None,
    status: int = 200,
    saved: bool = False,
    trigger: str | None = None,
):
    evaluations = service.evaluations_of(booking)
    if form is None and side and side not in evaluations and booking.status == "completed":
        form = EvaluationForm.for_side(side, booking.group_size, formdata=None)
    return render(
        "evaluations/evaluate.html",
        block="evaluation_panel",
        booking=booking,
        slot=booking.slot,
        activity=booking.slot.activity,
        side=side,
        sides=permissions.sides_of(current_user, booking),
        evaluations=evaluations,
        form=form,
        saved=saved,
        status=status,
        trigger=trigger,
    )


@bp.route("/bookings/<int:booking_id>/evaluation", methods=["GET", "POST"])
@login_required
def evaluate(booking_id: int):
    booking = get_booking_or_404(booking_id)
    side = _chosen_side(booking)
    if request.method == "GET":
        return _page(booking, side)
    if side is None:
        abort(403)
    form = EvaluationForm.for_side(side, booking.group_size)
    if form.validate_on_submit():
        answers = service.Answers(
            rating=int(form.rating.data),
            went_well=form.went_well.data or "",
            could_be_better=form.could_be_better.data or "",
            students_attended=form.students_attended.data if side == "school" else None,
            meaningful=form.meaningful(),
        )
        try:
            service.submit_evaluation(current_user, booking, side, answers)
        except DomainError as error:
            db.session.rollback()
            apply_domain_error(form, error)
        else:
            db.session.commit()
            if is_htmx():
                return _page(booking, side, saved=True, trigger="EvaluationSubmitted")
            flash(_("Thank you: your evaluation is saved."), "success")
            return redirect(url_for("evaluations.evaluate", booking_id=booking.id, side=side))
    # htmx swaps only successful answers: the panel comes back with the errors.
    return _page(booking, side, form=form, status=200 if is_htmx() else 422)


@bp.get("/evaluations")
@login_required
def index():
    organisations = [o for o in current_user.organisations() if o.kind in ("school", "company")]
    return render(
        "evaluations/index.html",
        organisations=organisations,
        awaiting=service.awaiting(organisations) if organisations else [],
        evaluations=service.evaluations_for(organisations) if organisations else [],
        # What the schools said of each of the person's companies.
        feedback=[(o, service.meaningfulness_of(o)) for o in organisations if o.kind == "company"],
    )
