"""Activities and slots for catalogue tests, made directly as rows (the service
tests exercise the service; these set up the state around them)."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta

from sqlalchemy import event, select

from app.catalogue.models import Activity, Slot
from app.events.models import EventLogEntry
from app.extensions import db
from app.timeutil import local_to_utc, utcnow

_counter = itertools.count(1)


def activity(company, **values) -> Activity:
    n = next(_counter)
    defaults = {
        "company": company,
        "kind": "company_visit",
        "title": f"Activity {n}",
        "description": "",
        "sectors": company.sectors or frozenset({"metal"}),
        "profiles": frozenset({"PIE"}),
        "years": frozenset({"3", "4"}),
        "paths": frozenset({"BB", "KB"}),
        "venue": "company",
        "address": company.address,
        "postcode": company.postcode,
        "city": company.city,
        "latitude": company.latitude,
        "longitude": company.longitude,
        "duration_minutes": 120,
        "max_group_size": 30,
        "min_notice_days": 7,
        "requires_approval": True,
        "status": "published",
    }
    defaults.update(values)
    row = Activity(**defaults)
    db.session.add(row)
    db.session.commit()
    return row


def slot(activity_row, *, days: float = 30, hours: float = 2, local: datetime | None = None,
         **values) -> Slot:
    """A slot `days` from now (or at the local wall-clock time `local`)."""
    if local is not None:
        starts_at = local_to_utc(local)
    else:
        starts_at = utcnow().replace(microsecond=0) + timedelta(days=days)
    defaults = {"activity": activity_row, "starts_at": starts_at,
                "ends_at": starts_at + timedelta(hours=hours), "capacity": 25}
    defaults.update(values)
    row = Slot(**defaults)
    db.session.add(row)
    db.session.commit()
    return row


def events(name: str | None = None) -> list[EventLogEntry]:
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
