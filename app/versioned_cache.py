"""The per-process store behind the catalogue's and the dashboard's caches.

Each entry is kept with the version of the data it was made from and an
expiry: a lookup under another version, or after the expiry, finds nothing and
forgets the entry. Each web process has its own store (one per app, in
app.extensions); the versions live in the database, so every process sees a
change made through another one (app/catalogue/cache.py, app/insights/cache.py).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Hashable
from typing import Any

from flask import current_app


class VersionedLRU:
    """A bounded LRU of key -> (version, expiry, value), shared by a process's threads."""

    # The clock of the expiries; tests move it instead of waiting.
    clock = staticmethod(time.monotonic)

    def __init__(self, max_entries: int):
        self.max_entries = max_entries
        self._entries: OrderedDict[Hashable, tuple[int, float, Any]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, version: int, default: Any = None) -> Any:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return default
            if entry[0] != version or entry[1] <= self.clock():
                del self._entries[key]
                return default
            self._entries.move_to_end(key)
            return entry[2]

    def put(self, key: Hashable, version: int, value: Any, seconds: float) -> None:
        with self._lock:
            self._entries[key] = (version, self.clock() + seconds, value)
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)


def app_store(name: str, max_entries: int) -> VersionedLRU:
    """This application's store called name (one per app, so two apps in a
    process, as in the tests, never share)."""
    store = current_app.extensions.get(name)
    if store is None:
        store = current_app.extensions.setdefault(name, VersionedLRU(max_entries))
    return store
