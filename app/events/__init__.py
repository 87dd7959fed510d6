"""Domain events: types, the append-only event log, and emit().

The bottom layer: it imports no domain package. The reactions to each event
are installed by create_app from app/reactions/.
"""

from app.events.bus import ReactionsNotInstalled, emit, history, install_reactions

__all__ = ["ReactionsNotInstalled", "emit", "history", "install_reactions"]
