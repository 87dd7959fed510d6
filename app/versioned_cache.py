"""The one mechanism behind the catalogue's and the dashboard's caches: a
version counter in the database, and entries kept per version in a standard
cache store.

- `VersionCounter`: version numbers in a table, one row per scope (the
  catalogue has one, the dashboard one per school year). A service that
  changes what a scope shows calls `changed(scopes)`; the numbers rise when
  its transaction commits, and not at all when it rolls back. Raising them at
  the commit keeps the rows locked (PostgreSQL) for the commit only: every
  change writes these few rows, and a lock taken halfway through a booking
  would make concurrent bookings of different slots wait for each other.
  A missing row comes back at a random number, not at 1: a store may still
  hold entries made under the small numbers the old row went through, and no
  row means no caching (a database whose tables were emptied, as the tests
  do), since nothing could tell entries made before from entries made after.

- `VersionedCache`: entries under a namespace, each keyed by everything that
  shapes it and by the version it was made under, so a new version simply
  never reads the old entries, which the store lets expire. Each entry also
  carries its age, checked against the cache's lifetime setting (0 turns it
  off): what it shows also moves with the clock and with rows changed
  without events (the demo loader, a repair by hand).

The store is Flask-Caching's (app.extensions.cache): by default each
process's own memory; with TECHNIEKPOORT_CACHE_REDIS_URL one Redis that
every process shares (app/config.py). The versions live in the database, so
every process sees a change made through another one either way.
"""

from __future__ import annotations

import hashlib
import random
import time
from collections.abc import Callable, Hashable, Iterable
from typing import Any, TypeVar

from flask import current_app
from sqlalchemy import event, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from app import fast_reads
from app.extensions import cache as store
from app.extensions import db

MISSING = object()
T = TypeVar("T")


class VersionCounter:
    """The version numbers in `model`'s table, one per value of its `scope`
    column; `name` keeps its pending changes apart in the session."""

    def __init__(self, model, scope: str, name: str):
        self.model, self.scope = model, getattr(model, scope)
        self._pending = f"{name}_changed"
        self._every = object()  # in the pending set: every row
        self._statements: dict = {}
        event.listen(Session, "before_commit", self._raise_at_commit)
        event.listen(Session, "after_rollback", self._forget)

    def statement(self, scope):
        # One statement object per scope: the read engine compiles each once.
        found = self._statements.get(scope)
        if found is None:
            found = self._statements.setdefault(
                scope, select(self.model.version).where(self.scope == scope)
            )
        return found

    def read(self, scope, *, fast: bool = False) -> int | None:
        """The current version of `scope`, or None without its row. `fast`
        reads on the shared read engine (app/fast_reads.py), one round trip
        for a read that runs on every request of a cached page; unreadable
        there (a dropped connection, no such table), it is None too."""
        if fast:
            rows = fast_reads.fetch_all(self.statement(scope), what=f"{self._pending} version")
            return rows[0][0] if rows else None
        return db.session.scalar(self.statement(scope))

    def changed(self, scopes: Iterable | None = None) -> None:
        """What `scopes` show (None: every scope) changed in the current
        transaction: their versions rise when it commits."""
        pending = db.session.info.setdefault(self._pending, set())
        pending.update([self._every] if scopes is None else scopes)

    def _raise_at_commit(self, session: Session) -> None:
        # Also at the release of a savepoint: the raise then commits or rolls
        # back with the enclosing transaction, like the change that asked.
        scopes = session.info.pop(self._pending, None)
        if not scopes:
            return
        if self._every in scopes:
            session.execute(update(self.model).values(version=self.model.version + 1))
            return
        insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else None
        insert = insert or sqlite.insert
        table = self.model.__table__
        # In order, so that two transactions never wait for each other's rows crosswise.
        for scope in sorted(scopes):
            session.execute(
                insert(table)
                .values({self.scope.key: scope, "version": random.randrange(2, 2**40)})
                .on_conflict_do_update(
                    index_elements=[table.c[self.scope.key]],
                    set_={"version": table.c.version + 1},
                )
            )

    def _forget(self, session: Session) -> None:
        # Not at a savepoint's rollback: the change that asked may lie outside
        # it (a needless raise costs one render; a missing one shows stale data).
        if not session.in_nested_transaction():
            session.info.pop(self._pending, None)


class VersionedCache:
    """Entries of one namespace in the app's cache store, valid for one
    version and for `setting` seconds of the app's config (0: off)."""

    # The clock of the entries' ages; tests move it instead of waiting.
    clock = staticmethod(time.time)

    def __init__(self, namespace: str, setting: str, default_seconds: float):
        self.namespace, self.setting, self.default_seconds = namespace, setting, default_seconds

    def seconds(self) -> float:
        return float(current_app.config.get(self.setting, self.default_seconds))

    def _key(self, key: Hashable, version: int) -> str:
        # Stable across processes (a shared Redis): the keys are tuples of
        # strings, numbers and None, whose repr is their value.
        digest = hashlib.blake2b(repr(key).encode(), digest_size=16).hexdigest()
        return f"{self.namespace}:{version}:{digest}"

    def get(self, key: Hashable, version: int | None) -> Any:
        """The entry made under this version, young enough; else MISSING."""
        if version is None or self.seconds() <= 0:
            return MISSING
        entry = store.get(self._key(key, version))
        if entry is None:
            return MISSING
        made, value = entry
        return value if self.clock() - made < self.seconds() else MISSING

    def put(self, key: Hashable, version: int | None, value: Any) -> None:
        seconds = self.seconds()
        if version is None or seconds <= 0:
            return
        # The store forgets it a little after it is too old to serve anyway.
        store.set(self._key(key, version), (self.clock(), value), timeout=int(seconds) + 1)

    def cached(self, key: Hashable, version: int | None, compute: Callable[[], T]) -> T:
        """The entry for key, or compute it now and keep it. Read the version
        before computing, so an entry is never kept under a newer version than
        the rows it was made from."""
        value = self.get(key, version)
        if value is MISSING:
            value = compute()
            self.put(key, version, value)
        return value
