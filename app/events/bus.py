"""emit(): append an event to the log and run the reactions to it.

Everything happens in the caller's transaction, so a change, its event and the
consequences (reminder rows, outgoing mails, feed versions) commit together or
not at all. Which functions react to which event is not known here: the table
lives at the composition root (app/reactions/__init__.py) and `create_app`
installs it on the application with `install_reactions`. This package imports
no domain, so every domain can emit.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from flask import Flask, current_app
from sqlalchemy import and_, or_, select

from app.events.models import EventLogEntry
from app.events.types import Event
from app.extensions import db

Reaction = Callable[[Event], None]
ReactionTable = Mapping[type[Event], list[Reaction]]

_EXTENSION = "techniekpoort.reactions"


class ReactionsNotInstalled(RuntimeError):
    """emit() ran in an application that create_app did not assemble."""


def install_reactions(app: Flask, table: ReactionTable) -> None:
    app.extensions[_EXTENSION] = table


def installed_reactions() -> ReactionTable:
    try:
        return current_app.extensions[_EXTENSION]
    except KeyError:
        raise ReactionsNotInstalled(
            "No table of reactions is installed on this application: "
            "build it with create_app(), which installs app.reactions."
        ) from None


def emit(event: Event, actor=None) -> EventLogEntry:
    table = installed_reactions()
    if type(event) not in table:
        raise ReactionsNotInstalled(
            f"{type(event).__name__} has no entry in the table of reactions "
            "(app/reactions/__init__.py); give it one, an empty list if nothing follows."
        )
    entry = EventLogEntry(
        name=event.event_name(),
        actor_id=getattr(actor, "id", None),
        subject_type=event.subject_type,
        subject_id=event.subject_id,
        payload=event.payload(),
    )
    db.session.add(entry)
    db.session.flush()
    for reaction in table[type(event)]:
        reaction(event)
    return entry


def history(*subjects: tuple[str, int]) -> list[EventLogEntry]:
    """The events about any of the given (subject_type, subject_id) pairs, oldest first."""
    if not subjects:
        return []
    condition = or_(
        *(and_(EventLogEntry.subject_type == t, EventLogEntry.subject_id == i) for t, i in subjects)
    )
    return list(
        db.session.scalars(select(EventLogEntry).where(condition).order_by(EventLogEntry.id))
    )
