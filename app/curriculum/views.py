"""The curriculum's pages: the coordinators' reference entries, and a school
location's offer per school year."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.accounts.models import Organisation
from app.curriculum import permissions, service
from app.curriculum.forms import KIND_LABELS, EntryForm, OfferForm
from app.curriculum.models import CurriculumEntry
from app.errors import DomainError
from app.extensions import db
from app.school_year import SchoolYear
from app.web.forms import carried_out
from app.web.rendering import render

bp = Blueprint("curriculum", __name__)


def _school_or_404(location_id: int) -> Organisation:
    school = db.session.get(Organisation, location_id)
    if school is None or not permissions.can_view_offer(current_user, school):
        abort(404)
    return school


def _year_from(args) -> SchoolYear:
    """The school year asked for: this one, the previous or the next few."""
    current = SchoolYear.current()
    start = args.get("year", type=int)
    if start is None or not current.start - 1 <= start <= current.start + 2:
        return current
    return SchoolYear(start)


@bp.route("/schools/<int:location_id>/offer", methods=["GET", "POST"])
@login_required
def offer(location_id: int):
    """What a school location offers in a school year; its administrators change it."""
    school = _school_or_404(location_id)
    year = _year_from(request.values)
    stored = service.offer_of(school.id, year)
    can_edit = permissions.can_edit_offer(current_user, school)
    if request.method == "POST" and not can_edit:
        abort(403)
    form = OfferForm(
        data={"profiles": sorted(stored["profile"]), "keuzevakken": sorted(stored["keuzevak"])}
    )
    keuzevakken = service.entries("keuzevak")
    form.set_keuzevakken(keuzevakken, stored["keuzevak"])
    outcome = carried_out(
        form,
        lambda: service.set_offer(
            school, year, {"profile": form.profiles.data, "keuzevak": form.keuzevakken.data}
        ),
        aliases={"profile": "profiles", "keuzevak": "keuzevakken"},
    )
    if outcome:
        flash(_("The offer for %(year)s is saved.", year=year.label), "success")
        return redirect(
            url_for("curriculum.offer", location_id=school.id, year=year.start), code=303
        )
    current = SchoolYear.current()
    return render(
        "curriculum/offer.html",
        school=school,
        year=year,
        years=[SchoolYear(start) for start in range(current.start - 1, current.start + 3)],
        form=form,
        can_edit=can_edit,
        offer=stored,
        keuzevakken={e.code: e for e in keuzevakken},
        status=outcome.status,
    )


# --- the coordinators' reference entries -------------------------------------------


def _editor_or_403() -> None:
    if not permissions.can_edit_curriculum(current_user):
        abort(403)


def _entry_or_404(entry_id: int) -> CurriculumEntry:
    entry = db.session.get(CurriculumEntry, entry_id)
    if entry is None:
        abort(404)
    return entry


@bp.route("/curriculum", methods=["GET", "POST"])
@login_required
def entries():
    """Every entry by kind, with a form to add one."""
    _editor_or_403()
    form = EntryForm()
    outcome = carried_out(form, lambda: service.add_entry(current_user, form.values()))
    if outcome:
        flash(_("%(code)s is added.", code=outcome.value.code), "success")
        return redirect(url_for("curriculum.entries"), code=303)
    return render(
        "curriculum/entries.html",
        grouped=service.entries_by_kind(),
        kind_labels=KIND_LABELS,
        form=form,
        status=outcome.status,
    )


@bp.route("/curriculum/<int:entry_id>/edit", methods=["GET", "POST"])
@login_required
def edit_entry(entry_id: int):
    _editor_or_403()
    entry = _entry_or_404(entry_id)
    form = EntryForm(obj=entry)
    form.kind.render_kw = form.code.render_kw = {"disabled": True}
    form.kind.data, form.code.data = entry.kind, entry.code
    outcome = carried_out(
        form, lambda: service.edit_entry(current_user, entry, form.values()), reload=entry
    )
    if outcome:
        flash(_("%(code)s is saved.", code=entry.code), "success")
        return redirect(url_for("curriculum.entries"), code=303)
    return render("curriculum/entry_edit.html", entry=entry, form=form, status=outcome.status)


@bp.post("/curriculum/<int:entry_id>/<any(retire, restore, delete):action>")
@login_required
def change_entry(entry_id: int, action: str):
    """Retire, restore or delete an entry (one in use is retired, not deleted)."""
    _editor_or_403()
    entry = _entry_or_404(entry_id)
    code = entry.code
    try:
        {
            "retire": service.retire_entry,
            "restore": service.restore_entry,
            "delete": service.delete_entry,
        }[action](entry)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("curriculum.entries"), code=303)
    db.session.commit()
    messages = {
        "retire": _("%(code)s is retired.", code=code),
        "restore": _("%(code)s is in use again.", code=code),
        "delete": _("%(code)s is deleted.", code=code),
    }
    flash(messages[action], "success")
    return redirect(url_for("curriculum.entries"), code=303)
