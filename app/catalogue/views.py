"""Catalogue pages: the public slot listing, activity pages, and the company's
own activities and slots.

Kept as one module: one blueprint; the catalogue page and its cache, and the
forms over catalogue.service (each through carried_out)."""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    request,
    url_for,
)
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from jinja2_fragments.flask import render_block
from markupsafe import Markup
from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import joinedload

from app import vocabulary
from app.accounts.models import Membership, Organisation
from app.catalogue import cache as catalogue_cache
from app.catalogue import forms, permissions, service
from app.catalogue.models import Activity, Slot
from app.catalogue.search import Filters, Origin, search
from app.curriculum import service as curriculum
from app.errors import DomainError
from app.extensions import db
from app.holidays import permissions as holiday_permissions
from app.timeutil import local_to_utc, to_local, utcnow
from app.web.forms import carried_out
from app.web.rendering import is_htmx, render
from app.web.templating import distance
from app.web.templating import local_date as format_date

bp = Blueprint("catalogue", __name__)

ACTIVITY_STATUSES = {
    "draft": _l("Draft"),
    "published": _l("Published"),
    "archived": _l("Archived"),
}
SLOT_STATUSES = {"open": _l("Open"), "cancelled": _l("Cancelled")}


@bp.context_processor
def status_labels():
    return {"status_labels": ACTIVITY_STATUSES, "slot_status_labels": SLOT_STATUSES}


# Where a service's field names appear in these forms.
SLOT_FIELDS = {"starts_at": "day", "ends_at": "end"}
SERIES_FIELDS = {"starts_at": "first_day", "ends_at": "end"}


def flash_warnings(warnings: list[str]) -> None:
    for warning in warnings:
        flash(warning, "warning")


# --- loaders: 404 before any work ----------------------------------------------------


def get_managed_company_or_404(company_id: int) -> Organisation:
    company = db.session.get(Organisation, company_id)
    if company is None or not permissions.can_manage_activities_of(current_user, company):
        abort(404)
    return company


def get_managed_activity_or_404(activity_id: int) -> Activity:
    activity = db.session.get(Activity, activity_id)
    if activity is None or not permissions.can_manage_activity(current_user, activity):
        abort(404)
    return activity


def get_managed_slot_or_404(slot_id: int) -> Slot:
    slot = db.session.get(Slot, slot_id)
    if slot is None or not permissions.can_manage_slot(current_user, slot):
        abort(404)
    return slot


def local_instant(day, clock) -> datetime:
    return local_to_utc(datetime.combine(day, clock))


# --- the public catalogue ------------------------------------------------------------


class SchoolLocation(NamedTuple):
    id: int
    name: str
    city: str
    latitude: float
    longitude: float


# Built once: this runs on every catalogue request of a teacher, and building
# the statement would cost more than running it.
_SCHOOLS_WITH_LOCATION = (
    select(
        Organisation.id,
        Organisation.name,
        Organisation.city,
        Organisation.latitude,
        Organisation.longitude,
    )
    .join(Membership, Membership.organisation_id == Organisation.id)
    .where(
        Membership.user_id == bindparam("user_id"),
        Organisation.kind == "school",
        Organisation.latitude.is_not(None),
        Organisation.longitude.is_not(None),
    )
    .order_by(Membership.id)
)


def _schools_with_location() -> list[SchoolLocation]:
    """The signed-in teacher's school locations that distances can start from,
    in the order of their memberships (columns, not Organisation objects)."""
    if not current_user.is_authenticated:
        return []
    return [
        SchoolLocation(*row)
        for row in db.session.execute(_SCHOOLS_WITH_LOCATION, {"user_id": current_user.id})
    ]


CATALOGUE = "catalogue/index.html"


@bp.get("/catalogue")
def index():
    """The catalogue, from the cache of app/catalogue/cache.py where it can be."""
    version = catalogue_cache.current_version()  # before any search: see cache.py
    return _catalogue(version)


