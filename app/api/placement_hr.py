"""A placement's HR facts: the school records the VOG's date, the teaching
qualification, the supervising teacher and the route to a qualification
(placements.service.hr, docs/decisions/0021)."""

from __future__ import annotations

from flask_babel import gettext as _
from pydantic import BaseModel, ConfigDict, Field, StrictBool

from app.accounts.models import User
from app.api.blueprint import bp
from app.api.placements import PlacementOut, load_placement, placement_out
from app.api.spec import ApiDate, Id, Line, forbidden, operation, require_user
from app.errors import DomainError
from app.extensions import db
from app.placements import service
from app.placements.permissions import can_record_hr
from app.text import LINE


class PlacementHrIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    vog_date: ApiDate = Field(description="Not in the future; recent enough on the first date.")
    qualified: StrictBool = Field(description="Holds a teaching qualification.")
    supervisor_id: Id | None = Field(
        None, description="A teacher of the school; needed without a qualification."
    )
    qualification_route: Line = Field(
        "",
        max_length=LINE,
        description="Needed above the weekly hours allowed without a qualification.",
    )


@operation(
    bp,
    "PUT",
    "/placements/<int:placement_id>/hr",
    summary="Record the VOG, qualification and supervisor of a placement (the school)",
    tag="placements",
    body=PlacementHrIn,
    response=PlacementOut,
    errors=(403, 404, 409),
)
def record_placement_hr(placement_id: int, body: PlacementHrIn) -> PlacementOut:
    user = require_user()
    placement = load_placement(placement_id, user)
    if not can_record_hr(user, placement):
        raise forbidden(_("Only the school records these facts."))
    supervisor = db.session.get(User, body.supervisor_id) if body.supervisor_id else None
    if body.supervisor_id and supervisor is None:
        raise DomainError(_("Choose a teacher of the school."), field="supervisor_id")
    service.record_hr(
        user,
        placement,
        vog_date=body.vog_date,
        qualified=body.qualified,
        supervisor=supervisor,
        route=body.qualification_route,
    )
    db.session.commit()
    return placement_out(placement)
