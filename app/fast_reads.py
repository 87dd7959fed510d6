"""A lightweight read path for the few hot, tiny reads that run on every
request of a cached page: the catalogue's version, a calendar client's poll.

Through the session, one such read costs a pool check-out with a ping,
BEGIN, the SELECT and ROLLBACK: four round trips to PostgreSQL, and
SQLAlchemy's statement machinery around each. Here it is one round trip: a
second engine on the app's database, in autocommit and without the ping, and
a plain DB-API cursor. Only for single SELECTs that need no transaction
around them (each sees what is committed when it runs).

The connections stay checked out of the engine's pool, each with its cursor,
in a small stack of idle ones that threads take from and give back: the
pool's check-out and a new cursor cost as much again as the query itself.

Without the ping, a connection the database has dropped (a restart, an idle
timeout) fails on use: `fetch_all` then invalidates it, logs, and returns
None, and the caller falls back to its ordinary path; the next use opens a
fresh connection.
"""

from __future__ import annotations

import re
import weakref
from collections import deque
from functools import lru_cache

from flask import current_app
from sqlalchemy import Engine, create_engine

from app.extensions import db

_KEY = "fast_read_engine"
_NAMED = re.compile(r"%\((\w+)\)s")


class _ReadEngine:
    """An engine and its idle (connection, cursor) pairs. deque's append and
    pop are atomic, so threads share the stack without a lock; a pair is only
    ever used by the thread that popped it."""

    def __init__(self, url):
        self.engine = create_engine(
            url,
            isolation_level="AUTOCOMMIT",
            pool_pre_ping=False,
            pool_reset_on_return=None,
        )
        self.idle: deque = deque()
        # Statements are written with %(name)s (psycopg's style); sqlite3 takes :name.
        self.named = self.engine.dialect.name == "sqlite"
        # The idle connections are closed, not left to the garbage collector
        # (which warns about connections still checked out), also when an
        # app is dropped without dispose_read_engine() and at exit.
        self._closer = weakref.finalize(self, _close, self.idle, self.engine)

    def take(self) -> tuple:
        try:
            return self.idle.pop()
        except IndexError:
            connection = self.engine.raw_connection()
            return connection, connection.cursor()

    def give_back(self, pair: tuple) -> None:
        self.idle.append(pair)

    def dispose(self) -> None:
        self._closer()


def _close(idle: deque, engine: Engine) -> None:
    while idle:
        connection, cursor = idle.pop()
        cursor.close()
        connection.close()
    engine.dispose()


def _read_engine() -> _ReadEngine:
    found = current_app.extensions.get(_KEY)
    if found is None:
        found = current_app.extensions.setdefault(_KEY, _ReadEngine(db.engine.url))
    return found


def read_engine() -> Engine:
    """This app's read engine, made on first use (one per app, so two apps in
    a process, as in the tests, never share one)."""
    return _read_engine().engine


def dispose_read_engine() -> None:
    """Closes the read engine's connections (an app that stops, in tests)."""
    found = current_app.extensions.pop(_KEY, None)
    if found is not None:
        found.dispose()


@lru_cache(maxsize=64)
def _named(sql: str) -> str:
    return _NAMED.sub(r":\1", sql)


def fetch_all(sql: str, params: dict | None = None, *, what: str = "fast read") -> list | None:
    """The rows (plain tuples) of one SELECT, or None when the database could
    not answer it here; the caller then reads the ordinary way."""
    reads = _read_engine()
    connection, cursor = pair = reads.take()
    try:
        cursor.execute(_named(sql) if reads.named else sql, params or {})
        rows = cursor.fetchall()
    except reads.engine.dialect.loaded_dbapi.Error as error:
        # A connection the database dropped (this engine does not ping), or a
        # database without the table: this connection is not used again.
        connection.invalidate()
        connection.close()
        current_app.logger.warning("%s failed, falling back: %s", what, error)
        return None
    except BaseException:
        connection.close()
        raise
    reads.give_back(pair)
    return rows