def _catalogue(version: int | None):
    """The page, or for htmx its results block, made of cached blocks: the
    results, and the filter form with the results; around them what belongs to
    the person (navigation, messages, CSRF token) is rendered every time."""
    filters = Filters.from_args(request.args)
    schools = _schools_with_location()
    chosen = request.args.get("school", type=int)
    school = next((s for s in schools if s.id == chosen), schools[0] if schools else None)
    origin = Origin(school.latitude, school.longitude) if school else None
    # The school choice rides along in every link, like the filters.
    extra = {"school": school.id} if school is not None and len(schools) > 1 else {}
    can_edit_holidays = holiday_permissions.can_edit_holidays(current_user)
    htmx = is_htmx()
    # Everything besides the catalogue's rows that shapes the cached HTML.
    shape = (
        str(get_locale()),
        filters.key(),
        (school.id, origin.latitude, origin.longitude) if origin else None,
        tuple(extra.items()),
    )

    def results() -> Markup:
        return Markup(
            catalogue_cache.cached(
                ("results", htmx, *shape),
                version,
                lambda: _results_block(filters, origin, school, extra, out_of_band=htmx),
            )
        )

    if htmx:
        return _html_response(results())
    filters_and_results = catalogue_cache.cached(
        ("catalogue", *shape, tuple((s.id, s.name, s.city) for s in schools), can_edit_holidays),
        version,
        lambda: render_block(
            CATALOGUE,
            "catalogue",
            filters=filters,
            schools=schools,
            school=school,
            can_edit_holidays=can_edit_holidays,
            tag_entries=curriculum.entries_by_kind(current_only=True),
            results_html=results(),
            filter_errors=FILTER_ERRORS,
        ),
    )
    return render(
        CATALOGUE, catalogue_html=Markup(filters_and_results), map_view=filters.view == "map"
    )


# What the catalogue says beside a filter it could not read (Filters.errors).
FILTER_ERRORS = {
    "date": _l("This is not a date. Choose one in the calendar, or write it as 2026-09-14."),
    "before_start": _l("The end of the period lies before its start; the end is left out."),
    "distance": _l("Give the distance as a number of kilometres above 0."),
}


class Chip(NamedTuple):
    label: str
    args: dict  # the catalogue's query string without this filter
    name: str


def chips(filters: Filters, school) -> list[Chip]:
    """The chosen filters, each as a chip whose link removes it."""
    found = [
        Chip(str(words[code]), filters.without(name, code), name)
        for name, words in Filters.LISTS.items()
        for code in getattr(filters, name)
    ]
    if any(getattr(filters, name) for name in Filters.TAGS):
        named = curriculum.entries_by_kind()
        for name in Filters.TAGS:
            labels = {entry.code: entry.label for entry in named[name]}
            found.extend(
                Chip(labels.get(code, code), filters.without(name, code), name)
                for code in getattr(filters, name)
            )
    if filters.q:
        found.append(Chip(f"“{filters.q}”", filters.without("q"), "q"))
    if filters.date_from:
        found.append(
            Chip(
                _("from %(day)s", day=format_date(filters.date_from)),
                filters.without("date_from"),
                "date_from",
            )
        )
    if filters.date_to:
        found.append(
            Chip(
                _("until %(day)s", day=format_date(filters.date_to)),
                filters.without("date_to"),
                "date_to",
            )
        )
    if filters.free:
        found.append(Chip(_("with free places"), filters.without("free"), "free"))
    if filters.max_km and school is not None:
        found.append(
            Chip(
                _("within %(distance)s", distance=distance(filters.max_km)),
                filters.without("max_km"),
                "max_km",
            )
        )
    return found


def _html_response(html: str):
    """A cached page or block as render() would have answered it."""
    response = make_response(html)
    response.vary.update(("HX-Request", "Accept-Language"))
    return response


def _results_block(
    filters: Filters, origin: Origin | None, school, extra: dict, *, out_of_band: bool
) -> str:
    page = search(filters, origin)

    def url(**args) -> str:
        return url_for("catalogue.index", **args, **extra)

    return render_block(
        CATALOGUE,
        "result_list",
        page=page,
        filters=filters,
        chips=chips(filters, school),
        school=school,
        url=url,
        out_of_band=out_of_band,
        filter_errors=FILTER_ERRORS,
        map_tiles=current_app.config["MAP_TILES_URL"],
        kind_labels={code: str(label) for code, label in vocabulary.ACTIVITY_KINDS.items()},
        prev_url=url(**filters.to_args(page=page.page - 1)) if page.page > 1 else None,
        next_url=url(**filters.to_args(page=page.page + 1)) if page.has_next else None,
    )


@bp.get("/activities/<int:activity_id>")
def activity(activity_id: int):
    activity = db.session.get(Activity, activity_id, options=[joinedload(Activity.company)])
    if activity is None or not permissions.can_view_activity(current_user, activity):
        abort(404)
    slots = list(
        db.session.scalars(
            select(Slot)
            .where(
                Slot.activity_id == activity.id, Slot.status == "open", Slot.starts_at > utcnow()
            )
            .order_by(Slot.starts_at, Slot.id)
        )
    )
    return render(
        "catalogue/activity.html",
        activity=activity,
        slots=slots,
        bookable=permissions.is_public(activity),
        can_manage=permissions.can_manage_activity(current_user, activity),
        tags=curriculum.named_tags(activity.id),
        tag_headings=TAG_HEADINGS,
    )


