"""Printable documents: a booking's confirmation and certificate, a
hybrid-teacher placement's agreement, a school's programme for the year, the
regional annual report. Each is a GET that answers a PDF; `?lang=nl|en`
chooses the language (default: the page's)."""

from __future__ import annotations

from flask import Blueprint, Response, abort, request, url_for
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from app import vocabulary
from app.accounts.models import Organisation
from app.bookings.models import HOLDING, Booking
from app.documents import permissions, service
from app.documents.render import LANGUAGES, render_pdf
from app.extensions import db
from app.insights import charts, formatting
from app.insights.filters import school_year_from_args
from app.locales import speaking
from app.placements.models import Placement
from app.timeutil import utcnow

bp = Blueprint("documents", __name__)

STATES = {
    "requested": _l("Requested"),
    "confirmed": _l("Confirmed"),
    "waitlisted": _l("On the waiting list"),
    "completed": _l("Took place"),
}


def _language() -> str:
    asked = request.args.get("lang")
    return asked if asked in LANGUAGES else get_locale().language


def _pdf(body: bytes, filename: str) -> Response:
    return Response(
        body,
        mimetype="application/pdf",
        headers={
            "Content-Disposition": f'inline; filename="{filename}"',
            # Documents hold names of people and organisations: not for shared caches.
            "Cache-Control": "private, no-store",
        },
    )


@bp.app_template_global()
def booking_downloads(booking: Booking) -> dict[str, bool]:
    """Which downloads the booking's own page offers (its reader may see the
    booking): the .ics of calendar.booking_ics while the group is expected,
    and the documents once they exist."""
    return {
        "calendar": booking.status in HOLDING and booking.slot.ends_at > utcnow(),
        "confirmation": service.has_confirmation(booking),
        "certificate": service.has_certificate(booking),
    }


@bp.app_template_global()
def has_placement_agreement(placement: Placement) -> bool:
    """Whether the placement's page links to its agreement (the page's reader
    may see the placement)."""
    return service.has_agreement(placement)


def get_booking_or_404(booking_id: int) -> Booking:
    booking = db.session.get(Booking, booking_id)
    if booking is None or not permissions.can_print_booking_documents(current_user, booking):
        abort(404)
    return booking


@bp.get("/bookings/<int:booking_id>/confirmation.pdf")
@login_required
def booking_confirmation(booking_id: int):
    booking = get_booking_or_404(booking_id)
    if not service.has_confirmation(booking):
        abort(404)
    body = render_pdf(
        "booking_confirmation.html", lang=_language(), booking=booking, printed_on=utcnow()
    )
    return _pdf(body, f"booking-{booking.id}.pdf")


@bp.get("/bookings/<int:booking_id>/certificate.pdf")
@login_required
def certificate(booking_id: int):
    booking = get_booking_or_404(booking_id)
    if not service.has_certificate(booking):
        abort(404)
    body = render_pdf(
        "certificate.html",
        lang=_language(),
        booking=booking,
        students=service.students_who_took_part(booking),
        printed_on=utcnow(),
    )
    return _pdf(body, f"certificate-{booking.id}.pdf")


@bp.get("/placements/<int:placement_id>/agreement.pdf")
@login_required
def placement_agreement(placement_id: int):
    placement = db.session.get(Placement, placement_id)
    if (
        placement is None
        or not permissions.can_print_placement_agreement(current_user, placement)
        or not service.has_agreement(placement)
    ):
        abort(404)
    body = render_pdf(
        "placement_agreement.html",
        lang=_language(),
        forms=True,
        placement=placement,
        printed_on=utcnow(),
        **service.placement_agreement(placement),
    )
    return _pdf(body, f"placement-agreement-{placement.id}.pdf")


@bp.get("/schools/<int:school_id>/programme.pdf")
@login_required
def programme(school_id: int):
    school = db.session.get(Organisation, school_id)
    if school is None or not permissions.can_print_programme(current_user, school):
        abort(404)
    school_year = school_year_from_args(request.args)
    body = render_pdf(
        "programme.html",
        lang=_language(),
        school=school,
        school_year=school_year,
        bookings=service.programme(school, school_year),
        states=STATES,
        printed_on=utcnow(),
    )
    return _pdf(body, f"programme-{school.id}-{school_year.start}.pdf")


@bp.get("/insights/report.pdf")
@login_required
def annual_report():
    if not permissions.can_print_annual_report(current_user):
        abort(404)
    school_year = school_year_from_args(request.args)
    lang = _language()
    with speaking(lang):
        # Labels (profiles, months, kinds) are resolved while gathering.
        context = service.annual_report(current_user, school_year)
        contents = _contents(context)
    body = render_pdf(
        "annual_report.html",
        lang=lang,
        school_year=school_year,
        contents=contents,
        chart=lambda b: charts.breakdown_chart(b, school_year, chart_prefix="report"),
        printed_on=utcnow(),
        vocabulary=vocabulary,
        # Each figure of coverage in pupils links to its groups on the dashboard.
        pupil_rows=lambda **filters: url_for(
            "insights.bookings", school_year=school_year.start, _external=True, **filters
        ),
        **formatting.helpers(),
        **context,
    )
    return _pdf(body, f"annual-report-{school_year.start}-{school_year.start + 1}.pdf")


def _contents(context) -> list[tuple[str, str, int]]:
    from flask_babel import gettext as _

    entries = [("summary", _("Summary"), 1), ("reach", _("Reach"), 1)]
    entries += [
        (f"reach-{name}", _("Students by %(dimension)s", dimension=b.title.lower()), 2)
        for name, b in context["reach"].breakdowns.items()
    ]
    entries += [
        ("coverage", _("Coverage"), 1),
        ("coverage-schools", _("Schools without activity"), 2),
        ("coverage-companies", _("Companies with offers but no bookings"), 2),
        ("coverage-pupils", _("Pupils who met technology"), 2),
        ("coverage-curriculum", _("Modules and keuzevakken that met no company"), 2),
        ("coverage-hybrid", _("Hybrid-teacher hours per school"), 2),
        ("evaluations", _("Evaluations"), 1),
        ("remarks", _("What participants wrote"), 2),
        ("schools", _("Appendix: schools"), 1),
        ("companies", _("Appendix: companies"), 1),
    ]
    return entries
