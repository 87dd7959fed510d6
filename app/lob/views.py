"""The loopbaandossier sheet: the teacher's page for a booking's sheet (adapt
it, print the PDF, share the pupils' link), the pupils' page behind that link
(no account, nothing stored), and the company's questions for an activity."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.bookings.models import Booking
from app.catalogue.models import Activity
from app.documents.render import LANGUAGES, render_pdf
from app.extensions import db
from app.lob import permissions, service
from app.lob.forms import QuestionsForm, SheetForm
from app.timeutil import utcnow
from app.web.forms import carried_out
from app.web.rendering import render

bp = Blueprint("lob", __name__)


@bp.app_template_global()
def lob_may_add_questions(booking: Booking) -> bool:
    """For the booking's page: the company's people may add questions."""
    return permissions.can_add_questions(current_user, booking.slot.activity)


def get_booking_or_404(booking_id: int) -> Booking:
    booking = db.session.get(Booking, booking_id)
    if booking is None or not permissions.can_read_sheet(current_user, booking):
        abort(404)
    return booking


def _sheet_page(booking: Booking, form: SheetForm | None, status: int = 200):
    own = service.sheet_of(booking)
    return render(
        "lob/booking_sheet.html",
        booking=booking,
        sheet=service.compose(booking),
        form=form,
        pupils_link=url_for("lob.pupils", token=own.token, _external=True) if own else None,
        may_adapt=permissions.can_adapt_sheet(current_user, booking),
        status=status,
    )


@bp.route("/bookings/<int:booking_id>/lob-sheet", methods=["GET", "POST"])
@login_required
def booking_sheet(booking_id: int):
    booking = get_booking_or_404(booking_id)
    may_adapt = permissions.can_adapt_sheet(current_user, booking)
    if request.method == "POST" and not may_adapt:
        abort(403)
    own = service.sheet_of(booking)
    form = SheetForm(obj=own) if may_adapt else None
    if form is None:
        return _sheet_page(booking, form)
    outcome = carried_out(
        form,
        lambda: service.adapt_sheet(
            current_user,
            booking,
            goals=form.goals.data or "",
            prepare=form.prepare.data or "",
            look_for=form.look_for.data or "",
            follow_up=form.follow_up.data or "",
        ),
    )
    if outcome:
        flash(_("The sheet for this class is saved."), "success")
        return redirect(url_for("lob.booking_sheet", booking_id=booking.id), code=303)
    return _sheet_page(booking, form, status=outcome.status)


@bp.post("/bookings/<int:booking_id>/lob-sheet/link")
@login_required
def share_link(booking_id: int):
    """Makes the pupils' link, or with `renew` a new one (the old one stops)."""
    booking = get_booking_or_404(booking_id)
    if not permissions.can_adapt_sheet(current_user, booking):
        abort(403)
    if not SheetForm().validate_on_submit():
        abort(400)
    if request.form.get("renew"):
        service.new_link(booking)
        flash(_("A new link is made; the old one no longer works."), "success")
    else:
        service.sheet_for_link(booking)
    db.session.commit()
    return redirect(url_for("lob.booking_sheet", booking_id=booking.id) + "#share", code=303)


@bp.get("/bookings/<int:booking_id>/lob-sheet.pdf")
@login_required
def booking_sheet_pdf(booking_id: int):
    booking = get_booking_or_404(booking_id)
    asked = request.args.get("lang")
    lang = asked if asked in LANGUAGES else get_locale().language
    body = render_pdf(
        "lob_sheet.html", lang=lang, sheet=service.compose(booking), printed_on=utcnow()
    )
    return Response(
        body,
        mimetype="application/pdf",
        headers={
            "Content-Disposition": f'inline; filename="lob-sheet-{booking.id}.pdf"',
            "Cache-Control": "private, no-store",
        },
    )


@bp.get("/lob/<token>")
def pupils(token: str):
    """The pupils' page: anyone with the link, no account. The answers are
    fields of a page that never posts them anywhere."""
    booking = service.booking_of_token(token)
    if booking is None:
        abort(404)
    response = render("lob/pupils.html", sheet=service.compose(booking))
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


@bp.route("/activities/<int:activity_id>/lob-questions", methods=["GET", "POST"])
@login_required
def activity_questions(activity_id: int):
    activity = db.session.get(Activity, activity_id)
    if activity is None or not permissions.can_add_questions(current_user, activity):
        abort(404)
    form = QuestionsForm(obj=service.questions_of(activity))
    outcome = carried_out(
        form,
        lambda: service.set_questions(
            current_user,
            activity,
            prepare=form.prepare.data or "",
            look_for=form.look_for.data or "",
        ),
    )
    if outcome:
        flash(_("Your questions are on every pupils' sheet of this activity."), "success")
        return redirect(url_for("lob.activity_questions", activity_id=activity.id), code=303)
    return render("lob/questions.html", activity=activity, form=form, status=outcome.status)