# How the activity page heads each dimension of its curriculum tags.
TAG_HEADINGS = {
    "module": _l("Profile modules"),
    "keuzevak": _l("Keuzevakken"),
    "skill": _l("Skills"),
    "competence": _l("Career competences"),
}


# --- the company's own activities ----------------------------------------------------


@bp.get("/our-activities")
@login_required
def my_activities():
    companies = permissions.companies_managed_by(current_user)
    if not companies:
        abort(403)
    activities = list(
        db.session.scalars(
            select(Activity)
            .where(Activity.company_id.in_([c.id for c in companies]))
            .order_by(Activity.title, Activity.id)
        )
    )
    upcoming = dict(
        db.session.execute(
            select(Slot.activity_id, func.count())
            .join(Slot.activity)
            .where(
                Activity.company_id.in_([c.id for c in companies]),
                Slot.status == "open",
                Slot.starts_at > utcnow(),
            )
            .group_by(Slot.activity_id)
        ).all()
    )
    return render(
        "catalogue/my_activities.html",
        companies=companies,
        activities=activities,
        upcoming=upcoming,
    )


@bp.route("/companies/<int:company_id>/activities/new", methods=["GET", "POST"])
@login_required
def new_activity(company_id: int):
    company = get_managed_company_or_404(company_id)
    form = forms.ActivityForm(contact_id=current_user.id)
    form.set_contacts(company)
    form.set_tag_choices()
    outcome = carried_out(
        form, lambda: service.create_activity(company, form.values(), current_user)
    )
    if outcome:
        flash(_("The activity is saved as a draft. Add its dates, then publish it."), "success")
        return redirect(url_for("catalogue.slots", activity_id=outcome.value.id))
    return render(
        "catalogue/activity_form.html",
        form=form,
        company=company,
        activity=None,
        status=outcome.status,
    )


@bp.get("/companies/<int:company_id>/activities/tag-options")
@login_required
def tag_options(company_id: int):
    """The form's module and keuzevak lists again, for the profiles ticked so
    far (htmx, when the profiles change): the suggested ones first."""
    get_managed_company_or_404(company_id)
    form = forms.ActivityForm(formdata=request.args, meta={"csrf": False})
    form.set_tag_choices()
    return _html_response(render_block("catalogue/activity_form.html", "tag_options", form=form))


@bp.route("/activities/<int:activity_id>/edit", methods=["GET", "POST"])
@login_required
def edit_activity(activity_id: int):
    activity = get_managed_activity_or_404(activity_id)
    form = forms.ActivityForm(obj=activity, **curriculum.tags_of(activity.id))
    form.set_contacts(activity.company)
    form.set_tag_choices()
    if carried_out(form, lambda: service.update_activity(activity, form.values(), current_user)):
        flash(_("The changes are saved."), "success")
        return redirect(url_for("catalogue.slots", activity_id=activity.id))
    return render(
        "catalogue/activity_form.html",
        form=form,
        company=activity.company,
        activity=activity,
        status=422 if request.method == "POST" else 200,
    )


@bp.post("/activities/<int:activity_id>/publish")
@login_required
def publish(activity_id: int):
    activity = get_managed_activity_or_404(activity_id)
    try:
        service.publish_activity(activity, current_user)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(_("%(title)s is in the catalogue.", title=activity.title), "success")
    return redirect(url_for("catalogue.slots", activity_id=activity.id), code=303)


@bp.post("/activities/<int:activity_id>/archive")
@login_required
def archive(activity_id: int):
    activity = get_managed_activity_or_404(activity_id)
    service.archive_activity(activity, current_user)
    db.session.commit()
    flash(
        _(
            "%(title)s is archived: it left the catalogue; booked dates stay. You can "
            "restore it from the list of archived activities below.",
            title=activity.title,
        ),
        "success",
    )
    return redirect(url_for("catalogue.my_activities"), code=303)


@bp.post("/activities/<int:activity_id>/restore")
@login_required
def restore(activity_id: int):
    activity = get_managed_activity_or_404(activity_id)
    service.restore_activity(activity, current_user)
    db.session.commit()
    if activity.status == "published":
        flash(_("%(title)s is back in the catalogue.", title=activity.title), "success")
    else:
        flash(
            _("%(title)s is a draft again: publish it when it is ready.", title=activity.title),
            "success",
        )
    return redirect(url_for("catalogue.slots", activity_id=activity.id), code=303)


# --- slots ----------------------------------------------------------------------------


