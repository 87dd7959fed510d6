"""Column types shared by the domain models."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Integer
from sqlalchemy.types import TypeDecorator


class FlagSet(TypeDecorator):
    """A set of codes from a fixed vocabulary, stored as a bit mask.

    Filters such as "targets profile PIE or MVI" become `mask & :wanted != 0`,
    one indexed-column test that works the same on SQLite and PostgreSQL and
    needs no join, which keeps the catalogue fast at national scale
    (docs/decisions/0002-flag-sets.md)."""

    impl = Integer
    cache_ok = True

    def __init__(self, codes: Iterable[str]):
        super().__init__()
        self.codes = tuple(codes)

    def mask(self, values: Iterable[str]) -> int:
        result = 0
        for value in values:
            result |= 1 << self.codes.index(value)
        return result

    def process_bind_param(self, value, dialect):
        if value is None:
            return 0
        return self.mask(value)

    def process_result_value(self, value, dialect):
        value = value or 0
        return frozenset(code for bit, code in enumerate(self.codes) if value & (1 << bit))

    def copy(self, **kw):
        return FlagSet(self.codes)
