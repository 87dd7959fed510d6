"""Request pages: a teacher's requests, posting one, a request with its
proposals (accepted in place with htmx, or by a plain form post), a company's
"requests for you", its answer form and its proposals, and the coordinators'
list of all requests (the lists behind the mismatch figures).

Kept as one module: one blueprint over one state machine; each view is thin
over school_requests.service."""

from __future__ import annotations

import uuid
from datetime import datetime

from flask import Blueprint, abort, current_app, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app import vocabulary
from app.catalogue.models import Activity, Slot
from app.errors import DomainError
from app.extensions import db
from app.matching import candidates
from app.placements.models import Professional
from app.placements.service import Terms, professionals_of
from app.school_requests import forms, permissions, queries, service
from app.school_requests.models import KIND_LABELS, RequestResponse, SchoolRequest
from app.timeutil import local_to_utc, utcnow
from app.web.forms import apply_domain_error, carried_out
from app.web.rendering import is_htmx, render, safe_next_url

bp = Blueprint("school_requests", __name__)

# The badge colours of app.css, by state.
BADGES = {
    "open": "pending",
    "answered": "requested",
    "fulfilled": "confirmed",
    "expired": "cancelled",
    "withdrawn": "cancelled",
    "accepted": "confirmed",
    "closed": "cancelled",
}


@bp.context_processor
def request_helpers():
    return {
        "REQUEST_STATES": service.STATE_LABELS,
        "RESPONSE_STATES": service.RESPONSE_STATE_LABELS,
        "OPTIONS": service.OPTION_LABELS,
        "CLOSE_REASONS": service.CLOSE_REASON_LABELS,
        "KINDS": KIND_LABELS,
        "BADGES": BADGES,
        "has_page": lambda endpoint: endpoint in current_app.view_functions,
        "suggestion_booking_url": lambda slot_id: url_for(
            "bookings.new", slot_id=slot_id, token=uuid.uuid4().hex
        ),
    }


# --- loaders ------------------------------------------------------------------------------


def get_request_or_404(request_id: int) -> SchoolRequest:
    """Another school's request does not exist for its teachers (ASVS 4.2.1)."""
    found = db.session.get(SchoolRequest, request_id)
    if found is None or not permissions.can_view_request(current_user, found):
        abort(404)
    return found


def get_response_or_404(found: SchoolRequest, response_id: int) -> RequestResponse:
    response = db.session.get(RequestResponse, response_id)
    if (
        response is None
        or response.request_id != found.id
        or not permissions.can_see_response(current_user, response)
    ):
        abort(404)
    return response


# --- the school's side -------------------------------------------------------------------------


@bp.get("/requests")
@login_required
def mine():
    schools = permissions.schools_of(current_user)
    if not schools:
        abort(403)
    return render(
        "school_requests/mine.html", schools=schools, requests=queries.requests_of_schools(schools)
    )


@bp.route("/requests/new", methods=["GET", "POST"])
@login_required
def new():
    schools = permissions.schools_of(current_user)
    if not schools:
        abort(403)
    form = forms.RequestForm()
    form.school.choices = [(s.id, s.name) for s in schools]
    status = 200
    if request.method == "GET":
        form.school.data = schools[0].id
    if form.validate_on_submit():
        me = current_user._get_current_object()
        try:
            school = service.school_for(me, form.school.data if len(schools) > 1 else None)
            posted = service.post_request(me, school, form.values())
        except DomainError as error:
            db.session.rollback()
            apply_domain_error(form, error)
        else:
            db.session.commit()
            flash(_("Your request is posted. Companies that fit it will see it."), "success")
            return redirect(url_for("school_requests.show", request_id=posted.id))
        status = 422
    elif request.method == "POST":
        status = 422
    return render(
        "school_requests/new.html", form=form, several_schools=len(schools) > 1, status=status
    )


def _page_context(found: SchoolRequest, **extra) -> dict:
    me = current_user
    of_school = permissions.is_of_the_school(me, found)
    sees_suggestions = of_school or me.is_coordinator
    context = {
        "req": found,
        "responses": permissions.visible_responses(me, found),
        "can_accept": permissions.can_accept(me, found) and found.is_running,
        "can_withdraw": permissions.can_withdraw(me, found) and found.is_running,
        "can_answer": permissions.can_answer(me) and found.is_running,
        "sees_who_asked": permissions.can_see_who_asked(me, found),
        "slot_suggestions": (
            candidates.slot_suggestions(found) if sees_suggestions and found.is_running else []
        ),
        "company_suggestions": (
            candidates.company_suggestions(found) if sees_suggestions and found.is_running else []
        ),
        "withdraw_form": forms.WithdrawForm(prefix="withdraw"),
        "accept_form": forms.AcceptForm(),
        "history": queries.history_rows(
            found, None if sees_suggestions else {c.id for c in permissions.companies_of(me)}
        ),
    }
    context.update(extra)
    return context


