"""The one way a booking, a placement or a school request changes state.

`move(row, allowed, to, refusal)` moves the row to `to` if the state this
transaction last read is one of `allowed`, with one UPDATE conditional on that
state: two people answering at once (the school cancelling while the company
declines) cannot both win. When the UPDATE matches nothing the row changed
meanwhile; it is read again and judged anew, a few times, then the caller
hears "busy".

A move that the state does not allow is refused with `NotAllowed`, a Conflict:
409 in the API and the same refusal above the form in the pages, whatever
the state machine (docs/ARCHITECTURE.md, "Refusals").
"""

from __future__ import annotations

from sqlalchemy import update

from app.errors import Conflict
from app.extensions import db
from app.timeutil import utcnow

ATTEMPTS = 5


class NotAllowed(Conflict):
    """The thing is not in a state from which this step may be taken."""

    code = "invalid_state"


def move(
    row,
    allowed: tuple[str, ...],
    to: str,
    refusal: str,
    *,
    busy: str,
    code: str | None = None,
    **values,
) -> str:
    """Moves `row` (a model with `id` and `status`, and `revision` when it has
    one) to `to`; returns the state it left. `refusal` is the message when its
    state does not allow the step, `busy` when it kept changing meanwhile."""
    model = type(row)
    if hasattr(model, "revision"):
        values["revision"] = model.revision + 1
    db.session.flush()
    for _attempt in range(ATTEMPTS):
        seen = row.status
        if seen not in allowed:
            raise NotAllowed(refusal, code=code)
        moved = db.session.execute(
            update(model)
            .where(model.id == row.id, model.status == seen)
            .values(status=to, updated_at=utcnow(), **values)
            .execution_options(synchronize_session=False)
        ).rowcount
        db.session.refresh(row)
        if moved:
            return seen
    raise Conflict(busy, code="busy")


def refuse_unless(row, allowed: tuple[str, ...], refusal: str, *, code: str | None = None) -> None:
    """The same refusal as `move`, before the work that comes ahead of the move
    (cleaning a reason, taking a lock)."""
    if row.status not in allowed:
        raise NotAllowed(refusal, code=code)
