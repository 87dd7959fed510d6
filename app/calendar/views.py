"""The Calendar page (feeds to subscribe to), the feeds themselves, and the
"add to calendar" downloads of one booking or one slot."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from app.accounts.models import Organisation
from app.bookings.models import Booking
from app.calendar import forms, permissions, service, serving
from app.calendar.models import CalendarFeed
from app.catalogue.models import Slot
from app.errors import DomainError
from app.extensions import db
from app.web.forms import apply_domain_error
from app.web.rendering import is_htmx, render

bp = Blueprint("calendar", __name__)

CONTENT_TYPE = serving.CONTENT_TYPE


def get_feed_or_404(feed_id: int) -> CalendarFeed:
    feed = db.session.get(CalendarFeed, feed_id)
    if feed is None or feed.is_revoked or not permissions.can_manage_feed(current_user, feed):
        abort(404)
    return feed


def _base_url() -> str:
    from flask import current_app

    # The configured address, never the request's Host header.
    return current_app.config["BASE_URL"]


def _feed_form(*, submitted: bool) -> forms.FeedForm:
    coordinator = permissions.can_create_filtered_feed(current_user)
    form = (
        forms.FeedForm(prefix="feed") if submitted else forms.FeedForm(prefix="feed", formdata=None)
    )
    schools = companies = ()
    if coordinator:

        def of_kind(kind):
            return db.session.scalars(
                select(Organisation).where(Organisation.kind == kind).order_by(Organisation.name)
            ).all()

        schools, companies = of_kind("school"), of_kind("company")
    form.offer(
        organisations=service.organisations_for_feeds(current_user),
        coordinator=coordinator,
        schools=schools,
        companies=companies,
    )
    return form


def _page(form=None, *, status=200, block=None, trigger=None):
    base = _base_url()
    feeds = [(feed, *service.feed_urls(feed, base)) for feed in service.feeds_of(current_user)]
    return render(
        "calendar/index.html",
        block=block,
        trigger=trigger,
        status=status,
        feeds=feeds,
        form=form or _feed_form(submitted=False),
        htmx=is_htmx(),
    )


@bp.get("/calendar")
@login_required
def index():
    return _page()


@bp.post("/calendar/feeds")
@login_required
def create():
    form = _feed_form(submitted=True)
    if form.validate_on_submit():
        organisation = None
        if form.kind.data == "organisation" and form.organisation_id.data:
            organisation = db.session.get(Organisation, form.organisation_id.data)
        try:
            feed = service.create_feed(
                current_user,
                kind=form.kind.data,
                name=form.name.data or "",
                organisation=organisation,
                filters=form.filters(),
            )
        except DomainError as error:
            db.session.rollback()
            apply_domain_error(form, error)
        else:
            db.session.commit()
            flash(
                _("The calendar %(name)s is ready: copy its link below.", name=feed.name), "success"
            )
            if is_htmx():
                return _page(block="calendar", trigger="CalendarFeedsChanged")
            return redirect(url_for("calendar.index"), code=303)
    # htmx swaps only 2xx answers by default; the form with its errors must show.
    return _page(form, status=200 if is_htmx() else 422, block="calendar")


@bp.post("/calendar/feeds/<int:feed_id>/rotate")
@login_required
def rotate(feed_id: int):
    feed = get_feed_or_404(feed_id)
    service.rotate_feed(feed)
    db.session.commit()
    flash(
        _(
            "%(name)s has a new link. The old link no longer works: subscribe again with the "
            "new one.",
            name=feed.name,
        ),
        "success",
    )
    if is_htmx():
        return _page(block="calendar", trigger="CalendarFeedsChanged")
    return redirect(url_for("calendar.index"), code=303)


@bp.post("/calendar/feeds/<int:feed_id>/revoke")
@login_required
def revoke(feed_id: int):
    feed = get_feed_or_404(feed_id)
    service.revoke_feed(feed)
    db.session.commit()
    flash(_("The link of %(name)s no longer works.", name=feed.name), "success")
    if is_htmx():
        return _page(block="calendar", trigger="CalendarFeedsChanged")
    return redirect(url_for("calendar.index"), code=303)


# --- the feed itself ---------------------------------------------------------------------------


@bp.route("/calendar/<token>.ics", methods=["GET", "HEAD"])
def feed(token: str):
    """Clients send no cookies: the token is the key (rule 10). Polls are
    mostly answered before Flask (serving.FeedsFirst); this view answers the
    rest, the same way, and 404 for what no token opens."""
    found = serving.answer(
        token, request.headers.get("If-None-Match"), request.headers.get("If-Modified-Since")
    )
    if found is None:
        abort(404)
    # HEAD gets the headers of GET, Content-Length included; Werkzeug leaves
    # the body out (rule 9).
    return Response(found.body, status=found.status, headers=found.headers)


# --- one booking or one slot ("Zet in agenda") ------------------------------------------------


def _download(body: bytes, filename: str) -> Response:
    response = Response(body, content_type=CONTENT_TYPE)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/bookings/<int:booking_id>.ics")
@login_required
def booking_ics(booking_id: int):
    booking = db.session.get(Booking, booking_id)
    if booking is None or not permissions.can_download_booking(current_user, booking):
        abort(404)
    return _download(service.booking_ics(booking, current_user), f"booking-{booking.id}.ics")


@bp.get("/slots/<int:slot_id>.ics")
def slot_ics(slot_id: int):
    slot = db.session.get(Slot, slot_id)
    if slot is None or not permissions.can_download_slot(current_user, slot):
        abort(404)
    view = permissions.slot_view_for(current_user, slot)
    reader = current_user if current_user.is_authenticated else None
    return _download(service.slot_ics(slot, reader, view=view), f"slot-{slot.id}.ics")
