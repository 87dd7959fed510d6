"""The school records a placement's HR facts on its page: the VOG's date,
the teaching qualification, the supervising teacher and the route to a
qualification (placements.service.hr)."""

from __future__ import annotations

from flask import abort, flash, redirect
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.accounts.models import User
from app.extensions import db
from app.placements import forms, permissions, service
from app.placements.views.answers import placement_page
from app.placements.views.common import bp, detail_url, get_placement_or_404, hr_form_for
from app.web.forms import carried_out


@bp.post("/<int:placement_id>/hr")
@login_required
def record_hr(placement_id: int):
    placement = get_placement_or_404(placement_id)
    if not permissions.can_record_hr(current_user, placement):
        abort(403)
    form = hr_form_for(placement, forms.HrForm(prefix="hr"))
    chosen = form.supervisor.data
    supervisor = db.session.get(User, chosen) if chosen else None
    outcome = carried_out(
        form,
        lambda: service.record_hr(
            current_user,
            placement,
            vog_date=form.vog_date.data,
            qualified=form.qualified.data,
            supervisor=supervisor,
            route=form.qualification_route.data or "",
        ),
        aliases={"supervisor_id": "supervisor"},
        reload=placement,
    )
    if outcome:
        flash(_("The facts are recorded."), "success")
        return redirect(detail_url(placement))
    return placement_page(placement, hr_form=form, status=outcome.status)
