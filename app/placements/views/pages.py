"""The parties' list of placements, proposing one, and the coordinators'
overview of hours and placements ending soon."""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from app import vocabulary
from app.accounts.models import Organisation, User
from app.db_types import as_id
from app.errors import DomainError
from app.extensions import db
from app.placements import forms, permissions, service
from app.placements.models import Placement, Professional
from app.placements.views.common import (
    ENDING_SOON_DAYS,
    bp,
    detail_url,
    get_candidate_or_404,
    terms_of,
)
from app.school_year import SchoolYear
from app.web.forms import apply_domain_error
from app.web.rendering import render


def _sections(placements: list[Placement]) -> dict[str, list[Placement]]:
    """Waiting for me, waiting for the other side, running, and the rest."""
    found: dict[str, list[Placement]] = {"yours": [], "theirs": [], "agreed": [], "past": []}
    for placement in placements:
        if placement.status in ("proposed", "countered"):
            mine = permissions.can_accept(current_user, placement)
            found["yours" if mine else "theirs"].append(placement)
        elif placement.status == "agreed":
            found["agreed"].append(placement)
        else:
            found["past"].append(placement)
    return found


@bp.get("/")
@login_required
def index():
    if not permissions.can_propose(current_user) and not current_user.is_coordinator:
        abort(403)
    placements = service.placements_of(permissions.visible_placements(current_user))
    return render(
        "placements/index.html",
        sections=_sections(placements),
        companies=permissions.companies_of(current_user),
        schools=permissions.schools_of(current_user),
    )


def _proposable_professionals(user: User, chosen: Professional | None) -> list[Professional]:
    if chosen is not None:
        return [chosen]
    if user.is_coordinator:
        return list(
            db.session.scalars(
                select(Professional)
                .where(Professional.status == "approved", Professional.company_id.is_not(None))
                .order_by(Professional.name, Professional.id)
            )
        )
    found = []
    for company in permissions.companies_of(user):
        found += service.professionals_of(company)
    return found


def _approved_schools() -> list[Organisation]:
    return list(
        db.session.scalars(
            select(Organisation)
            .where(Organisation.kind == "school", Organisation.status == "approved")
            .order_by(Organisation.name)
        )
    )


def _side_for(user: User, professional: Professional, school: Organisation | None) -> str | None:
    """Who proposes: the company's contact (or a coordinator on its behalf), or a
    teacher of the school asking a company for its professional."""
    if professional.company and permissions.can_propose_for_company(user, professional.company):
        return "company"
    if school is not None and permissions.can_propose_for_school(user, school):
        return "school"
    return None


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    me: User = current_user._get_current_object()
    if not permissions.can_propose(me):
        abort(403)
    chosen = None
    if request.args.get("professional", type=as_id):
        chosen = get_candidate_or_404(request.args.get("professional", type=as_id))
        if chosen.company_id is None or chosen.status != "approved":
            flash(_("A coordinator first links this professional to a company."), "warning")
            return redirect(url_for("placements.candidate", professional_id=chosen.id))
    professionals = _proposable_professionals(me, chosen)
    if chosen is not None:
        is_company_side = _side_for(me, chosen, None) == "company"
    else:
        is_company_side = me.is_coordinator or bool(permissions.companies_of(me))
    schools = _approved_schools() if is_company_side else permissions.schools_of(me)
    if not professionals or not schools:
        flash(_("There is no professional to propose yet: register one in the pool first."), "info")
        return redirect(url_for("placements.pool"))
    form = forms.ProposalForm()
    form.professional.choices = [
        forms.SelectChoice(p.id, f"{p.name} ({p.company.name})") for p in professionals
    ]
    form.school.choices = [forms.SelectChoice(s.id, f"{s.name}, {s.city}") for s in schools]
    if request.method == "GET":
        form.professional.data = professionals[0].id
        if request.args.get("school", type=as_id):
            form.school.data = request.args.get("school", type=as_id)
        form.hours_per_week.data = professionals[0].hours_per_week or 4
        form.weekdays.data = sorted(professionals[0].weekdays, key=list(vocabulary.WEEKDAYS).index)
        form.subjects.data = professionals[0].subjects
        form.profiles.data = list(professionals[0].profiles)
    status = 200
    if form.validate_on_submit():
        professional = next((p for p in professionals if p.id == form.professional.data), None)
        school = next((s for s in schools if s.id == form.school.data), None)
        if professional is None:
            form.professional.errors = [*form.professional.errors, _("Choose a professional.")]
        if school is None:
            form.school.errors = [*form.school.errors, _("Choose a school.")]
        side = _side_for(me, professional, school) if professional and school else None
        if professional and school and side is None:
            form.form_errors.append(_("You cannot propose this professional to this school."))
        if side:
            try:
                placement = service.propose(
                    me,
                    company=professional.company,
                    school=school,
                    professional=professional,
                    terms=terms_of(form),
                    subjects=form.subjects.data or "",
                    profiles=form.profiles.data or [],
                    remarks=form.remarks.data or "",
                    by=side,
                )
            except DomainError as error:
                db.session.rollback()
                apply_domain_error(form, error)
            else:
                db.session.commit()
                flash(_("The placement is proposed; the other side is told."), "success")
                return redirect(detail_url(placement))
        status = 422
    elif request.method == "POST":
        status = 422
    return render("placements/new.html", form=form, chosen=chosen, status=status)


@bp.get("/overview")
@login_required
def overview():
    if not permissions.can_see_overview(current_user):
        abort(403)
    today = service.today_local()
    school_year = SchoolYear.containing(today)
    first, last = school_year.first_day, school_year.last_day
    running = service.placements_of(
        permissions.visible_placements(current_user), statuses=("agreed",)
    )
    open_ones = service.placements_of(
        permissions.visible_placements(current_user), statuses=("proposed", "countered")
    )
    return render(
        "placements/overview.html",
        first=first,
        last=last,
        per_school=service.hours_per_school(first, last),
        per_sector=service.hours_per_sector(first, last),
        ending=service.ending_within(ENDING_SOON_DAYS, today),
        running=running,
        open_ones=open_ones,
        pending=service.search_pool(include_pending=True, limit=500),
        ending_days=ENDING_SOON_DAYS,
    )
