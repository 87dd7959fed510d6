"""Counting the SQL statements a request sends to the database."""

from __future__ import annotations

from sqlalchemy import event

from tests.isolation import RATE_LIMITS

# Statements that only the rolled-back test transaction adds (tests/isolation.py):
# in production a commit is a COMMIT, which no statement count sees.
_ISOLATION = ("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT")


class QueryCounter:
    """Counts the statements sent through the engine while active, as in
    production: not the rate-limit counters (an engine of their own there)
    nor the SAVEPOINTs of the test's transaction."""

    def __init__(self, engine):
        self.engine = engine
        self.statements: list[str] = []

    def _count(self, conn, cursor, statement, parameters, context, executemany):
        if conn.info.get(RATE_LIMITS) or statement.startswith(_ISOLATION):
            return
        self.statements.append(statement)

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self._count)
        return self

    def __exit__(self, *exc):
        event.remove(self.engine, "before_cursor_execute", self._count)

    @property
    def count(self) -> int:
        return len(self.statements)
