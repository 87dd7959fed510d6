"""One test, one transaction, rolled back at its end.

SQLAlchemy's recipe for joining a session into an external transaction
("join_transaction_mode='create_savepoint'"): the test's connection begins a
transaction, and `db.session` is bound to that connection, so every commit of
the test and of the requests it makes releases a SAVEPOINT instead, and every
rollback returns to one. Rolling the outer transaction back leaves the tables
as empty as they were, in one statement instead of emptying every table.

Two parts of the app read or write on connections of their own, which would
not see what the test wrote (nor, on SQLite, get past its write lock): the
fast reads (app/fast_reads.py) and the rate-limit counters
(app/throttle/storage.py). Inside a rolled-back test both use the test's
connection too.

One connection serves one thread. What needs connections of its own for real
(threads, other apps on the same database, processes, backups, the mail
dispatcher) runs in tests marked `commits` (tests/conftest.py); a rolled-back
test that uses the database from another thread fails at once, saying so.
"""

from __future__ import annotations

import threading
from contextlib import contextmanager

from flask_sqlalchemy.session import Session as FlaskSession
from flask_sqlalchemy.session import _app_ctx_id
from sqlalchemy.engine import Connection

from app.fast_reads import _KEY as FAST_READS_KEY
from app.fast_reads import _ReadEngine
from app.throttle.storage import _ENGINE_KEY as COUNTERS_KEY

# Set in the connection's info while the rate limits use it (tests/queries.py).
RATE_LIMITS = "counting rate limits"


class OtherThread(RuntimeError):
    pass


def _guard(owner: int) -> None:
    if threading.get_ident() != owner:
        raise OtherThread(
            "this test runs in one rolled-back transaction on one connection, which "
            "another thread cannot share: mark it @pytest.mark.commits"
        )


class BoundSession(FlaskSession):
    """Flask-SQLAlchemy's session picks the engine of a model's bind key and
    ignores a `bind` given to the session; this one always uses the test's
    connection (the app has one database)."""

    def get_bind(self, mapper=None, clause=None, bind=None, **kwargs):
        return bind if bind is not None else self.bind


class SharedReads(_ReadEngine):
    """Stands in for app.fast_reads' engine: the reads run on the test's
    connection, inside its transaction, and see what the test wrote. Only
    where the connection comes from differs; the rest is the real engine's."""

    def __init__(self, connection: Connection, owner: int):
        self.engine = connection
        self.named = connection.dialect.name == "sqlite"
        self.compiled = {}
        self._raw = connection.connection
        self._owner = owner

    def take(self) -> tuple:
        _guard(self._owner)
        return self._raw, self._raw.cursor()

    def give_back(self, pair: tuple) -> None:
        pair[1].close()

    def dispose(self) -> None:
        pass


class SharedCounters:
    """Stands in for the rate limits' autocommit engine: the counters are
    written on the test's connection and rolled back with it."""

    def __init__(self, connection: Connection, owner: int):
        self.connection = connection
        self.dialect = connection.dialect
        self.url = connection.engine.url
        self._owner = owner

    @contextmanager
    def connect(self):
        _guard(self._owner)
        self.connection.info[RATE_LIMITS] = True
        try:
            yield self.connection
        finally:
            del self.connection.info[RATE_LIMITS]


def _begin(connection: Connection):
    if connection.dialect.name != "sqlite":
        return connection.begin()
    # The sqlite3 module begins transactions by itself, late, and commits
    # before a SAVEPOINT, which breaks nested transactions (SQLAlchemy's notes
    # on pysqlite, "Serializable isolation / Savepoints"): the driver is told
    # to keep out, and the BEGIN is ours.
    connection.connection.driver_connection.isolation_level = None
    outer = connection.begin()
    connection.exec_driver_sql("BEGIN")
    return outer


@contextmanager
def rolled_back(app):
    """Runs the body inside a transaction of one connection, then rolls it back."""
    from app.extensions import db

    owner = threading.get_ident()

    def scope() -> int:
        _guard(owner)
        return _app_ctx_id()

    connection = db.engine.connect()
    outer = _begin(connection)
    session = db.session
    db.session = db._make_scoped_session(
        {
            "class_": BoundSession,
            "bind": connection,
            "join_transaction_mode": "create_savepoint",
            "scopefunc": scope,
        }
    )
    saved = {key: app.extensions.get(key) for key in (FAST_READS_KEY, COUNTERS_KEY)}
    app.extensions[FAST_READS_KEY] = SharedReads(connection, owner)
    app.extensions[COUNTERS_KEY] = SharedCounters(connection, owner)
    try:
        yield connection
    finally:
        db.session.remove()
        db.session = session
        for key, value in saved.items():
            if value is None:
                app.extensions.pop(key, None)
            else:
                app.extensions[key] = value
        outer.rollback()
        if connection.dialect.name == "sqlite":
            connection.connection.driver_connection.isolation_level = ""
        connection.close()