@bp.get("/requests/<int:request_id>")
@login_required
def show(request_id: int):
    found = get_request_or_404(request_id)
    return render("school_requests/request.html", **_page_context(found))


@bp.post("/requests/<int:request_id>/withdraw")
@login_required
def withdraw(request_id: int):
    found = get_request_or_404(request_id)
    if not permissions.can_withdraw(current_user, found):
        abort(403)
    form = forms.WithdrawForm(prefix="withdraw")
    outcome = carried_out(
        form,
        lambda: service.withdraw_request(
            current_user._get_current_object(), found, form.reason.data
        ),
        reload=found,
    )
    if outcome:
        flash(_("Your request is withdrawn; the companies that answered are told."), "success")
        return redirect(url_for("school_requests.show", request_id=found.id))
    return render(
        "school_requests/request.html",
        status=outcome.status,
        **_page_context(found, withdraw_form=form),
    )


@bp.post("/requests/<int:request_id>/proposals/<int:response_id>/accept")
@login_required
def accept(request_id: int, response_id: int):
    found = get_request_or_404(request_id)
    response = get_response_or_404(found, response_id)
    if not permissions.can_accept(current_user, found):
        abort(403)
    form = forms.AcceptForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        outcome = service.accept(current_user._get_current_object(), found, response)
    except DomainError as error:
        db.session.rollback()
        db.session.refresh(found)
        if is_htmx():
            return render(
                "school_requests/request.html",
                block="proposals",
                **_page_context(found, proposal_error=error.message),
            )
        flash(error.message, "error")
        return redirect(url_for("school_requests.show", request_id=found.id))
    db.session.commit()
    messages = _accepted_messages(outcome)
    if is_htmx():
        return render(
            "school_requests/request.html",
            block="proposals",
            trigger="RequestFulfilled",
            **_page_context(found, proposal_messages=messages),
        )
    for category, message in messages:
        flash(message, category)
    return redirect(
        safe_next_url(form.next.data) or url_for("school_requests.show", request_id=found.id)
    )


def _accepted_messages(outcome: service.Accepted) -> list[tuple[str, str]]:
    booking = outcome.booking
    if booking is None:
        messages = [("success", _("The hybrid teacher is agreed. The company is told."))]
    elif booking.status == "waitlisted":
        messages = [
            (
                "warning",
                _(
                    "The date was full: your group is on the waiting list and "
                    "moves up automatically when places become free."
                ),
            )
        ]
    elif booking.status == "confirmed":
        messages = [("success", _("Accepted: your booking is confirmed."))]
    else:
        messages = [("success", _("Accepted: your booking is made. The company will confirm it."))]
    messages.append(("info", _("The other companies are told that you chose another proposal.")))
    return messages + [("warning", w) for w in outcome.warnings]


# --- the company's side ------------------------------------------------------------------------


@bp.get("/requests/for-you")
@login_required
def for_you():
    companies = permissions.companies_of(current_user)
    if not companies:
        abort(403)
    company = _company_from_args(companies)
    filters = queries.Filters.from_args(request.args)
    show_all = request.args.get("all") == "1"
    ranked = [] if show_all else candidates.request_suggestions(company)
    everything = queries.running(filters) if show_all else []
    answered = queries.answered_by(company)
    return render(
        "school_requests/for_you.html",
        companies=companies,
        company=company,
        ranked=ranked,
        everything=everything,
        show_all=show_all,
        filters=filters,
        answered=answered,
    )


def _company_from_args(companies):
    chosen = request.args.get("company", type=int)
    return next((c for c in companies if c.id == chosen), companies[0])


# The service's names of the answer's input where the form's differ (beyond
# dropping "_id", which apply_domain_error does anyway).
ANSWER_FIELDS = {
    "starts_at": "day",
    "ends_at": "end",
    "start_time": "lesson_start",
    "end_time": "lesson_end",
    "remarks": "message",
    "subjects": "message",
}


