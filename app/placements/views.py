"""Placement pages: the parties' lists, proposing, a placement's own page
(answering, the lesson schedule, ending, history), the coordinators' overview,
and the candidate pool (search, registering, approving).

Every answer works as a plain form post (redirect back with a message) and,
for htmx, swaps the row or lesson that changed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import select

from app import vocabulary
from app.accounts.models import Organisation, User
from app.db_types import as_id
from app.errors import DomainError
from app.extensions import db
from app.placements import forms, permissions, schedule, service
from app.placements.models import Placement, Professional
from app.school_year import SchoolYear
from app.web.forms import apply_domain_error, carried_out
from app.web.rendering import is_htmx, render, safe_next_url

bp = Blueprint("placements", __name__, url_prefix="/placements")

STATES = {
    "proposed": _l("Proposed"),
    "countered": _l("Other days proposed"),
    "agreed": _l("Agreed"),
    "declined": _l("Declined"),
    "withdrawn": _l("Withdrawn"),
    "ended": _l("Ended"),
}
# Borrowed badge colours of app.css: open, good, refused.
BADGES = {
    "proposed": "requested",
    "countered": "requested",
    "agreed": "confirmed",
    "declined": "declined",
    "withdrawn": "cancelled",
    "ended": "completed",
}
LESSON_STATES = {"scheduled": _l("Scheduled"), "moved": _l("Moved"), "cancelled": _l("Cancelled")}
CANDIDATE_STATES = {
    "pending": _l("Waiting for approval"),
    "approved": _l("In the pool"),
    "rejected": _l("Rejected"),
    "withdrawn": _l("Withdrawn"),
}

HISTORY_PHRASES = {
    "PlacementProposed": _l("Proposed"),
    "PlacementCountered": _l("Other days or times proposed"),
    "PlacementAgreed": _l("Agreed"),
    "PlacementDeclined": _l("Declined"),
    "PlacementWithdrawn": _l("Proposal withdrawn"),
    "PlacementLessonChanged": _l("A lesson changed"),
    "PlacementEnded": _l("Ended"),
}
SIDES = {
    "company": _l("the company"),
    "school": _l("the school"),
    "coordinator": _l("a coordinator"),
}
ENDING_SOON_DAYS = 42


@dataclass(frozen=True)
class Actions:
    accept: bool
    counter: bool
    decline: bool
    withdraw: bool
    end: bool
    lessons: bool

    def __bool__(self) -> bool:
        return any((self.accept, self.counter, self.decline, self.withdraw, self.end))


def actions_for(placement: Placement) -> Actions:
    """What the person signed in may do with this placement now."""
    user = current_user
    is_open = placement.status in ("proposed", "countered")
    return Actions(
        accept=is_open and permissions.can_accept(user, placement),
        counter=permissions.can_counter(user, placement),
        decline=is_open and permissions.can_decline(user, placement),
        withdraw=permissions.can_withdraw(user, placement),
        end=permissions.can_end(user, placement),
        lessons=permissions.can_change_lessons(user, placement),
    )


@bp.app_template_filter("weekday_name")
def weekday_name(code: str) -> str:
    return service.weekday_name(code)


@bp.app_template_filter("hhmm")
def hhmm(value) -> str:
    return value.strftime("%H:%M") if value else ""


def counter_form_for(placement: Placement) -> forms.CounterForm:
    """A counter form that starts from the terms proposed."""
    form = forms.CounterForm(prefix="counter", formdata=None)
    form.fill(placement)
    return form


@bp.context_processor
def placement_helpers():
    return {
        "PLACEMENT_STATES": STATES,
        "PLACEMENT_BADGES": BADGES,
        "placement_actions": actions_for,
        "LESSON_STATES": LESSON_STATES,
        "CANDIDATE_STATES": CANDIDATE_STATES,
        "today": service.today_local(),
        "counter_form_for": counter_form_for,
    }


# --- loaders ------------------------------------------------------------------------------


def get_placement_or_404(placement_id: int) -> Placement:
    """Another school's or company's placement does not exist for this person."""
    placement = db.session.get(Placement, placement_id)
    if placement is None or not permissions.can_view_placement(current_user, placement):
        abort(404)
    return placement


def get_candidate_or_404(professional_id: int) -> Professional:
    professional = db.session.get(Professional, professional_id)
    if professional is None or not permissions.can_see_candidate(current_user, professional):
        abort(404)
    return professional


def _back(form, default: str):
    return redirect(safe_next_url(form.next.data) or default)


def _detail_url(placement: Placement) -> str:
    return url_for("placements.detail", placement_id=placement.id)


# --- lists --------------------------------------------------------------------------------


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


def _answer(
    placement: Placement,
    form,
    *,
    message=None,
    error=None,
    trigger=None,
    status=200,
    **forms_for_row,
):
    """The changed row for htmx; otherwise back where the form was, with a message."""
    if is_htmx():
        return render(
            "placements/index.html",
            block="placement_row",
            placement=placement,
            row_error=error,
            row_message=message,
            trigger=trigger,
            **forms_for_row,
        )
    if error:
        flash(error, "error")
    elif message:
        flash(message, "success")
    if forms_for_row:
        return _placement_page(placement, status=status, **forms_for_row)
    return _back(form, _detail_url(placement))


# --- proposing ----------------------------------------------------------------------------


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
                    terms=_terms(form),
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
                return redirect(_detail_url(placement))
        status = 422
    elif request.method == "POST":
        status = 422
    return render("placements/new.html", form=form, chosen=chosen, status=status)


def _terms(form) -> service.Terms:
    return service.Terms(
        hours_per_week=form.hours_per_week.data,
        weekdays=form.weekdays.data or [],
        start_time=form.start_time.data,
        end_time=form.end_time.data,
        first_date=form.first_date.data,
        last_date=form.last_date.data,
    )


# --- one placement ------------------------------------------------------------------------


def _day(value) -> str:
    """An ISO date of the event log, as people read it."""
    try:
        return format_date(date.fromisoformat(value), "medium")
    except (TypeError, ValueError):
        return ""


def _history_rows(placement: Placement) -> list[dict]:
    entries = service.history(placement)
    actor_ids = {e.actor_id for e in entries if e.actor_id}
    actors = (
        {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(actor_ids)))}
        if actor_ids
        else {}
    )
    rows = []
    for entry in entries:
        payload = entry.payload or {}
        actor = actors.get(entry.actor_id)
        detail = payload.get("reason") or payload.get("message") or ""
        if entry.name in ("PlacementProposed", "PlacementCountered"):
            days = ", ".join(service.weekday_name(c) for c in payload.get("weekdays") or [])
            detail = " · ".join(
                filter(
                    None,
                    [
                        f"{days} {payload.get('start_time', '')}–{payload.get('end_time', '')}",
                        f"{_day(payload.get('first_date'))} – {_day(payload.get('last_date'))}",
                        _("%(n)s hours a week", n=payload.get("hours_per_week", "")),
                        detail,
                    ],
                )
            )
        if entry.name == "PlacementLessonChanged":
            if payload.get("change") == "cancelled":
                phrase = _("Lesson of %(date)s cancelled", date=_day(payload.get("original_date")))
            else:
                phrase = _(
                    "Lesson of %(date)s moved to %(new)s, %(start)s-%(end)s",
                    date=_day(payload.get("original_date")),
                    new=_day(payload.get("new_date")),
                    start=payload.get("new_start_time"),
                    end=payload.get("new_end_time"),
                )
        elif entry.name == "PlacementEnded":
            phrase = (
                _("Ended early; last day %(date)s", date=_day(payload.get("ended_on")))
                if payload.get("early")
                else _("Finished after its last date")
            )
        else:
            phrase = HISTORY_PHRASES.get(entry.name, entry.name)
        rows.append(
            {
                "at": entry.occurred_at,
                "phrase": phrase,
                "actor": actor.name if actor else None,
                "side": SIDES.get(payload.get("by") or ""),
                "detail": detail,
            }
        )
    return rows


def _placement_page(placement: Placement, *, status=200, **given_forms):
    counter_form = given_forms.get("counter_form") or counter_form_for(placement)
    lessons = schedule.lessons(placement) if placement.status in ("agreed", "ended") else []
    return render(
        "placements/detail.html",
        placement=placement,
        professional=placement.professional,
        lessons=lessons,
        exdates=schedule.holiday_exdates(placement),
        history=_history_rows(placement),
        counter_form=counter_form,
        decline_form=given_forms.get("decline_form") or forms.ReasonForm(prefix="decline"),
        withdraw_form=given_forms.get("withdraw_form")
        or forms.OptionalReasonForm(prefix="withdraw"),
        end_form=given_forms.get("end_form") or forms.EndForm(prefix="end"),
        lesson_forms=given_forms.get("lesson_forms") or {},
        status=status,
    )


@bp.get("/<int:placement_id>")
@login_required
def detail(placement_id: int):
    return _placement_page(get_placement_or_404(placement_id))


@bp.post("/<int:placement_id>/accept")
@login_required
def accept(placement_id: int):
    placement = get_placement_or_404(placement_id)
    if not permissions.can_accept(current_user, placement):
        abort(403)
    form = forms.AnswerForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        service.accept(current_user, placement)
    except DomainError as error:
        db.session.rollback()
        db.session.refresh(placement)
        return _answer(placement, form, error=error.message)
    db.session.commit()
    return _answer(
        placement, form, message=_("The placement is agreed."), trigger="PlacementAgreed"
    )


@bp.post("/<int:placement_id>/decline")
@login_required
def decline(placement_id: int):
    placement = get_placement_or_404(placement_id)
    if not permissions.can_decline(current_user, placement):
        abort(403)
    form = forms.ReasonForm(prefix="decline")
    if carried_out(form, lambda: service.decline(current_user, placement, form.reason.data)):
        return _answer(
            placement, form, message=_("The placement is declined."), trigger="PlacementDeclined"
        )
    db.session.refresh(placement)
    return _answer(placement, form, decline_form=form, status=422)


@bp.post("/<int:placement_id>/counter")
@login_required
def counter(placement_id: int):
    placement = get_placement_or_404(placement_id)
    if not permissions.can_counter(current_user, placement):
        abort(403)
    form = forms.CounterForm(prefix="counter")
    if carried_out(
        form,
        lambda: service.counter(current_user, placement, _terms(form), form.message.data or ""),
    ):
        return _answer(
            placement,
            form,
            message=_("Your days are proposed; the other side answers."),
            trigger="PlacementCountered",
        )
    db.session.refresh(placement)
    return _answer(placement, form, counter_form=form, status=422)


@bp.post("/<int:placement_id>/withdraw")
@login_required
def withdraw(placement_id: int):
    placement = get_placement_or_404(placement_id)
    if not permissions.can_withdraw(current_user, placement):
        abort(403)
    form = forms.OptionalReasonForm(prefix="withdraw")
    if carried_out(form, lambda: service.withdraw(current_user, placement, form.reason.data or "")):
        return _answer(
            placement, form, message=_("The proposal is withdrawn."), trigger="PlacementWithdrawn"
        )
    db.session.refresh(placement)
    return _answer(placement, form, withdraw_form=form, status=422)


@bp.post("/<int:placement_id>/end")
@login_required
def end(placement_id: int):
    placement = get_placement_or_404(placement_id)
    if not permissions.can_end(current_user, placement):
        abort(403)
    form = forms.EndForm(prefix="end")
    if carried_out(
        form,
        lambda: service.end_early(current_user, placement, form.reason.data, form.ended_on.data),
    ):
        flash(_("The placement ends; the other side is told."), "success")
        return redirect(_detail_url(placement))
    db.session.refresh(placement)
    return _placement_page(placement, end_form=form, status=422)


# --- single lessons -----------------------------------------------------------------------


def _lesson_answer(
    placement: Placement, original: date, *, form=None, kind="", message=None, status=200
):
    if is_htmx():
        lesson = schedule.lesson_on(placement, original)
        return render(
            "placements/detail.html",
            block="lesson_row",
            placement=placement,
            lesson=lesson,
            lesson_forms={(original, kind): form} if form else {},
            row_message=message,
            can_change=permissions.can_change_lessons(current_user, placement),
            trigger="PlacementLessonChanged" if message else None,
        )
    if message:
        flash(message, "success")
        return redirect(_detail_url(placement) + f"#lesson-{original.isoformat()}")
    return _placement_page(placement, lesson_forms={(original, kind): form}, status=status)


def _original_date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        abort(404)


@bp.post("/<int:placement_id>/lessons/<value>/cancel")
@login_required
def cancel_lesson(placement_id: int, value: str):
    placement = get_placement_or_404(placement_id)
    original = _original_date(value)
    if not permissions.can_change_lessons(current_user, placement):
        abort(403)
    form = forms.ReasonForm(prefix="cancel")
    if carried_out(
        form, lambda: service.cancel_lesson(current_user, placement, original, form.reason.data)
    ):
        return _lesson_answer(
            placement, original, message=_("The lesson is cancelled; the other side is told.")
        )
    db.session.refresh(placement)
    return _lesson_answer(placement, original, form=form, kind="cancel", status=422)


@bp.post("/<int:placement_id>/lessons/<value>/move")
@login_required
def move_lesson(placement_id: int, value: str):
    placement = get_placement_or_404(placement_id)
    original = _original_date(value)
    if not permissions.can_change_lessons(current_user, placement):
        abort(403)
    form = forms.MoveLessonForm(prefix="move")
    if carried_out(
        form,
        lambda: service.move_lesson(
            current_user,
            placement,
            original,
            form.new_date.data,
            form.start_time.data,
            form.end_time.data,
            form.reason.data or "",
        ),
    ):
        return _lesson_answer(
            placement, original, message=_("The lesson is moved; the other side is told.")
        )
    db.session.refresh(placement)
    return _lesson_answer(placement, original, form=form, kind="move", status=422)


# --- coordinators' overview ---------------------------------------------------------------


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


# --- the candidate pool -------------------------------------------------------------------


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
    company = None
    if form.validate_on_submit():
        if form.company.data:
            company = db.session.get(Organisation, form.company.data)
            if company is None or company.kind != "company":
                form.company.errors = [*form.company.errors, _("Choose a company.")]
                return _candidate_page(professional, form, status=422)
        try:
            service.approve_candidate(current_user, professional, company)
        except DomainError as error:
            db.session.rollback()
            apply_domain_error(form, error)
            return _candidate_page(professional, form, status=422)
        db.session.commit()
        flash(_("%(name)s is in the pool.", name=professional.name), "success")
        return redirect(url_for("placements.candidate", professional_id=professional.id))
    return _candidate_page(professional, form, status=422)


@bp.post("/pool/<int:professional_id>/reject")
@login_required
def reject_candidate(professional_id: int):
    professional = get_candidate_or_404(professional_id)
    if not permissions.can_approve_candidates(current_user):
        abort(403)
    form = forms.AnswerForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        service.reject_candidate(current_user, professional)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(_("The registration is rejected."), "success")
    return redirect(url_for("placements.pool"))
