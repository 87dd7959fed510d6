"""Waiting-list pages: a school leaves a list or answers an offer (on the
booking's page, or from the signed link in a mail without signing in), and a
coordinator chooses the region's promotion rule."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.bookings import forms, permissions, waiting_list
from app.bookings.views import booking_helpers, booking_page, get_booking_or_404
from app.web.forms import carried_out
from app.web.rendering import render

bp = Blueprint("waiting_lists", __name__)
# The booking's page is shown from here too (a refusal).
bp.context_processor(booking_helpers)

DONE = {
    "leave": lambda: _("Your group has left the waiting list."),
    "accept": lambda: _("You accepted the place: your group moved up from the waiting list."),
}


def _act(step: str, person, booking):
    if step == "accept":
        return lambda: waiting_list.accept_offer(person, booking)
    return lambda: waiting_list.leave_waiting_list(person, booking)


@bp.post("/bookings/<int:booking_id>/<any(leave, accept):step>-waiting-list")
@login_required
def answer(booking_id: int, step: str):
    """Leaving the list, or accepting an offer, from the booking's page."""
    booking = get_booking_or_404(booking_id)
    if not permissions.can_cancel(current_user, booking):
        abort(403)
    form = forms.ConfirmForm()
    me = current_user._get_current_object()
    outcome = carried_out(form, _act(step, me, booking), reload=booking)
    if not outcome:
        # The refusal (a lapsed offer, a list already left) with its status.
        flash(outcome.message or _("The form has expired; try again."), "error")
        return booking_page(booking, status=outcome.status)
    flash(DONE[step](), "success")
    return redirect(url_for("bookings.show", booking_id=booking.id), 303)


@bp.route("/waiting-list/<token>", methods=["GET", "POST"])
def answer_by_link(token: str):
    """The link in a waiting-list or offer mail: the signed token stands in for
    signing in. The GET only shows what the booking's state allows (mail
    scanners open links); a POST of the page's form does it."""
    found = waiting_list.booking_for_token(token)
    if found is None:
        return render("bookings/waiting_list_link.html", booking=None, status=404)
    booking, person = found
    form = forms.ConfirmForm()
    step = request.form.get("step") if request.method == "POST" else None
    if step not in (None, "leave", "accept"):
        abort(400)
    outcome = carried_out(form, _act(step, person, booking), reload=booking) if step else None
    return render(
        "bookings/waiting_list_link.html",
        booking=booking,
        person=person,
        place=waiting_list.place_in_line(booking),
        rule=waiting_list.current_rule(),
        form=form,
        done=DONE[step]() if outcome else None,
        refusal=outcome.message if outcome is not None and not outcome else None,
        status=outcome.status if outcome is not None and not outcome else 200,
    )


@bp.route("/waiting-lists", methods=["GET", "POST"])
@login_required
def rule():
    if not permissions.can_set_waiting_list_rule(current_user):
        abort(403)
    form = forms.WaitingListRuleForm()
    form.rule.choices = [(key, str(label)) for key, label in waiting_list.RULES.items()]
    if request.method == "GET":
        form.rule.data = waiting_list.current_rule()
    me = current_user._get_current_object()
    outcome = carried_out(form, lambda: waiting_list.set_rule(me, form.rule.data))
    if outcome:
        flash(_("The waiting lists follow the new rule from the next place that frees."), "success")
        return redirect(url_for("waiting_lists.rule"), 303)
    return render(
        "bookings/waiting_list_rule.html",
        form=form,
        explained=waiting_list.RULE_EXPLAINED,
        status=outcome.status,
    )