def _offer(form: forms.AnswerForm, company, found: SchoolRequest) -> None:

    slots = db.session.scalars(
        select(Slot)
        .join(Slot.activity)
        .options(joinedload(Slot.activity))
        .where(
            Activity.company_id == company.id,
            Activity.status == "published",
            Slot.status == "open",
            Slot.starts_at > utcnow(),
        )
        .order_by(Slot.starts_at, Slot.id)
        .limit(200)
    ).all()
    from flask_babel import format_datetime

    form.slot.choices = [("", _("Choose a date"))] + [
        (
            s.id,
            f"{format_datetime(s.starts_at, 'EEE d MMM yyyy HH:mm')} · {s.activity.title} · "
            + ngettext("%(n)d free place", "%(n)d free places", s.free_places, n=s.free_places),
        )
        for s in slots
    ]
    activities = db.session.scalars(
        select(Activity)
        .where(Activity.company_id == company.id, Activity.status == "published")
        .order_by(Activity.title, Activity.id)
    ).all()
    form.activity.choices = [("", _("Choose an activity"))] + [(a.id, a.title) for a in activities]
    form.professional.choices = [("", _("Choose a professional"))] + [
        (p.id, p.name) for p in professionals_of(company)
    ]


def _answer_defaults(form: forms.AnswerForm, found: SchoolRequest) -> None:
    form.option.data = "placement" if found.is_placement else "slot"
    form.capacity.data = found.group_size
    form.day.data = found.first_day
    form.first_date.data = found.first_day
    form.last_date.data = found.last_day


@bp.route("/requests/<int:request_id>/answer", methods=["GET", "POST"])
@login_required
def answer(request_id: int):
    found = get_request_or_404(request_id)
    companies = permissions.companies_of(current_user)
    if not companies:
        abort(403)
    if not found.is_running:
        flash(_("This request is no longer open."), "info")
        return redirect(url_for("school_requests.show", request_id=found.id))
    form = forms.AnswerForm()
    form.company.choices = [(c.id, c.name) for c in companies]
    if request.method == "GET":
        form.company.data = _company_from_args(companies).id
        _answer_defaults(form, found)
    company = next((c for c in companies if c.id == form.company.data), companies[0])
    _offer(form, company, found)
    status = 200
    if request.method == "POST":
        status = 422
        if form.validate_on_submit() and form.check_option():
            try:
                _propose(form, found, company)
            except DomainError as error:
                db.session.rollback()
                apply_domain_error(form, error, ANSWER_FIELDS)
            else:
                db.session.commit()
                flash(_("Your proposal is sent to the school."), "success")
                return redirect(url_for("school_requests.show", request_id=found.id))
    outside = service.is_outside_match(found, company)
    return render(
        "school_requests/answer.html",
        form=form,
        req=found,
        company=company,
        several_companies=len(companies) > 1,
        outside=outside,
        status=status,
    )


def _instant(day, clock) -> datetime:
    return local_to_utc(datetime.combine(day, clock))


def _propose(form: forms.AnswerForm, found: SchoolRequest, company) -> None:
    me = current_user._get_current_object()
    option = form.option.data
    if option == "slot":
        slot = db.session.get(Slot, form.slot.data)
        if slot is None:
            raise DomainError(_("Choose one of your own dates."), field="slot_id")
        service.propose_slot(me, found, company, slot, form.message.data)
    elif option == "new_slot":
        activity = db.session.get(Activity, form.activity.data)
        if activity is None:
            raise DomainError(_("Choose one of your own activities."), field="activity_id")
        service.propose_new_slot(
            me,
            found,
            company,
            activity,
            _instant(form.day.data, form.start.data),
            _instant(form.day.data, form.end.data),
            form.capacity.data,
            form.message.data,
        )
    else:
        professional = db.session.get(Professional, form.professional.data)
        if professional is None:
            raise DomainError(_("Choose one of your own people."), field="professional_id")
        terms = Terms(
            form.hours_per_week.data,
            frozenset(form.weekdays.data or ()),
            form.lesson_start.data,
            form.lesson_end.data,
            form.first_date.data,
            form.last_date.data,
        )
        service.propose_placement(me, found, company, professional, terms, form.message.data)


@bp.get("/requests/proposals")
@login_required
def proposals():
    companies = permissions.companies_of(current_user)
    if not companies:
        abort(403)
    return render(
        "school_requests/proposals.html",
        companies=companies,
        responses=queries.proposals_of(companies),
    )


# --- coordinators ----------------------------------------------------------------------------


@bp.get("/requests/all")
@login_required
def everything():
    if not permissions.can_view_all_requests(current_user):
        abort(404)
    filters = queries.Filters.from_args(request.args)
    page = queries.listing(filters)
    return render("school_requests/all.html", filters=filters, page=page, vocabulary=vocabulary)
