"""Domain events: types, the append-only event log, and emit()."""

from app.events.bus import emit, history

__all__ = ["emit", "history"]
