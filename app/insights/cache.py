"""Coverage and the confirmed groups still to come, kept in each web process.

Both read a whole school year of raw bookings, slots and activities: about a
second at national scale on PostgreSQL, more than the rest of the dashboard
together (docs/PERFORMANCE.md, "Documents and dashboard"). So each process
keeps what it computed, and the dashboard shows a kept panel at once and
loads a missing one after its first paint (app/insights/views.py).

An entry is served only while both hold:
- its school year's version (FiguresVersion) is still the one it was computed
  under. The reactions that REACTIONS routes to `event_changed_figures`
  (bookings, slots, activities, approvals, agreed and ended hybrid-teacher
  placements) raise the version of the school
  years they touch when their transaction commits;
- it is younger than INSIGHTS_CACHE_SECONDS: the still-to-come count moves
  with the clock, and loaders that write without events (the demo, the bench
  generator, an import) would otherwise go unseen. 0 turns the cache off.

A school year without a version row is never cached: nothing could tell an
entry made before the row was lost (tests empty the tables) from one made
after. A row that comes back starts at a random number for the same reason.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Hashable, Iterable
from datetime import UTC, datetime
from typing import Any, TypeVar

from flask import current_app
from sqlalchemy import event, select, update
from sqlalchemy.orm import Session

from app.catalogue.models import Slot
from app.events import types as ev
from app.extensions import db
from app.insights.filters import SchoolYear
from app.insights.models import FiguresVersion
from app.timeutil import to_local
from app.versioned_cache import VersionedLRU, app_store

DEFAULT_SECONDS = 300
MAX_ENTRIES = 256
_PENDING = "insights_years_changed"
_EVERY_YEAR = 0  # in the pending set: raise every school year's version
MISSING = object()
T = TypeVar("T")


def _entries() -> VersionedLRU:
    return app_store("insights_cache", MAX_ENTRIES)


def _seconds() -> float:
    return float(current_app.config.get("INSIGHTS_CACHE_SECONDS", DEFAULT_SECONDS))


def version_of(school_year: SchoolYear) -> int | None:
    if _seconds() <= 0:
        return None
    return db.session.scalar(
        select(FiguresVersion.version).where(FiguresVersion.school_year == school_year.start)
    )


def kept(key: Hashable, school_year: SchoolYear) -> Any:
    """The value kept for key under the year's current version, or MISSING."""
    version = version_of(school_year)
    if version is None:
        return MISSING
    return _entries().get((school_year.start, key), version, MISSING)


def keep(key: Hashable, school_year: SchoolYear, compute: Callable[[], T]) -> T:
    """The kept value, or compute it now and keep it. The version is read
    before computing, so a value is never kept under a newer version than the
    rows it was computed from."""
    version = version_of(school_year)
    if version is not None:
        found = _entries().get((school_year.start, key), version, MISSING)
        if found is not MISSING:
            return found
    value = compute()
    if version is not None:
        _entries().put((school_year.start, key), version, value, _seconds())
    return value


# --- raising the versions -----------------------------------------------------------------


def figures_changed(school_years: Iterable[int] | None = None) -> None:
    """Something these school years' coverage or still-to-come figures count
    changed in the current transaction (None: any school year). The versions
    rise when it commits, and not at all if it rolls back: raised now, the
    rows would stay locked (PostgreSQL) for the rest of a booking's
    transaction and make concurrent bookings wait for each other."""
    pending = db.session.info.setdefault(_PENDING, set())
    pending.update([_EVERY_YEAR] if school_years is None else school_years)


@event.listens_for(Session, "before_commit")
def _raise_at_commit(session: Session) -> None:
    years = session.info.pop(_PENDING, None)
    if not years:
        return
    if _EVERY_YEAR in years:
        session.execute(update(FiguresVersion).values(version=FiguresVersion.version + 1))
        return
    dialect = session.get_bind().dialect.name
    # In order, so that two transactions never wait for each other's rows crosswise.
    for year in sorted(years):
        session.execute(_upsert(dialect, year))


@event.listens_for(Session, "after_rollback")
def _forget_change(session: Session) -> None:
    if not session.in_nested_transaction():
        session.info.pop(_PENDING, None)


def _upsert(dialect: str, school_year: int):
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    table = FiguresVersion.__table__
    statement = insert(table).values(school_year=school_year, version=random.randrange(2, 2**40))
    return statement.on_conflict_do_update(
        index_elements=[table.c.school_year], set_={"version": table.c.version + 1}
    )


def _year_of(instant: datetime | str | None) -> int | None:
    if instant is None:
        return None
    if isinstance(instant, str):
        instant = datetime.fromisoformat(instant)
        if instant.tzinfo is not None:
            instant = instant.astimezone(UTC).replace(tzinfo=None)
    return SchoolYear.containing(to_local(instant).date()).start


def _slot_year(slot_id: int) -> int | None:
    slot = db.session.get(Slot, slot_id)
    return _year_of(slot.starts_at) if slot is not None else None


def event_changed_figures(event: ev.Event) -> None:
    """Event handler (listed in app/reactions/__init__.py): the school
    years whose coverage or still-to-come figures the event may change."""
    if isinstance(event, ev.BookingEvent):
        years = [_slot_year(event.slot_id)]
    elif isinstance(event, ev.SlotAdded):
        years = [_year_of(event.starts_at)]
    elif isinstance(event, ev.SlotRescheduled):
        years = [_year_of(event.old_starts_at), _year_of(event.new_starts_at)]
    elif isinstance(event, ev.SlotCancelled):
        years = [_slot_year(event.slot_id)]
    else:
        # Approvals, activities and placements may reach any school year.
        figures_changed(None)
        return
    known = [y for y in years if y is not None]
    figures_changed(known or None)
