"""The dashboard (reach, coverage, evaluations), the lists behind its figures,
and their CSV and XLSX exports.

The school year and the filters live in the query string: the filter form
works as a plain GET form, and with htmx it swaps only the figures and pushes
the URL, so a dashboard can be bookmarked, shared and exported as shown."""

from __future__ import annotations

from flask import Blueprint, Response, abort, request
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from app import vocabulary
from app.accounts.models import Organisation
from app.catalogue.models import Slot
from app.extensions import db
from app.insights import cache, charts, export, formatting, permissions, service, tables
from app.insights.facts import rebuild
from app.insights.filters import Filters, SchoolYear, school_year_from_args
from app.web.rendering import render

bp = Blueprint("insights", __name__, url_prefix="/insights", cli_group="insights")

PER_PAGE = 50


@bp.context_processor
def number_formats():
    return {**formatting.helpers(), "DIMENSIONS": service.DIMENSIONS}


def _scope_or_404():
    if not permissions.can_view_insights(current_user):
        abort(404)
    return permissions.scope_for(current_user)


# Every status a slot can have (the check constraint on slot.status).
SLOT_STATUSES = ("open", "cancelled")


def school_years() -> list[SchoolYear]:
    """The school years that have slots, and always this one and the last.

    The first and last start are read per status from the ends of slot
    (status, starts_at), one probe each: min() and max() over all slots read
    that whole index (60 ms at national scale, on every dashboard request),
    and an index on starts_at alone would lure the planner into walking all
    slots in date order for "Mijn boekingen" (docs/PERFORMANCE.md)."""
    ends = db.session.execute(
        select(
            *(
                select(Slot.starts_at)
                .where(Slot.status == status)
                .order_by(order)
                .limit(1)
                .scalar_subquery()
                for status in SLOT_STATUSES
                for order in (Slot.starts_at, Slot.starts_at.desc())
            )
        )
    ).one()
    found = [end for end in ends if end is not None]
    first, last = (min(found), max(found)) if found else (None, None)
    current = SchoolYear.current()
    low = min(
        SchoolYear.containing(first.date()).start if first else current.start, current.start - 1
    )
    high = max(SchoolYear.containing(last.date()).start if last else current.start, current.start)
    return [SchoolYear(y) for y in range(high, low - 1, -1)]


def _page_number() -> int:
    try:
        return max(1, min(int(request.args.get("page", 1)), 100_000))
    except ValueError:
        return 1


def _scope_name(scope) -> str:
    if scope.is_region:
        return _("the whole region")
    names = db.session.scalars(
        select(Organisation.name)
        .where(Organisation.id.in_((scope.school_ids or ()) + (scope.company_ids or ())))
        .order_by(Organisation.name)
    ).all()
    return ", ".join(names)


def _context(scope):
    school_year = school_year_from_args(request.args)
    filters = Filters.from_args(request.args)
    return (
        school_year,
        filters,
        {
            "school_year": school_year,
            "filters": filters,
            "scope": scope,
            "scope_name": _scope_name(scope),
            "school_years": school_years(),
            "vocabulary": vocabulary,
            "query": _query(school_year, filters),
        },
    )


def _query(school_year: SchoolYear, filters: Filters):
    """Query-string arguments for a link to a list or an export of these figures."""

    def make(changed: Filters | None = None, **extra):
        args = {"school_year": str(school_year.start), **(changed or filters).to_args()}
        args.update({k: v for k, v in extra.items() if v is not None})
        return args

    return make


@bp.get("")
@login_required
def dashboard():
    """The first paint waits only for the reach and evaluation figures; the
    coverage and the confirmed groups still to come are shown when this
    process has them (app/insights/cache.py), and otherwise load after it."""
    scope = _scope_or_404()
    school_year, filters, context = _context(scope)
    found = service.figures(scope, school_year, filters)
    kept = {name: cache.kept(_panel_key(name, scope, filters), school_year) for name in PANELS}
    return render(
        "insights/dashboard.html",
        block="figures",
        reach=found.reach,
        evaluations=found.evaluations,
        **{name: None if value is cache.MISSING else value for name, value in kept.items()},
        chart=lambda b: charts.breakdown_chart(b, school_year),
        programme_schools=[
            o for o in permissions.own_organisations(current_user) if o.kind == "school"
        ],
        **context,
    )


PANELS = ("coverage", "planned")


def _panel_key(name: str, scope, filters: Filters):
    # Coverage ignores the filters (the page says so); the groups still to come follow them.
    return (name, scope) if name == "coverage" else (name, scope, filters)


@bp.get("/panels/<any(coverage, planned):name>")
@login_required
def panel(name: str):
    scope = _scope_or_404()
    school_year, filters, context = _context(scope)
    if name == "coverage":
        value = cache.keep(
            _panel_key(name, scope, filters),
            school_year,
            lambda: service.coverage(scope, school_year, limit=10),
        )
    else:
        value = cache.keep(
            _panel_key(name, scope, filters),
            school_year,
            lambda: service.planned(scope, school_year, filters),
        )
    return render("insights/panel.html", block="panel", name=name, **{name: value}, **context)


@bp.get("/bookings")
@login_required
def bookings():
    scope = _scope_or_404()
    school_year, filters, context = _context(scope)
    page = service.participations(
        scope, school_year, filters, page=_page_number(), per_page=PER_PAGE
    )
    return render("insights/bookings.html", block="results", page=page, **context)


@bp.get("/evaluations")
@login_required
def evaluations():
    scope = _scope_or_404()
    school_year, filters, context = _context(scope)
    page = service.evaluations(scope, school_year, filters, page=_page_number(), per_page=PER_PAGE)
    return render("insights/evaluations.html", block="results", page=page, **context)


@bp.get("/<any(schools, companies):listing>")
@login_required
def organisations(listing: str):
    scope = _scope_or_404()
    school_year, filters, context = _context(scope)
    rows = service.by_organisation(
        "school" if listing == "schools" else "company", scope, school_year, filters
    )
    return render("insights/organisations.html", listing=listing, rows=rows, **context)


@bp.get("/coverage/<any(idle_schools, idle_companies):which>")
@login_required
def coverage(which: str):
    scope = _scope_or_404()
    school_year, _filters, context = _context(scope)
    found = service.coverage(scope, school_year)
    rows = found.idle_schools if which == "idle_schools" else found.idle_companies
    return render("insights/coverage.html", which=which, rows=rows, coverage=found, **context)


@bp.get("/export/<name>.<any(csv, xlsx):fmt>")
@login_required
def export_table(name: str, fmt: str):
    scope = _scope_or_404()
    if name not in tables.TABLES:
        abort(404)
    school_year = school_year_from_args(request.args)
    table = tables.build(name, scope, school_year, Filters.from_args(request.args))
    if fmt == "csv":
        body, mimetype = export.to_csv(table), "text/csv; charset=utf-8"
    else:
        body = export.to_xlsx(table)
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    filename = f"techniekpoort-{name}-{school_year.start}-{school_year.start + 1}.{fmt}"
    return Response(
        body,
        mimetype=mimetype,
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "private, no-store",
        },
    )


@bp.cli.command("rebuild")
def rebuild_command():
    """Write the reach figures' facts again from the bookings and evaluations
    (after loading data that bypassed the services)."""
    import click

    count = rebuild()
    db.session.commit()
    click.echo(f"{count} reach facts written.")
