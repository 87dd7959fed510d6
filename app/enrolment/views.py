"""A school location's pupil numbers page, and the coordinators' import of
the region's numbers from DUO's open data (a preview first, then the import)."""

from __future__ import annotations

import base64
import binascii

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from app import vocabulary
from app.accounts.models import Organisation
from app.curriculum.service import offer_of
from app.enrolment import duo, permissions, service
from app.enrolment.forms import EnrolmentForm, ImportForm, cell_name
from app.errors import DomainError
from app.extensions import db
from app.insights.filters import school_year_from_args
from app.school_year import SchoolYear
from app.web.rendering import render

bp = Blueprint("enrolment", __name__)


def get_location_or_404(location_id: int) -> Organisation:
    location = db.session.get(Organisation, location_id)
    if location is None or location.kind != "school":
        abort(404)
    if not permissions.can_enter_enrolment(current_user, location):
        abort(404)  # another school's numbers do not exist for this person
    return location


def _profiles(location: Organisation, school_year: SchoolYear, numbers: dict) -> list[str]:
    """The profiles the page asks numbers for: those the location offers
    (its offer for the year, or its own list), and any it has numbers of;
    all ten while it names none."""
    named = set(offer_of(location.id, school_year)["profile"]) | set(location.profiles or ())
    named |= {profile for (_y, _p, profile) in numbers if profile}
    return [code for code in vocabulary.PROFILES if code in named] or list(vocabulary.PROFILES)


def _years() -> list[SchoolYear]:
    current = SchoolYear.current()
    return [current.previous, current, SchoolYear(current.start + 1)]


@bp.route("/schools/<int:location_id>/enrolment", methods=["GET", "POST"])
@login_required
def location(location_id: int):
    location = get_location_or_404(location_id)
    school_year = school_year_from_args(request.values)
    numbers = service.enrolment_of(location.id, school_year)
    profiles = _profiles(location, school_year, numbers)
    cells = service.cells_allowed(profiles)
    form = EnrolmentForm()
    errors: dict[str, str] = {}
    posted: dict = {}
    status = 200
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        given, errors = form.numbers(cells, request.form)
        posted = request.form
        if not errors:
            try:
                total = service.set_enrolment(current_user, location, school_year, given)
            except DomainError as error:
                db.session.rollback()
                errors[error.field or ""] = error.message
            else:
                db.session.commit()
                flash(
                    ngettext(
                        "The pupil numbers for %(year)s are saved: %(num)d pupil.",
                        "The pupil numbers for %(year)s are saved: %(num)d pupils.",
                        total,
                        year=school_year.label,
                    ),
                    "success",
                )
                return redirect(
                    url_for(
                        "enrolment.location", location_id=location.id, school_year=school_year.start
                    ),
                    code=303,
                )
        status = 422
    return render(
        "enrolment/location.html",
        location=location,
        school_year=school_year,
        school_years=_years(),
        numbers=numbers,
        profiles=profiles,
        form=form,
        errors=errors,
        posted=posted,
        cell_name=cell_name,
        vocabulary=vocabulary,
        status=status,
    )


def _import_form() -> ImportForm:
    form = ImportForm()
    form.school_year.choices = [(str(y.start), y.label) for y in _years()]
    if not form.school_year.data:
        form.school_year.data = str(SchoolYear.current().start)
    return form


def _uploaded(form: ImportForm) -> bytes | None:
    """The file chosen, or the one carried back from the preview."""
    upload = request.files.get("file")
    if upload and upload.filename:
        return upload.read(duo.MOST_BYTES + 1)
    if form.content.data:
        try:
            return base64.b64decode(form.content.data, validate=True)
        except (binascii.Error, ValueError):
            return None
    return None


@bp.route("/enrolment/import", methods=["GET", "POST"])
@login_required
def import_file():
    if not permissions.can_import_enrolment(current_user):
        abort(404)
    form = _import_form()
    if request.method == "GET":
        return render("enrolment/import.html", form=form, preview=None, layout=duo.LAYOUT)
    if not form.validate_on_submit():
        return render(
            "enrolment/import.html", form=form, preview=None, layout=duo.LAYOUT, status=422
        )
    school_year = SchoolYear(int(form.school_year.data))
    data = _uploaded(form)
    if data is None:
        form.file.errors = [_("Choose the CSV file to import.")]
        return render(
            "enrolment/import.html", form=form, preview=None, layout=duo.LAYOUT, status=422
        )
    if request.form.get("action") == "import":
        try:
            done = service.import_enrolment(current_user, data, school_year)
        except DomainError as error:
            db.session.rollback()
            form.file.errors = [error.message]
        else:
            db.session.commit()
            flash(
                ngettext(
                    "Imported for %(year)s: the pupil numbers of %(num)d location.",
                    "Imported for %(year)s: the pupil numbers of %(num)d locations.",
                    len(done.locations),
                    year=school_year.label,
                ),
                "success",
            )
            return redirect(url_for("enrolment.import_file"), code=303)
    preview = service.preview_import(data, school_year)
    form.content.data = base64.b64encode(data).decode("ascii")
    return render(
        "enrolment/import.html",
        form=form,
        preview=preview,
        school_year=school_year,
        layout=duo.LAYOUT,
        status=200 if preview.can_import else 422,
    )
