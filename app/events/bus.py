"""emit(): append an event to the log and run its synchronous handlers.

Everything happens in the caller's transaction, so a change, its event and the
consequences (reminder rows, outgoing mails, feed versions) commit together or
not at all. Handlers are listed in app/events/handlers/__init__.py.
"""

from __future__ import annotations

from sqlalchemy import select

from app.events.models import EventLogEntry
from app.events.types import Event
from app.extensions import db


def emit(event: Event, actor=None) -> EventLogEntry:
    from app.events.handlers import handlers_for

    entry = EventLogEntry(
        name=event.event_name(),
        actor_id=getattr(actor, "id", None),
        subject_type=event.subject_type,
        subject_id=event.subject_id,
        payload=event.payload(),
    )
    db.session.add(entry)
    db.session.flush()
    for handler in handlers_for(type(event)):
        handler(event)
    return entry


def history(*subjects: tuple[str, int]) -> list[EventLogEntry]:
    """The events about any of the given (subject_type, subject_id) pairs, oldest first."""
    if not subjects:
        return []
    from sqlalchemy import and_, or_

    condition = or_(
        *(and_(EventLogEntry.subject_type == t, EventLogEntry.subject_id == i) for t, i in subjects)
    )
    return list(
        db.session.scalars(select(EventLogEntry).where(condition).order_by(EventLogEntry.id))
    )
