"""Reading placements for the home pages."""

from __future__ import annotations

from app.accounts.models import User
from app.extensions import db
from app.placements import permissions
from app.placements.models import OPEN, Placement


def awaiting_answer_of(user: User, limit: int = 20) -> list[Placement]:
    """Open proposals (and proposals of other days) that wait for an answer
    from this person's side: a teacher's school or a contact's company."""
    query = (
        permissions.visible_placements(user)
        .where(Placement.status.in_(OPEN))
        .order_by(Placement.first_date, Placement.id)
        .limit(limit)
    )
    return [p for p in db.session.scalars(query) if permissions.can_accept(user, p)]
