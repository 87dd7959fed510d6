"""Rendered catalogue HTML, cached (app/versioned_cache.py: in each web
process, or in one Redis that all share).

The catalogue is the most requested page, and the same few filter combinations
come back all the time. Its query takes about a millisecond at national scale;
turning the rows into HTML takes several times that in Python. So the HTML
rendered is kept (the results block; the filters with the results), keyed by
everything that shapes it
(filters, page, locale, the school distances are measured from), and serves an
entry only while both hold:

- the catalogue version it was rendered under is still the current one. The
  version is one row (CatalogueVersion), raised when a transaction that
  changes what the catalogue shows commits (app/reactions/catalogue_cache.py),
  and read once per request, before the search: so a booking or a new date
  made through any process shows on the next page that any process serves;
- it is younger than CATALOGUE_CACHE_SECONDS. The list also depends on the
  clock (a slot that starts leaves it) and on rows changed without events (the
  demo loader, the benchmark's generator, a repair by hand); the age limit
  bounds how long those can go unseen. 0 turns the cache off.

What belongs to one visitor is never cached: the navigation, flashed
messages and CSRF token are rendered around the cached HTML for everyone,
signed in or not (app/catalogue/views.py).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import TypeVar

from app import fast_reads
from app.catalogue.models import CatalogueVersion
from app.versioned_cache import VersionCounter, VersionedCache

DEFAULT_SECONDS = 10
_ROW_ID = 1
# The second row rises only with the offer itself: published activities and
# their companies' approval, not the free places of every booking. The
# filters' index in each process follows it (app/catalogue/offer_index.py).
OFFER_ROW = 2
T = TypeVar("T")

versions = VersionCounter(CatalogueVersion, "id", "catalogue")
blocks = VersionedCache("catalogue", "CATALOGUE_CACHE_SECONDS", DEFAULT_SECONDS)


def current_version() -> int | None:
    """The catalogue version, to read once per request before the search (so
    the rows found are at least as new as the version); None when caching is
    off or the version row is missing or cannot be read."""
    if blocks.seconds() <= 0:
        return None
    # Every catalogue request runs this, most of them to serve cached blocks.
    return versions.read(_ROW_ID, fast=True)


def offer_version() -> int | None:
    """The offer's version, read like current_version()."""
    if blocks.seconds() <= 0:
        return None
    return versions.read(OFFER_ROW, fast=True)


def dispose() -> None:
    """Closes the read engine's connections (an app that stops, in tests)."""
    fast_reads.dispose_read_engine()


def cached(key: Hashable, version: int | None, render: Callable[[], T]) -> T:
    """The HTML for key: from the cache when it was rendered under this
    version and is young enough, else rendered now and kept."""
    return blocks.cached(key, version, render)


def catalogue_changed() -> None:
    """Something the catalogue shows has changed in the current transaction:
    raise the version when it commits (and not at all if it rolls back)."""
    versions.changed([_ROW_ID])


def offer_changed() -> None:
    """A published activity or a company's approval changed in the current
    transaction: the page's version and the offer's rise when it commits."""
    versions.changed([_ROW_ID, OFFER_ROW])
