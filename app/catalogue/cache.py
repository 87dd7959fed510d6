"""Rendered catalogue HTML, cached in each web process.

The catalogue is the most requested page, and the same few filter combinations
come back all the time. Its query takes about a millisecond at national scale;
turning the rows into HTML takes several times that in Python. So each process
keeps the HTML it rendered (the results block; the filters with the results;
for anonymous visitors the whole page), keyed by everything that shapes it
(filters, page, locale, the school distances are measured from), and serves an
entry only while both hold:

- the catalogue version it was rendered under is still the current one. The
  version is one row (CatalogueVersion), raised in the same transaction as any
  change the catalogue shows (app/reactions/catalogue_cache.py), and read
  once per request, before the search: so a booking or a new date made through
  any process shows on the next page that any process serves;
- it is younger than CATALOGUE_CACHE_SECONDS. The list also depends on the
  clock (a slot that starts leaves it) and on rows changed without events (the
  demo loader, the benchmark's generator, a repair by hand); the age limit
  bounds how long those can go unseen. 0 turns the cache off.

What belongs to one visitor is never cached: the navigation and flashed
messages of people signed in are rendered around the cached HTML, and in an
anonymous visitor's cached page the CSRF token is a hole that each request
fills with the visitor's own (app/catalogue/views.py).

Without the version row (a database whose tables were emptied, as the tests
do between tests) nothing is cached until the next change puts it back, since
nothing could tell entries made before the emptying from entries made after.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Hashable
from typing import TypeVar

from flask import current_app
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from app import fast_reads
from app.catalogue.models import CatalogueVersion
from app.extensions import db
from app.versioned_cache import VersionedLRU, app_store

DEFAULT_SECONDS = 10
MAX_ENTRIES = 512
_ROW_ID = 1
_VERSION = select(CatalogueVersion.version).where(CatalogueVersion.id == _ROW_ID)
_PENDING = "catalogue_changed"
T = TypeVar("T")


def block_cache() -> VersionedLRU:
    """This application's cache of rendered catalogue blocks."""
    return app_store("catalogue_cache", MAX_ENTRIES)


def current_version() -> int | None:
    """The catalogue version, to read once per request before the search (so
    the rows found are at least as new as the version); None when caching is
    off or the version row is missing or cannot be read."""
    if _seconds() <= 0:
        return None
    # Every catalogue request runs this, most of them to serve a cached page:
    # one round trip on the shared read engine (app/fast_reads.py), not the
    # session's check-out, ping, BEGIN and ROLLBACK. Unreadable (a dropped
    # connection, a database without the table): the page is rendered, just
    # not cached.
    rows = fast_reads.fetch_all(_VERSION, what="catalogue version read")
    return rows[0][0] if rows else None


def dispose() -> None:
    """Closes the read engine's connections (an app that stops, in tests)."""
    fast_reads.dispose_read_engine()


def cached(key: Hashable, version: int | None, render: Callable[[], T]) -> T:
    """The HTML for key (or the pieces of it): from the cache when it was
    rendered under this version and is young enough, else rendered now and kept."""
    if version is None:
        return render()
    cache = block_cache()
    html = cache.get(key, version)
    if html is None:
        html = render()
        cache.put(key, version, html, _seconds())
    return html


def _seconds() -> float:
    return current_app.config.get("CATALOGUE_CACHE_SECONDS", DEFAULT_SECONDS)


# --- raising the version ------------------------------------------------------------


def catalogue_changed() -> None:
    """Something the catalogue shows has changed in the current transaction:
    raise the version when it commits (and not at all if it rolls back).

    Raising it at the commit rather than now keeps the row locked (PostgreSQL)
    for the commit only: every change to the catalogue writes this one row, and
    a lock taken halfway through a booking would make concurrent bookings of
    different slots wait for each other, and could deadlock with the slot rows
    they lock after it."""
    db.session.info[_PENDING] = True


@event.listens_for(Session, "before_commit")
def _raise_version_at_commit(session: Session) -> None:
    # Also at the release of a savepoint: the raise then commits or rolls back
    # with the enclosing transaction, like the change that asked for it.
    if session.info.pop(_PENDING, False):
        session.execute(_upsert(session.get_bind().dialect.name))


@event.listens_for(Session, "after_rollback")
def _forget_change(session: Session) -> None:
    # Not at a savepoint's rollback: the change that asked may lie outside it
    # (a needless raise costs one render; a missing one shows stale places).
    if not session.in_nested_transaction():
        session.info.pop(_PENDING, None)


def _upsert(dialect: str):
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    table = CatalogueVersion.__table__
    # A missing row comes back at a random number, not at 1: a process may still
    # hold entries rendered under the small numbers the old row went through.
    statement = insert(table).values(id=_ROW_ID, version=random.randrange(2, 2**40))
    return statement.on_conflict_do_update(
        index_elements=[table.c.id], set_={"version": table.c.version + 1}
    )
