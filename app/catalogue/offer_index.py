"""Which published activities of approved companies pass the catalogue's
filters on the activity (kind, sectors, profiles, years, paths, online or at
a place, the distance from the school), answered in memory.

Those filters are bit masks on activity (decision 0002), which no index
serves: to choose the few hundred activities that pass a rare combination,
the database read all 50,000 activities of the national catalogue, once for
the page and again for its count (40-60 ms on SQLite, docs/PERFORMANCE.md).
Here each web process keeps the columns those filters read as numpy arrays
and answers a filter in well under a millisecond; the statements then start
from the chosen ids, through the index on slot (activity_id, status,
starts_at) (decision 0016).

The arrays follow the offer. The `OFFER_ROW` of catalogue_version rises when a
transaction that changes a published activity or a company's approval
commits (app/reactions), and a process builds them again when it sees a new
number, and at least every CATALOGUE_CACHE_SECONDS for rows changed without
events (the demo loader, the benchmark's generator). Without that row (tests
that roll back, whose rows no other connection sees) or with the cache off,
they are built for each search from the request's own session.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass

import numpy as np
from flask import has_request_context, request
from sqlalchemy import ARRAY, ColumnElement, Integer, any_, bindparam, func, select, type_coerce

from app import vocabulary
from app.accounts.models import Organisation
from app.catalogue import cache
from app.catalogue.models import Activity
from app.extensions import db
from app.geo import KM_PER_DEGREE_LAT, KM_PER_DEGREE_LON_AT_EQUATOR

_KINDS = {kind: number for number, kind in enumerate(vocabulary.ACTIVITY_KINDS)}
_MASKS = {
    "sector": Activity.sectors,
    "profile": Activity.profiles,
    "year": Activity.years,
    "path": Activity.paths,
}


@dataclass(frozen=True, slots=True)
class Chosen:
    """The activities that pass, by id (ascending), with their squared
    distance in km from the origin when there is one: 0 online, infinite
    without a place."""

    ids: np.ndarray
    distance2: np.ndarray | None

    def __len__(self) -> int:
        return len(self.ids)

    def where(self, keep: np.ndarray) -> Chosen:
        return Chosen(self.ids[keep], None if self.distance2 is None else self.distance2[keep])

    def nearest(self, count: int) -> Chosen:
        """The `count` nearest, and every other at the same distance as the
        farthest of them (one company's activities share its address), so
        that no activity as near as those chosen is left out."""
        if count >= len(self.ids):
            return self
        farthest = np.partition(self.distance2, count - 1)[count - 1]
        return self.where(self.distance2 <= farthest)


class OfferIndex:
    """The filterable columns of every published activity of an approved company."""

    def __init__(self, rows: list[tuple]):
        columns = list(zip(*rows, strict=True)) if rows else [()] * 9
        ids, kinds, sectors, profiles, years, paths, venues, latitudes, longitudes = columns
        self.ids = np.array(ids, dtype=np.int64)
        self.kinds = np.array([_KINDS[kind] for kind in kinds], dtype=np.int8)
        self.masks = {
            "sector": np.array(sectors, dtype=np.int64),
            "profile": np.array(profiles, dtype=np.int64),
            "year": np.array(years, dtype=np.int64),
            "path": np.array(paths, dtype=np.int64),
        }
        self.online = np.array([venue == "online" for venue in venues], dtype=bool)
        self.latitude = np.array([math.nan if v is None else v for v in latitudes], dtype=float)
        self.longitude = np.array([math.nan if v is None else v for v in longitudes], dtype=float)
        self.placed = ~self.online & ~np.isnan(self.latitude) & ~np.isnan(self.longitude)

    def __len__(self) -> int:
        return len(self.ids)

    def choose(self, filters, origin=None, *, online: bool | None = None) -> Chosen:
        """The activities that pass `filters` (app/catalogue/search.Filters)
        on what this index holds; only online or only other activities when
        `online` says so. The same rules as search.conditions() in SQL."""
        keep = np.ones(len(self.ids), dtype=bool)
        if filters.kind:
            keep &= np.isin(self.kinds, [_KINDS[kind] for kind in filters.kind])
        for name, column in _MASKS.items():
            codes = getattr(filters, name)
            if codes:
                mask = self.masks[name]
                passes = (mask & column.type.mask(codes)) != 0
                if name == "profile":
                    # Profile-neutral activities (no profile chosen) suit every profile.
                    passes |= mask == 0
                keep &= passes
        if online is not None:
            keep &= self.online if online else ~self.online
        distance2 = None
        if origin is not None:
            distance2 = self.distance2(origin)
            if filters.max_km:
                keep &= distance2 <= filters.max_km**2
        chosen = Chosen(self.ids, distance2)
        return chosen.where(keep)

    def distance2(self, origin) -> np.ndarray:
        """Squared distance in km, computed as search.distance_expression
        does in SQL (the same operations in the same order, so the same
        numbers): 0 online, infinite without a place."""
        km_per_lon = KM_PER_DEGREE_LON_AT_EQUATOR * math.cos(math.radians(origin.latitude))
        dx = (self.longitude - origin.longitude) * km_per_lon
        dy = (self.latitude - origin.latitude) * KM_PER_DEGREE_LAT
        found = dx * dx + dy * dy
        found[~self.placed] = math.inf
        found[self.online] = 0.0
        return found


def _build() -> OfferIndex:
    rows = db.session.execute(
        select(
            Activity.id,
            Activity.kind,
            *(type_coerce(column, Integer) for column in _MASKS.values()),
            Activity.venue,
            Activity.latitude,
            Activity.longitude,
        )
        .join(Organisation, Activity.company)
        .where(Activity.status == "published", Organisation.status == "approved")
        .order_by(Activity.id)
    ).all()
    return OfferIndex(rows)


class _Held:
    """This process's index, the offer version it was built under and when."""

    index: OfferIndex | None = None
    version: int | None = None
    made: float = 0.0


_held = _Held()


def current() -> OfferIndex:
    """The index of the offer as committed now (or as the request's session
    sees it, without a version to check against)."""
    # Once per request: a page asks for it up to three times. On the request,
    # not on g: an app context can outlive many requests (tests, the CLI).
    if not has_request_context():
        return _current()
    found = getattr(request, "offer_index", None)
    if found is None:
        found = request.offer_index = _current()
    return found


def _current() -> OfferIndex:
    version = cache.offer_version()
    if version is None:
        return _build()
    held = _held
    if (
        held.index is not None
        and held.version == version
        and cache.blocks.clock() - held.made < cache.blocks.seconds()
    ):
        return held.index
    # Read the version before building, so the index is never kept under a
    # newer version than the rows it was built from. Two threads may both
    # build; the last one kept is as good as the first.
    made = cache.blocks.clock()
    index = _build()
    _held.index, _held.version, _held.made = index, version, made
    return index


def forget() -> None:
    """Drops this process's index (tests that change the offer behind its back)."""
    _held.index, _held.version = None, None


def ids_in(column, ids: np.ndarray, *, walk: bool = False) -> ColumnElement:
    """`column IN ids` with one parameter however many ids: an integer array
    on PostgreSQL, a JSON list on SQLite (read by json_each). A parameter
    per id would cost Python time per id and meets SQLite's limit on the
    number of parameters.

    The databases look each id up in an index on the column. With `walk`
    they may not: the statement walks another index (slot's on status and
    starts_at, in date order) and tests each row's column against the ids."""
    values = ids.tolist()
    if walk:
        column = column + 0
    if db.session.get_bind().dialect.name == "postgresql":
        return column == any_(bindparam(None, values, type_=ARRAY(Integer)))
    listed = func.json_each(bindparam(None, json.dumps(values))).table_valued("value")
    return column.in_(select(listed.c.value))
