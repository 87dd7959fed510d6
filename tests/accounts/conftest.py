"""Fixtures for the account tests."""

from __future__ import annotations

import pytest


@pytest.fixture
def events(db):
    """The event log so far (optionally of one event name), oldest first."""
    from sqlalchemy import select

    from app.events.models import EventLogEntry

    def read(name: str | None = None):
        query = select(EventLogEntry).order_by(EventLogEntry.id)
        if name:
            query = query.where(EventLogEntry.name == name)
        return list(db.session.scalars(query))

    return read
