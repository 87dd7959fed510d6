"""Column types shared by the domain models."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Integer
from sqlalchemy.types import TypeDecorator

# Ids are Integer columns: 32 bits on PostgreSQL. A larger number in a URL, a
# form or a JSON body names nothing; SQLite's driver cannot even send one
# beyond 64 bits, and PostgreSQL refuses one beyond 32 bits in an INSERT.
MAX_ID = 2**31 - 1


def as_id(value) -> int:
    """A form's or a query string's id: an int an id column can hold (0, which
    names nothing, included: a select's "none"), or a ValueError, which WTForms
    shows as an invalid choice and MultiDict.get(type=as_id) turns into None."""
    text = str(value).strip()
    # ASCII digits only: int() would also read "1_000", "+7" and Arabic-Indic digits.
    if not (text.isascii() and text.isdigit() and len(text) <= 10 and int(text) <= MAX_ID):
        raise ValueError("not an id")
    return int(text)


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
