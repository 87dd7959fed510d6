"""Reading the catalogue's pages, its event log and its SQL in tests."""

from __future__ import annotations

import re

from flask_babel import force_locale, gettext
from markupsafe import escape
from sqlalchemy import event, select

from app.events.models import EventLogEntry
from app.extensions import db


def shown(message: str, **values) -> str:
    """A message as a page shows it: in Dutch (the default locale), HTML-escaped."""
    with force_locale("nl"):
        return str(escape(gettext(message, **values)))


def field_errors(page: str, field_id: str) -> list[str]:
    return re.findall(
        rf'<small class="field-error" id="{re.escape(field_id)}-error">([^<]*)</small>', page
    )


def form_errors(page: str) -> list[str]:
    return re.findall(r'<p class="flash flash-error" role="alert">([^<]*)</p>', page)


def flashes(page: str, category: str) -> list[str]:
    return re.findall(rf'<p class="flash flash-{category}" role="[a-z]+">([^<]*)</p>', page)


def result_ids(page: str) -> list[int]:
    """The slots listed in the catalogue's results, in order."""
    return [int(i) for i in re.findall(r'<li class="result" data-slot="(\d+)"', page)]


def distances(page: str) -> list[str]:
    return re.findall(r'<span class="distance">([^<]*)</span>', page)


def events(name: str | None = None) -> list[EventLogEntry]:
    """The event log, oldest first; only the events called `name` when given."""
    query = select(EventLogEntry).order_by(EventLogEntry.id)
    if name:
        query = query.where(EventLogEntry.name == name)
    return list(db.session.scalars(query))


class QueryCounter:
    """Counts the SQL statements sent through the engine while active."""

    def __init__(self, engine):
        self.engine = engine
        self.statements: list[str] = []

    def _count(self, conn, cursor, statement, parameters, context, executemany):
        self.statements.append(statement)

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self._count)
        return self

    def __exit__(self, *exc):
        event.remove(self.engine, "before_cursor_execute", self._count)

    @property
    def count(self) -> int:
        return len(self.statements)
