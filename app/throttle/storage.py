"""A `limits` storage in the application's own database (docs/decisions/0006).

Every web worker and every node shares the database, so a limit counted here
holds across all of them (flask-limiter#40), with nothing more to run. Each
hit is one statement, atomic on SQLite and PostgreSQL alike:

    INSERT INTO rate_limit_counter (key, hits, expires_at) VALUES (...)
    ON CONFLICT (key) DO UPDATE SET hits = <hits + n, or n if the window ended>,
                                    expires_at = <kept, or a new window>
    RETURNING hits

so parallel requests each get their own count back and no two see the same.
It runs on an engine of its own (autocommit, on the app's database) and
commits at once: a hit counts even when the request that made it rolls back,
and the request's session and its statement counts are left alone. Because
SQLite has one writer at a time, code must hit a limit before the request's
session writes anything (Flask-Limiter's checks run before the view;
accounts.service does the same).
"""

from __future__ import annotations

import random
import time
import weakref

from flask import current_app
from limits.storage import Storage
from sqlalchemy import Engine, case, create_engine, delete, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError

from app.extensions import db
from app.throttle.models import RateLimitCounter

_TABLE = RateLimitCounter.__table__
_INSERT = {"sqlite": sqlite.insert, "postgresql": postgresql.insert}
# Windows that ended this long ago are deleted now and then, by a hit.
_KEEP_ENDED = 3600
_CLEAN_ONE_IN = 200
_ENGINE_KEY = "throttle_engine"


def counter_engine() -> Engine:
    """The app's database, through an autocommit engine that only the rate
    limits use (made once per app; closed when the app goes)."""
    app = current_app._get_current_object()
    engine = app.extensions.get(_ENGINE_KEY)
    if engine is None:
        engine = create_engine(db.engine.url, isolation_level="AUTOCOMMIT", pool_pre_ping=True)
        engine = app.extensions.setdefault(_ENGINE_KEY, engine)
        weakref.finalize(app, engine.dispose)
    return engine


class DatabaseStorage(Storage):
    """`database://`: counters in the rate_limit_counter table of the app in
    context (each app of a test run, or of one process, uses its own)."""

    STORAGE_SCHEME = ["database"]
    # The clock of the windows; tests move it instead of waiting.
    clock = staticmethod(time.time)

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options):
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)

    @property
    def base_exceptions(self) -> type[Exception]:
        return SQLAlchemyError

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        now = self.clock()
        engine = counter_engine()
        if amount < 0:
            return self._refund(engine, key, -amount, now)
        insert = _INSERT[engine.dialect.name](_TABLE).values(
            key=key, hits=amount, expires_at=now + expiry
        )
        ended = _TABLE.c.expires_at <= now
        statement = insert.on_conflict_do_update(
            index_elements=[_TABLE.c.key],
            set_={
                "hits": case((ended, insert.excluded.hits), else_=_TABLE.c.hits + amount),
                "expires_at": case((ended, insert.excluded.expires_at), else_=_TABLE.c.expires_at),
            },
        ).returning(_TABLE.c.hits)
        with engine.connect() as connection:
            hits = connection.execute(statement).scalar_one()
            if random.randrange(_CLEAN_ONE_IN) == 0:
                connection.execute(delete(_TABLE).where(_TABLE.c.expires_at < now - _KEEP_ENDED))
        return hits

    def _refund(self, engine, key: str, amount: int, now: float) -> int:
        """Gives hits back within the running window, never below zero (a
        sign-in that succeeded does not count as a failure)."""
        with engine.connect() as connection:
            hits = connection.execute(
                update(_TABLE)
                .where(_TABLE.c.key == key, _TABLE.c.expires_at > now)
                .values(hits=case((_TABLE.c.hits > amount, _TABLE.c.hits - amount), else_=0))
                .returning(_TABLE.c.hits)
            ).scalar()
        return hits or 0

    def _column(self, column, key: str):
        with counter_engine().connect() as connection:
            return connection.execute(
                select(column).where(_TABLE.c.key == key, _TABLE.c.expires_at > self.clock())
            ).scalar()

    def get(self, key: str) -> int:
        return self._column(_TABLE.c.hits, key) or 0

    def get_expiry(self, key: str) -> float:
        return self._column(_TABLE.c.expires_at, key) or self.clock()

    def check(self) -> bool:
        try:
            with counter_engine().connect() as connection:
                connection.execute(text("SELECT 1"))
            return True
        except SQLAlchemyError:
            return False

    def reset(self) -> int | None:
        with counter_engine().connect() as connection:
            return connection.execute(delete(_TABLE)).rowcount

    def clear(self, key: str) -> None:
        with counter_engine().connect() as connection:
            connection.execute(delete(_TABLE).where(_TABLE.c.key == key))
