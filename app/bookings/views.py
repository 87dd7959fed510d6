"""Booking pages: booking a slot, a booking's own page, a school's bookings, a
company's incoming bookings (confirmed or declined in place with htmx)."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import select

from app.accounts.models import User
from app.bookings import forms, permissions, service
from app.bookings.models import ACTIVE, Booking
from app.catalogue.models import Slot
from app.errors import DomainError
from app.extensions import db
from app.timeutil import utcnow
from app.transitions import NotAllowed
from app.web.forms import apply_domain_error, carried_out
from app.web.rendering import is_htmx, render, safe_next_url

bp = Blueprint("bookings", __name__)

STATES = {
    "requested": _l("Requested"),
    "confirmed": _l("Confirmed"),
    "waitlisted": _l("On the waiting list"),
    "declined": _l("Declined"),
    "cancelled": _l("Cancelled"),
    "completed": _l("Took place"),
}

# The event log's names as a person reads them in a booking's history.
HISTORY_PHRASES = {
    "BookingRequested": _l("Booked; the company has yet to confirm"),
    "BookingConfirmed": _l("Booking confirmed"),
    "BookingDeclined": _l("Declined by the company"),
    "BookingWaitlisted": _l("Put on the waiting list"),
    "BookingPromoted": _l("Moved up from the waiting list"),
    "BookingCancelled": _l("Booking cancelled"),
    "BookingCompleted": _l("The activity took place"),
    "SlotRescheduled": _l("The company changed the date, time or capacity"),
    "SlotCancelled": _l("The company cancelled this date"),
}


@dataclass(frozen=True)
class Actions:
    cancel: bool
    confirm: bool
    decline: bool

    def __bool__(self) -> bool:
        return self.cancel or self.confirm or self.decline


def actions_for(booking: Booking) -> Actions:
    """What the person signed in may do with this booking now."""
    return Actions(
        cancel=(
            permissions.can_cancel(current_user, booking)
            and booking.status in ACTIVE
            and booking.slot.starts_at > utcnow()
        ),
        confirm=permissions.can_confirm(current_user, booking) and booking.status == "requested",
        decline=(
            permissions.can_decline(current_user, booking)
            and booking.status in ("requested", "waitlisted")
        ),
    )


@bp.context_processor
def booking_helpers():
    return {"STATES": STATES, "actions_for": actions_for}


# --- loaders ----------------------------------------------------------------------------


def get_booking_or_404(booking_id: int) -> Booking:
    """Another school's or company's booking does not exist for this person
    (ASVS 4.2.1): 404 on every method, never a hint that the id is taken."""
    booking = db.session.get(Booking, booking_id)
    if booking is None or not permissions.can_view_booking(current_user, booking):
        abort(404)
    return booking


def get_bookable_slot_or_404(slot_id: int) -> Slot:
    slot = db.session.get(Slot, slot_id)
    if slot is None or not slot.activity.is_published:
        abort(404)
    return slot


# --- booking a slot ---------------------------------------------------------------------


# The one-time token a booking link carries (booking_url); anything else in the
# address is ignored and the form gets a fresh token.
LINK_TOKEN = re.compile(r"[0-9a-f]{32}")


@bp.app_template_global()
def booking_url(slot: Slot) -> str:
    """The booking form of a slot, with a one-time token of its own in the address.

    A browser that goes back to the form fetches it again (the session cookie
    changed since, and pages vary by cookie) and fills in what the teacher typed,
    but not a hidden field: a token made at that fetch would turn the same form,
    sent again, into a second booking. The token in the address stays the same."""
    return url_for("bookings.new", slot_id=slot.id, token=uuid.uuid4().hex)


def _booking_form(slot: Slot, schools) -> forms.BookingForm:
    form = forms.BookingForm()
    form.offer(slot.activity, schools, service.teachers_of(schools))
    if request.method == "GET":
        token = request.args.get("token", "")
        form.token.data = token if LINK_TOKEN.fullmatch(token) else uuid.uuid4().hex
        form.teacher.data = current_user.id
        form.school.data = schools[0].id
    return form


@bp.route("/slots/<int:slot_id>/book", methods=["GET", "POST"])
@login_required
def new(slot_id: int):
    slot = get_bookable_slot_or_404(slot_id)
    schools = permissions.schools_of(current_user)
    if not schools:
        abort(403)
    form = _booking_form(slot, schools)
    status = 200
    if form.validate_on_submit():
        me = current_user._get_current_object()
        try:
            # One school: it is the one; several: the form's choice.
            school = service.school_for(me, form.school.data if len(schools) > 1 else None)
            teacher = service.teacher_for(me, school, form.teacher.data)
            outcome = service.request_booking_once(
                me,
                slot,
                school,
                service.Group(
                    size=form.group_size.data,
                    year=form.year.data,
                    path=form.path.data,
                    profile=form.profile.data or None,
                ),
                accept_waitlist=form.accept_waitlist.data,
                remarks=form.remarks.data,
                teacher=teacher,
                idempotency_key=form.token.data,
            )
        except DomainError as error:
            db.session.rollback()
            apply_domain_error(form, error)
        else:
            db.session.commit()
            _flash_outcome(outcome)
            return redirect(url_for("bookings.show", booking_id=outcome.booking.id))
        status = 422
    elif request.method == "POST":
        status = 422
    return render(
        "bookings/new.html",
        form=form,
        slot=slot,
        activity=slot.activity,
        several_schools=len(schools) > 1,
        status=status,
    )


def _flash_outcome(outcome: service.BookingOutcome) -> None:
    booking = outcome.booking
    if outcome.replayed:
        flash(_("This booking was already made; it is shown below."), "info")
        return
    messages = {
        "requested": _("Your booking is made. The company will confirm it."),
        "confirmed": _("Your booking is confirmed."),
        "waitlisted": _(
            "The group did not fit: it is on the waiting list and moves up "
            "automatically when places become free."
        ),
    }
    flash(messages.get(booking.status, STATES.get(booking.status, "")), "success")
    for warning in outcome.warnings:
        flash(warning, "warning")


# --- one booking ------------------------------------------------------------------------


def _history_rows(booking: Booking) -> list[dict]:
    entries = service.history(booking)
    actor_ids = {e.actor_id for e in entries if e.actor_id}
    actors = (
        {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(actor_ids)))}
        if actor_ids
        else {}
    )
    rows = []
    for entry in entries:
        payload = entry.payload or {}
        phrase = HISTORY_PHRASES.get(entry.name, entry.name)
        if entry.name == "BookingCancelled" and payload.get("by") == "company":
            phrase = _l("Cancelled by the company")
        actor = actors.get(entry.actor_id)
        rows.append(
            {
                "at": entry.occurred_at,
                "phrase": phrase,
                "actor": actor.name if actor else None,
                "reason": payload.get("reason") or "",
            }
        )
    return rows


def _booking_page(booking: Booking, *, reason_form=None, decline_form=None, status=200):
    return render(
        "bookings/booking.html",
        booking=booking,
        slot=booking.slot,
        activity=booking.slot.activity,
        history=_history_rows(booking),
        cancel_form=reason_form or forms.ReasonForm(prefix="cancel"),
        decline_form=decline_form or forms.ReasonForm(prefix="decline"),
        status=status,
    )


@bp.get("/bookings/<int:booking_id>")
@login_required
def show(booking_id: int):
    return _booking_page(get_booking_or_404(booking_id))


def _back(form, default: str):
    return redirect(safe_next_url(form.next.data) or default)


@bp.post("/bookings/<int:booking_id>/cancel")
@login_required
def cancel(booking_id: int):
    booking = get_booking_or_404(booking_id)
    if not permissions.can_cancel(current_user, booking):
        abort(403)
    form = forms.ReasonForm(prefix="cancel")
    outcome = carried_out(
        form,
        lambda: service.cancel_booking(current_user, booking, form.reason.data),
        reload=booking,
    )
    if outcome:
        if is_htmx():
            return render(
                "bookings/mine.html",
                block="booking_row",
                booking=booking,
                trigger="BookingCancelled",
            )
        flash(_("The booking is cancelled; the company is told."), "success")
        return _back(form, url_for("bookings.show", booking_id=booking.id))
    if is_htmx():
        # htmx swaps only successful answers: the row comes back with the message.
        return render("bookings/mine.html", block="booking_row", booking=booking, cancel_form=form)
    _show_refusal_of_state(outcome)
    return _booking_page(booking, reason_form=form, status=outcome.status)


@bp.post("/bookings/<int:booking_id>/confirm")
@login_required
def confirm(booking_id: int):
    booking = get_booking_or_404(booking_id)
    if not permissions.can_confirm(current_user, booking):
        abort(403)
    form = forms.ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    outcome = carried_out(
        form, lambda: service.confirm_booking(current_user, booking), reload=booking
    )
    if outcome:
        return _company_answer(
            booking, form, message=_("The booking is confirmed."), trigger="BookingConfirmed"
        )
    return _company_answer(booking, form, error=outcome.message, status=outcome.status)


@bp.post("/bookings/<int:booking_id>/decline")
@login_required
def decline(booking_id: int):
    booking = get_booking_or_404(booking_id)
    if not permissions.can_decline(current_user, booking):
        abort(403)
    form = forms.ReasonForm(prefix="decline")
    outcome = carried_out(
        form,
        lambda: service.decline_booking(current_user, booking, form.reason.data),
        reload=booking,
    )
    if outcome:
        return _company_answer(
            booking, form, message=_("The booking is declined."), trigger="BookingDeclined"
        )
    if is_htmx():
        return render(
            "bookings/incoming.html", block="booking_row", booking=booking, decline_form=form
        )
    _show_refusal_of_state(outcome)
    return _booking_page(booking, decline_form=form, status=outcome.status)


def _show_refusal_of_state(outcome) -> None:
    """A booking that is no longer in a state for this step shows no form to
    hold the refusal: it comes as a message instead."""
    if isinstance(outcome.refusal, NotAllowed):
        flash(outcome.message, "error")


def _company_answer(booking: Booking, form, *, message=None, error=None, trigger=None, status=200):
    """The changed row for htmx (htmx swaps only successful answers, so a
    refusal comes back as a 200 row with its message); otherwise back where
    the form was with a message, or the booking's page with the refusal."""
    if is_htmx():
        return render(
            "bookings/incoming.html",
            block="booking_row",
            booking=booking,
            row_error=error,
            trigger=trigger,
        )
    if error:
        flash(error, "error")
        return _booking_page(booking, status=status)
    if message:
        flash(message, "success")
    return _back(form, url_for("bookings.incoming"))


# --- lists ------------------------------------------------------------------------------


@bp.get("/bookings")
@login_required
def mine():
    schools = permissions.schools_of(current_user)
    if not schools:
        abort(403)
    return render(
        "bookings/mine.html",
        schools=schools,
        upcoming=service.school_bookings(schools, past=False),
        past=service.school_bookings(schools, past=True),
    )


@bp.get("/company/bookings")
@login_required
def incoming():
    companies = permissions.companies_of(current_user)
    if not companies:
        abort(403)
    return render(
        "bookings/incoming.html", companies=companies, groups=service.incoming_bookings(companies)
    )
