"""The dashboard's tables as rows of plain values, for the CSV and XLSX
exports (and the annual report's appendices). Column names are translated;
values are what the dashboard shows."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app import vocabulary
from app.accounts.models import Organisation
from app.extensions import db
from app.insights import service
from app.insights.export import Table
from app.insights.filters import Filters, SchoolYear, Scope
from app.timeutil import to_local

TABLES = {
    "reach": _l("Reach"),
    **{name: label for name, label in service.DIMENSIONS.items()},
    "schools": _l("Schools"),
    "companies": _l("Companies"),
    "idle_schools": _l("Schools without activity"),
    "idle_companies": _l("Companies with offers but no bookings"),
    "hybrid_hours": _l("Hybrid-teacher hours per school"),
    "ratings_kind": _l("Ratings by kind"),
    "ratings_sector": _l("Ratings by sector"),
    "bookings": _l("Groups that took part"),
    "evaluations": _l("Evaluations"),
}


def _average(value):
    return "" if value is None else value


def build(name: str, scope: Scope, school_year: SchoolYear, filters: Filters) -> Table:
    title = f"{TABLES[name]} {school_year.label}"
    this, last = school_year.label, school_year.previous.label
    if name == "reach":
        current, previous = service.totals(scope, school_year, filters)
        figures = [
            (_("Students"), "students"),
            (_("Students booked"), "booked"),
            (_("Groups"), "groups"),
            (_("Schools"), "schools"),
            (_("Companies"), "companies"),
            (_("Groups evaluated by the school"), "evaluated_by_school"),
            (_("Groups evaluated by the company"), "evaluated_by_company"),
        ]
        return Table(
            name,
            title,
            [_("Figure"), this, last],
            [[label, getattr(current, a), getattr(previous, a)] for label, a in figures],
        )
    if name in service.DIMENSIONS:
        breakdown = service.breakdown(name, scope, school_year, filters)
        return Table(
            name,
            title,
            [
                breakdown.title,
                _("Students"),
                _("Groups"),
                _("Schools"),
                _("Students %(year)s", year=last),
                _("Change"),
            ],
            [
                [r.label, r.students, r.groups, r.schools, r.previous, r.change]
                for r in breakdown.rows
            ],
        )
    if name in ("schools", "companies"):
        kind = "school" if name == "schools" else "company"
        rows = service.by_organisation(kind, scope, school_year, filters)
        return Table(
            name,
            title,
            [_("Name"), _("Town"), _("Students"), _("Groups"), _("Students %(year)s", year=last)],
            [[r.name, r.city, r.students, r.groups, r.previous] for r in rows],
        )
    if name in ("idle_schools", "idle_companies"):
        query = (
            service.idle_schools_query if name == "idle_schools" else service.idle_companies_query
        )(scope, school_year)

        rows = db.session.scalars(query.order_by(Organisation.city, Organisation.name))
        return Table(
            name,
            title,
            [_("Name"), _("Town"), _("Postcode")],
            [[o.name, o.city, o.postcode] for o in rows],
        )
    if name == "hybrid_hours":
        rows = service.hybrid_hours(scope, school_year)
        return Table(
            name,
            title,
            [_("School"), _("Town"), _("Hours a week"), _("Placements")],
            [[r.name, r.city, r.hours_per_week, r.placements] for r in rows],
        )
    if name in ("ratings_kind", "ratings_sector"):
        summary = service.evaluation_summary(scope, school_year, filters)
        rows = summary.by_kind if name == "ratings_kind" else summary.by_sector
        return Table(
            name,
            title,
            [
                _("Kind of activity") if name == "ratings_kind" else _("Sector"),
                _("Evaluations by schools"),
                _("Average rating by schools"),
                _("Evaluations by companies"),
                _("Average rating by companies"),
            ],
            [
                [
                    r.label,
                    r.school_count,
                    _average(r.school_average),
                    r.company_count,
                    _average(r.company_average),
                ]
                for r in rows
            ],
        )
    if name == "bookings":
        page = service.participations(scope, school_year, filters, per_page=None)
        return Table(
            name,
            title,
            [
                _("Date"),
                _("Activity"),
                _("Kind of activity"),
                _("Company"),
                _("School"),
                _("Town"),
                _("Class year"),
                _("Learning path"),
                _("Profile"),
                _("Students booked"),
                _("Students counted"),
                _("Rating by the school"),
                _("Rating by the company"),
            ],
            [
                [
                    to_local(p.booking.slot.starts_at).strftime("%Y-%m-%d %H:%M"),
                    p.booking.slot.activity.title,
                    str(vocabulary.ACTIVITY_KINDS[p.booking.slot.activity.kind]),
                    p.booking.slot.activity.company.name,
                    p.booking.school.name,
                    p.booking.school.city,
                    p.booking.year,
                    p.booking.path,
                    p.booking.profile or "",
                    p.booking.group_size,
                    p.students,
                    p.school_rating or "",
                    p.company_rating or "",
                ]
                for p in page.items
            ],
        )
    if name == "evaluations":
        page = service.evaluations(scope, school_year, filters, per_page=None)
        sides = {"school": _("School"), "company": _("Company")}
        return Table(
            name,
            title,
            [
                _("Date"),
                _("Activity"),
                _("Company"),
                _("School"),
                _("By"),
                _("Rating"),
                _("Students who took part"),
                _("What went well"),
                _("What could be better"),
            ],
            [
                [
                    to_local(e.booking.slot.starts_at).strftime("%Y-%m-%d"),
                    e.booking.slot.activity.title,
                    e.booking.slot.activity.company.name,
                    e.booking.school.name,
                    sides[e.side],
                    e.rating,
                    "" if e.students_attended is None else e.students_attended,
                    e.went_well,
                    e.could_be_better,
                ]
                for e in page.items
            ],
        )
    raise KeyError(name)
