"""Coverage and the confirmed groups still to come, kept between requests
(app/versioned_cache.py: in each web process, or in one Redis that all share).

Both read a whole school year of raw bookings, slots and activities: about a
second at national scale on PostgreSQL, more than the rest of the dashboard
together (docs/PERFORMANCE.md, "Documents and dashboard"). So what is
computed is kept, and the dashboard shows a kept panel at once and
loads a missing one after its first paint (app/insights/views.py).

An entry is served only while both hold:
- its school year's version (FiguresVersion) is still the one it was computed
  under. The reactions that REACTIONS routes to `event_changed_figures`
  (bookings, slots, activities, approvals, agreed and ended hybrid-teacher
  placements) raise the version of the school years they touch when their
  transaction commits;
- it is younger than INSIGHTS_CACHE_SECONDS: the still-to-come count moves
  with the clock, and loaders that write without events (the demo, the bench
  generator, an import) would otherwise go unseen. 0 turns the cache off.

A school year without a version row is never cached (app/versioned_cache.py
says why).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from datetime import UTC, datetime
from typing import Any, TypeVar

from app.catalogue.models import Slot
from app.events import types as ev
from app.extensions import db
from app.insights.filters import SchoolYear
from app.insights.models import FiguresVersion
from app.timeutil import to_local
from app.versioned_cache import MISSING, VersionCounter, VersionedCache

DEFAULT_SECONDS = 300
T = TypeVar("T")

versions = VersionCounter(FiguresVersion, "school_year", "insights")
panels = VersionedCache("insights", "INSIGHTS_CACHE_SECONDS", DEFAULT_SECONDS)

__all__ = ["MISSING", "figures_changed", "keep", "kept"]


def version_of(school_year: SchoolYear) -> int | None:
    if panels.seconds() <= 0:
        return None
    return versions.read(school_year.start)


def kept(key: Hashable, school_year: SchoolYear) -> Any:
    """The value kept for key under the year's current version, or MISSING."""
    return panels.get((school_year.start, key), version_of(school_year))


def keep(key: Hashable, school_year: SchoolYear, compute: Callable[[], T]) -> T:
    """The kept value, or compute it now and keep it."""
    return panels.cached((school_year.start, key), version_of(school_year), compute)


def figures_changed(school_years: Iterable[int] | None = None) -> None:
    """Something these school years' coverage or still-to-come figures count
    changed in the current transaction (None: any school year); the versions
    rise when it commits."""
    versions.changed(school_years)


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