def _slots_page(activity: Activity, slot_form=None, series_form=None, status=200):
    slots = list(
        db.session.scalars(
            select(Slot).where(Slot.activity_id == activity.id).order_by(Slot.starts_at, Slot.id)
        )
    )
    now = utcnow()
    return render(
        "catalogue/slots.html",
        activity=activity,
        upcoming=[s for s in slots if s.starts_at > now],
        past=[s for s in slots if s.starts_at <= now],
        slot_form=slot_form or forms.SlotForm(prefix="slot", formdata=None),
        series_form=series_form or forms.SeriesForm(prefix="series", formdata=None),
        status=status,
    )


@bp.get("/activities/<int:activity_id>/slots")
@login_required
def slots(activity_id: int):
    return _slots_page(get_managed_activity_or_404(activity_id))


@bp.post("/activities/<int:activity_id>/slots")
@login_required
def add_slot(activity_id: int):
    activity = get_managed_activity_or_404(activity_id)
    form = forms.SlotForm(prefix="slot")
    outcome = carried_out(
        form,
        lambda: service.add_slot(
            activity,
            local_instant(form.day.data, form.start.data),
            local_instant(form.day.data, form.end.data),
            form.capacity.data,
            current_user,
        ),
        aliases=SLOT_FIELDS,
    )
    if outcome:
        flash_warnings(outcome.value.warnings)
        flash(_("The date is added."), "success")
        return redirect(url_for("catalogue.slots", activity_id=activity.id), code=303)
    return _slots_page(activity, slot_form=form, status=422)


@bp.post("/activities/<int:activity_id>/slots/series")
@login_required
def add_series(activity_id: int):
    activity = get_managed_activity_or_404(activity_id)
    form = forms.SeriesForm(prefix="series")
    outcome = carried_out(
        form,
        lambda: service.add_slot_series(
            activity,
            first_day=form.first_day.data,
            last_day=form.last_day.data,
            weekdays=set(form.weekdays.data or ()),
            start=form.start.data,
            end=form.end.data,
            capacity=form.capacity.data,
            skip_holidays=form.skip_holidays.data,
            actor=current_user,
        ),
        aliases=SERIES_FIELDS,
    )
    if outcome:
        series = outcome.value  # the dates added and the warnings about them
        flash_warnings(series.warnings)
        flash(
            ngettext(
                "%(n)d date is added.",
                "%(n)d dates are added.",
                len(series.value),
                n=len(series.value),
            ),
            "success",
        )
        return redirect(url_for("catalogue.slots", activity_id=activity.id), code=303)
    return _slots_page(activity, series_form=form, status=422)


@bp.route("/slots/<int:slot_id>/reschedule", methods=["GET", "POST"])
@login_required
def reschedule_slot(slot_id: int):
    slot = get_managed_slot_or_404(slot_id)
    start, end = to_local(slot.starts_at), to_local(slot.ends_at)
    form = forms.RescheduleForm(
        day=start.date(), start=start.time(), end=end.time(), capacity=slot.capacity
    )
    outcome = carried_out(
        form,
        lambda: service.reschedule_slot(
            slot,
            current_user,
            starts_at=local_instant(form.day.data, form.start.data),
            ends_at=local_instant(form.day.data, form.end.data),
            capacity=form.capacity.data,
            reason=(form.reason.data or "").strip(),
        ),
        aliases=SLOT_FIELDS,
    )
    if outcome:
        flash_warnings(outcome.value.warnings)
        flash(_("The date is changed; the schools that booked it are told."), "success")
        return redirect(url_for("catalogue.slots", activity_id=slot.activity_id), code=303)
    return render(
        "catalogue/slot_change.html",
        slot=slot,
        form=form,
        action="reschedule",
        status=422 if request.method == "POST" else 200,
    )


@bp.route("/slots/<int:slot_id>/cancel", methods=["GET", "POST"])
@login_required
def cancel_slot(slot_id: int):
    slot = get_managed_slot_or_404(slot_id)
    if slot.is_cancelled:
        flash(_("This date is already cancelled."), "info")
        return redirect(url_for("catalogue.slots", activity_id=slot.activity_id), code=303)
    form = forms.CancelSlotForm()
    if carried_out(form, lambda: service.cancel_slot(slot, form.reason.data or "", current_user)):
        flash(_("The date is cancelled; the schools that booked it are told."), "success")
        return redirect(url_for("catalogue.slots", activity_id=slot.activity_id), code=303)
    return render(
        "catalogue/slot_change.html",
        slot=slot,
        form=form,
        action="cancel",
        status=422 if request.method == "POST" else 200,
    )
