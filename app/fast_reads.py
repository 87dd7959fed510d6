"""A lightweight read path for the few hot, tiny reads that run on every
request of a cached page: the catalogue's version, a calendar client's poll.

Through the session, one such read costs a pool check-out with a ping,
BEGIN, the SELECT and ROLLBACK: four round trips to PostgreSQL, and
SQLAlchemy's statement machinery around each. Here it is one round trip: a
second engine on the app's database, in autocommit and without the ping, and
a plain DB-API cursor. Only for single SELECTs that need no transaction
around them (each sees what is committed when it runs).

The statements are SQLAlchemy Core selects, the same that the session runs
when this path cannot answer. Each is compiled once per engine, for its
dialect and parameter style; the rows come back as the driver gives them,
without SQLAlchemy's result processing, so a statement for this path selects
only what needs none (integers, text; a date is only tested for NULL).

The connections stay checked out of the engine's pool, each with its cursor,
in a small stack of idle ones that threads take from and give back: the
pool's check-out and a new cursor cost as much again as the query itself.

Without the ping, a connection the database has dropped (a restart, an idle
timeout) fails on use: `fetch_all` then invalidates it, logs, and returns
None, and the caller falls back to its ordinary path; the next use opens a
fresh connection.
"""

from __future__ import annotations

import weakref
from collections import deque

from flask import current_app
from sqlalchemy import Compiled, Engine, Select, create_engine

from app.extensions import db

_KEY = "fast_read_engine"


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
        self.compiled: dict[Select, Compiled] = {}
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

    def compile(self, statement: Select) -> Compiled:
        found = self.compiled.get(statement)
        if found is None:
            found = self.compiled.setdefault(
                statement, statement.compile(dialect=self.engine.dialect)
            )
        return found

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


def _parameters(compiled: Compiled, params: dict | None):
    values = compiled.construct_params(params or {})
    if compiled.positional:
        return tuple(values[name] for name in compiled.positiontup)
    return values


def fetch_all(
    statement: Select, params: dict | None = None, *, what: str = "fast read"
) -> list | None:
    """The rows (plain tuples) of one SELECT, or None when the database could
    not answer it here; the caller then runs the same statement through the
    session."""
    reads = _read_engine()
    compiled = reads.compile(statement)
    connection, cursor = pair = reads.take()
    try:
        cursor.execute(compiled.string, _parameters(compiled, params))
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
