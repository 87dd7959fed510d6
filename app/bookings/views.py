"""Booking pages: booking a slot, a booking's own page, a school's bookings, a
company's incoming bookings (confirmed or declined in place with htmx).

Kept as one module: one blueprint over one state machine; each view is thin
over bookings.service and bookings.queries."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import select

from app import vocabulary
from app.accounts.models import User
from app.bookings import forms, permissions, queries, service, waiting_list
from app.bookings.models import ACTIVE, Booking
from app.catalogue.models import Slot
from app.errors import DomainError
from app.extensions import db
from app.timeutil import utcnow
from app.transitions import NotAllowed
from app.web.forms import apply_domain_error, carried_out
from app.web.rendering import is_htmx, render, safe_next_url

bp = Blueprint("bookings", __name__)

STATES = vocabulary.BOOKING_STATES

# The event log's names as a person reads them in a booking's history.
HISTORY_PHRASES = {
    "BookingRequested": _l("Booked; the company has yet to confirm"),
    "BookingConfirmed": _l("Booking confirmed"),
    "BookingDeclined": _l("Declined by the company"),
    "BookingWaitlisted": _l("Put on the waiting list"),
    "BookingPromoted": _l("Moved up from the waiting list"),
    "BookingOffered": _l("A place came free shortly before the start and was offered"),
    "BookingOfferLapsed": _l("The offer was not accepted in time and passed on"),
    "BookingLeftWaitingList": _l("Left the waiting list"),
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
    return {
        "STATES": STATES,
        "actions_for": actions_for,
        "waiting_rules": waiting_list.RULE_EXPLAINED,
    }


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
    # A full date: the form is the waiting list's, already asked for.
    full = not slot.is_cancelled and slot.free_places == 0
    if full and request.method == "GET":
        form.accept_waitlist.data = True
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
        waiting_list=full,
        waiting_rule=waiting_list.current_rule(),
        status=status,
    )


def _flash_outcome(outcome: service.BookingOutcome) -> None:
    booking = outcome.booking
    if outcome.replayed:
        flash(_("This booking was already made; it is shown below."), "info")
        return
    if booking.status == "waitlisted":
        # Not a success: nothing is booked yet. The page says where the group stands.
        flash(
            _(
                "The group did not fit: it is on the waiting list and moves up "
                "automatically when places become free."
            ),
            "info",
        )
    else:
        messages = {
            "requested": _("Your booking is made. The company will confirm it."),
            "confirmed": _("Your booking is confirmed."),
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


def booking_page(booking: Booking, *, reason_form=None, decline_form=None, status=200):
    return render(
        "bookings/booking.html",
        booking=booking,
        slot=booking.slot,
        activity=booking.slot.activity,
        history=_history_rows(booking),
        place=waiting_list.place_in_line(booking),
        rule=waiting_list.current_rule(),
        cancel_form=reason_form or forms.ReasonForm(prefix="cancel"),
        decline_form=decline_form or forms.ReasonForm(prefix="decline"),
        status=status,
    )


@bp.get("/bookings/<int:booking_id>")
@login_required
def show(booking_id: int):
    return booking_page(get_booking_or_404(booking_id))


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
    return booking_page(booking, reason_form=form, status=outcome.status)


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
    return booking_page(booking, decline_form=form, status=outcome.status)


def _show_refusal_of_state(outcome) -> None:
    """A booking that is no longer in a state for this step shows no form to
    hold the refusal: it comes as a message instead."""
    if isinstance(outcome.refusal, NotAllowed):
        flash(outcome.message, "error")


# What the company's incoming list says where a group of bookings is empty.
INCOMING_EMPTY = {
    "requested": _l("No booking is waiting for your answer."),
    "confirmed": _l("No confirmed bookings to come."),
    "waitlisted": _l("Nobody is on a waiting list."),
}


def _company_answer(booking: Booking, form, *, message=None, error=None, trigger=None, status=200):
    """For htmx: a refusal in the row itself (htmx swaps only successful
    answers, so it comes back as a 200 row); an answer moves the row out of
    "waiting for your answer" into its new list (or out of the lists), with
    the counts following. Otherwise back where the form was with a message,
    or the booking's page with the refusal and its status."""
    if is_htmx() and error:
        return render(
            "bookings/incoming.html", block="booking_row", booking=booking, row_error=error
        )
    if is_htmx():
        companies = permissions.companies_of(current_user)
        response = render(
            "bookings/incoming.html",
            block="answered",
            booking=booking,
            counts=queries.incoming_counts(companies),
            empties=INCOMING_EMPTY,
            message=message,
            trigger=trigger,
        )
        response.headers["HX-Reswap"] = "delete"
        return response
    if error:
        flash(error, "error")
        return booking_page(booking, status=status)
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
    filters = queries.ListFilters.from_args(request.args, STATES)
    page = queries.school_bookings_page(schools, filters)

    def page_url(**changes) -> str:
        return url_for("bookings.mine", **filters.to_args(**changes))

    return render(
        "bookings/mine.html",
        block="booking_list",
        schools=schools,
        filters=filters,
        page=page,
        page_url=page_url,
        periods=PERIODS[filters.tab],
    )


# The periods "Mijn boekingen" offers on each tab.
PERIODS = {
    "upcoming": {
        "all": _l("Any time"),
        "week": _l("The coming 7 days"),
        "month": _l("The coming 31 days"),
    },
    "past": {
        "all": _l("Any time"),
        "month": _l("The last 31 days"),
        "year": _l("This school year"),
    },
}


@bp.get("/company/bookings")
@login_required
def incoming():
    companies = permissions.companies_of(current_user)
    if not companies:
        abort(403)
    state = request.args.get("state")
    try:
        after = int(request.args["after"]) if "after" in request.args else None
    except ValueError:
        after = None
    lists = queries.incoming_lists(companies, state=state, after=after)
    if is_htmx() and after is not None and state in lists:
        # "More": the next rows of that list and the link to those after them.
        return render(
            "bookings/incoming.html", block="more_rows", state=state, incoming=lists[state]
        )
    return render(
        "bookings/incoming.html",
        companies=companies,
        lists=lists,
        continued=state if after is not None else None,
    )
