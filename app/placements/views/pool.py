"""The candidate pool: searching it, a company registering a professional,
anyone offering themselves, and a coordinator approving or rejecting."""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from app.accounts.models import Organisation
from app.errors import DomainError
from app.extensions import db
from app.placements import forms, permissions, service
from app.placements.models import Placement, Professional
from app.placements.views.common import (
    bp,
    get_candidate_or_404,
)
from app.web.forms import apply_domain_error, carried_out
from app.web.rendering import render


@bp.get("/pool")
@login_required
def pool():
    if not permissions.can_search_pool(current_user):
        abort(403)
    form = forms.PoolSearchForm(request.args)
    form.offer()
    found = []
    if form.validate():
        try:
            found = service.search_pool(
                profile=form.profile.data or None,
                weekday=form.weekday.data or None,
                town=form.town.data,
                region=form.region.data,
                text=form.q.data,
                include_pending=current_user.is_coordinator,
            )
        except DomainError as error:
            apply_domain_error(form, error)
    companies = permissions.companies_of(current_user)
    own = service.search_pool(company_ids=[c.id for c in companies]) if companies else []
    return render(
        "placements/pool.html",
        form=form,
        found=found,
        own=own,
        block="results" if request.args.get("partial") else None,
    )


def _candidate_values(form) -> dict:
    return dict(
        name=form.name.data,
        expertise=form.expertise.data,
        kind=form.kind.data,
        subjects=form.subjects.data or "",
        profiles=form.profiles.data or [],
        weekdays=form.weekdays.data or [],
        hours_per_week=form.hours_per_week.data,
        town=form.town.data or "",
        region=form.region.data or "",
        consent=form.consent.data,
    )


@bp.route("/pool/new", methods=["GET", "POST"])
@login_required
def new_candidate():
    """A company contact (or a coordinator for a company) registers a professional."""
    me = current_user._get_current_object()
    companies = permissions.companies_of(me)
    if me.is_coordinator:
        companies = list(
            db.session.scalars(
                select(Organisation)
                .where(Organisation.kind == "company", Organisation.status == "approved")
                .order_by(Organisation.name)
            )
        )
    if not companies:
        abort(403)
    form = forms.CompanyCandidateForm()
    form.company.choices = [forms.SelectChoice(c.id, c.name) for c in companies]
    status = 200
    if form.validate_on_submit():
        company = next((c for c in companies if c.id == form.company.data), None)
        if company is None or not permissions.can_register_candidate_for(me, company):
            form.company.errors = [*form.company.errors, _("Choose a company.")]
        else:
            try:
                professional = service.register_candidate(
                    me, company=company, **_candidate_values(form)
                )
            except DomainError as error:
                db.session.rollback()
                apply_domain_error(form, error)
            else:
                db.session.commit()
                flash(_("%(name)s is in the pool.", name=professional.name), "success")
                return redirect(url_for("placements.candidate", professional_id=professional.id))
        status = 422
    elif request.method == "POST":
        status = 422
    return render("placements/candidate_form.html", form=form, public=False, status=status)


@bp.route("/pool/register", methods=["GET", "POST"])
def register():
    """Anyone can offer themselves as a hybrid teacher: no account, a coordinator
    approves the entry before schools see it."""
    form = forms.SelfRegistrationForm()
    status = 200
    if form.validate_on_submit():
        try:
            service.register_candidate(
                None, company=None, email=form.email.data or "", **_candidate_values(form)
            )
        except DomainError as error:
            db.session.rollback()
            apply_domain_error(form, error)
        else:
            db.session.commit()
            return render("placements/registered.html")
        status = 422
    elif request.method == "POST":
        status = 422
    return render("placements/candidate_form.html", form=form, public=True, status=status)


@bp.get("/pool/<int:professional_id>")
@login_required
def candidate(professional_id: int):
    professional = get_candidate_or_404(professional_id)
    return _candidate_page(professional)


def _candidate_page(professional: Professional, form=None, status=200):
    form = form or forms.ApproveCandidateForm()
    form.company.choices = [forms.SelectChoice(0, _("No company yet"))] + [
        forms.SelectChoice(c.id, c.name)
        for c in db.session.scalars(
            select(Organisation)
            .where(Organisation.kind == "company", Organisation.status == "approved")
            .order_by(Organisation.name)
        )
    ]
    if form.company.data is None:
        form.company.data = professional.company_id or 0
    placements = service.placements_of(
        permissions.visible_placements(current_user).where(
            Placement.professional_id == professional.id
        )
    )
    return render(
        "placements/candidate.html",
        professional=professional,
        form=form,
        placements=placements,
        can_approve=permissions.can_approve_candidates(current_user),
        show_contact=permissions.can_see_candidate_contact(current_user, professional),
        status=status,
    )


@bp.post("/pool/<int:professional_id>/approve")
@login_required
def approve_candidate(professional_id: int):
    professional = get_candidate_or_404(professional_id)
    if not permissions.can_approve_candidates(current_user):
        abort(403)
    form = forms.ApproveCandidateForm()

    def approve():
        company = None
        if form.company.data:
            company = db.session.get(Organisation, form.company.data)
            if company is None or company.kind != "company":
                raise DomainError(_("Choose a company."), field="company")
        service.approve_candidate(current_user, professional, company)

    outcome = carried_out(form, approve, reload=professional)
    if outcome:
        flash(_("%(name)s is in the pool.", name=professional.name), "success")
        return redirect(url_for("placements.candidate", professional_id=professional.id))
    return _candidate_page(professional, form, status=outcome.status)


@bp.post("/pool/<int:professional_id>/reject")
@login_required
def reject_candidate(professional_id: int):
    professional = get_candidate_or_404(professional_id)
    if not permissions.can_approve_candidates(current_user):
        abort(403)
    form = forms.AnswerForm()
    if not form.validate_on_submit():
        abort(400)
    outcome = carried_out(
        form, lambda: service.reject_candidate(current_user, professional), reload=professional
    )
    if outcome:
        flash(_("The registration is rejected."), "success")
        return redirect(url_for("placements.pool"))
    flash(outcome.message, "error")
    return _candidate_page(professional, status=outcome.status)
