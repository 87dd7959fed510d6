"""The coordinators' page for the school holidays of each region (reference data)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from app import vocabulary
from app.errors import DomainError
from app.extensions import db
from app.holidays import permissions, service
from app.holidays.forms import HolidayForm
from app.holidays.models import SchoolHoliday
from app.web.rendering import render

bp = Blueprint("holidays", __name__)


def _require_editor() -> None:
    if not permissions.can_edit_holidays(current_user):
        abort(403)


def _page(region: str, form: HolidayForm, status: int = 200):
    holidays = list(
        db.session.scalars(
            select(SchoolHoliday)
            .where(SchoolHoliday.region == region)
            .order_by(SchoolHoliday.start_date.desc())
        )
    )
    return render("holidays/index.html", region=region, holidays=holidays, form=form, status=status)


def _region(value: str | None) -> str:
    return value if value in vocabulary.HOLIDAY_REGIONS else "noord"


@bp.get("/holidays")
@login_required
def index():
    _require_editor()
    region = _region(request.args.get("region"))
    return _page(region, HolidayForm(region=region))


@bp.post("/holidays")
@login_required
def add():
    _require_editor()
    form = HolidayForm()
    region = _region(form.region.data)
    if form.validate_on_submit():
        try:
            holiday = service.add_holiday(
                form.region.data, form.name.data, form.start_date.data, form.end_date.data
            )
        except DomainError as error:
            db.session.rollback()
            target = form._fields.get(error.field) if error.field else None
            (target.errors.append if target is not None else form.form_errors.append)(error.message)
        else:
            db.session.commit()
            flash(_("%(name)s is added.", name=holiday.name), "success")
            return redirect(url_for("holidays.index", region=holiday.region), code=303)
    return _page(region, form, status=422)


@bp.post("/holidays/<int:holiday_id>/delete")
@login_required
def delete(holiday_id: int):
    _require_editor()
    holiday = db.session.get(SchoolHoliday, holiday_id)
    if holiday is None:
        abort(404)
    region, name = holiday.region, holiday.name
    service.delete_holiday(holiday)
    db.session.commit()
    flash(_("%(name)s is deleted.", name=name), "success")
    return redirect(url_for("holidays.index", region=region), code=303)
