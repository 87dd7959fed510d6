"""The catalogue query: bookable slots of published activities, filtered.

The catalogue lists slots (dated occurrences), not activities: a teacher looks
for something on a date that suits a class, and a slot list sorted by date is
one index walk that stops after a page of matches, also at national scale
(docs/decisions/0003-catalogue-lists-slots.md). There is deliberately no total
count of every match: counting them all costs more than the page itself. The
page says whether a next page exists by fetching one row more, and counts the
matches up to COUNT_LIMIT (docs/decisions/0010-catalogue-counts-up-to-a-limit.md).

Distance is app.geo's approximation.

Kept as one module: one query, its filters and the parsing of the address
that builds them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields
from datetime import date, datetime, time

import numpy as np
from sqlalchemy import ColumnElement, Integer, and_, case, func, literal, or_, select
from sqlalchemy.orm import aliased, contains_eager

from app import vocabulary
from app.accounts.models import Organisation
from app.catalogue import offer_index
from app.catalogue.models import Activity, Slot
from app.curriculum.models import CODE_LENGTH
from app.curriculum.service import CODE_PATTERN, TAG_DIMENSIONS, tagged_with
from app.extensions import db
from app.geo import KM_PER_DEGREE_LAT, KM_PER_DEGREE_LON_AT_EQUATOR
from app.timeutil import LOCAL_TZ, is_plausible, local_to_utc, utcnow

PER_PAGE = 20


@dataclass
class Filters:
    """Catalogue filters; every field maps to one query-string parameter."""

    kind: list[str] = field(default_factory=list)
    sector: list[str] = field(default_factory=list)
    profile: list[str] = field(default_factory=list)
    year: list[str] = field(default_factory=list)
    path: list[str] = field(default_factory=list)
    # Curriculum tags (app/curriculum): any of the codes of each dimension chosen.
    module: list[str] = field(default_factory=list)
    keuzevak: list[str] = field(default_factory=list)
    skill: list[str] = field(default_factory=list)
    competence: list[str] = field(default_factory=list)
    date_from: date | None = None
    date_to: date | None = None
    free: bool = False
    max_km: float | None = None
    q: str = ""
    sort: str = "date"
    view: str = "list"  # how the results are shown: "list" or "map"
    page: int = 1
    # Values that could not be read, by parameter: the reason, shown beside
    # the filter. The search leaves such a filter out.
    errors: dict = field(default_factory=dict, compare=False)

    LISTS = {
        "kind": vocabulary.ACTIVITY_KINDS,
        "sector": vocabulary.SECTORS,
        "profile": vocabulary.PROFILES,
        "year": vocabulary.YEARS,
        "path": vocabulary.PATHS,
    }
    # Filters on the curriculum's codes: the entries live in the database, so a
    # code is kept if it looks like one (an unknown one matches nothing).
    TAGS = TAG_DIMENSIONS

    @classmethod
    def from_args(cls, args) -> Filters:
        """Reads request.args (a MultiDict). Values that make no sense are
        dropped rather than refused, so a shared link keeps working; those a
        person typed (dates, the distance) are also named in `errors`, so the
        page can say so beside the filter instead of silently showing less."""
        filters = cls()
        for name, words in cls.LISTS.items():
            setattr(filters, name, [v for v in args.getlist(name) if v in words])
        for name in cls.TAGS:
            codes = [
                v
                for v in dict.fromkeys(args.getlist(name))
                if len(v) <= CODE_LENGTH and CODE_PATTERN.fullmatch(v)
            ]
            setattr(filters, name, codes[:MAX_TAG_CODES])
        for name in ("date_from", "date_to"):
            raw = (args.get(name) or "").strip()
            setattr(filters, name, _parse_date(raw))
            if raw and getattr(filters, name) is None:
                filters.errors[name] = "date"
        if filters.date_from and filters.date_to and filters.date_to < filters.date_from:
            filters.errors["date_to"] = "before_start"
            filters.date_to = None
        filters.free = args.get("free") in ("1", "on", "true", "yes")
        raw_km = (args.get("max_km") or "").strip()
        max_km = _parse_positive(raw_km)
        if raw_km and max_km is None:
            filters.errors["max_km"] = "distance"
        filters.max_km = min(max_km, MAX_KM) if max_km else None
        filters.q = (args.get("q") or "").strip()[:100]
        filters.sort = args.get("sort") if args.get("sort") in ("date", "distance") else "date"
        filters.view = "map" if args.get("view") == "map" else "list"
        page = _parse_positive(args.get("page"))
        filters.page = min(int(page), MAX_PAGE) if page and page >= 1 else 1
        return filters

    def key(self) -> tuple:
        """The filters as a hashable value (cache keys): equal for equal filters."""
        return (
            *(
                (name, tuple(value) if isinstance(value, list) else value)
                for name, value in self.to_args().items()
            ),
            ("errors", tuple(sorted(self.errors.items()))),
        )

    def without(self, name: str, value=None) -> dict:
        """The query string of these filters without one of them (or one value
        of a list filter), from the first page: what removing a chip links to."""
        current = getattr(self, name)
        if isinstance(current, list):
            kept = [v for v in current if v != value]
        else:
            kept = False if isinstance(current, bool) else None
        return self.to_args(**{name: kept, "page": 1})

    def chosen(self) -> int:
        """How many filter values are chosen (the phone's "Filters (3)")."""
        return (
            sum(len(getattr(self, name)) for name in (*self.LISTS, *self.TAGS))
            + sum(1 for v in (self.date_from, self.date_to, self.max_km) if v)
            + int(self.free)
        )

    def to_args(self, **changes) -> dict:
        """The query-string form (for links to other pages and sort orders)."""
        values = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "errors"}
        values.update(changes)
        args: dict = {}
        for name, value in values.items():
            if (
                value in (None, "", [], False)
                or (name == "sort" and value == "date")
                or (name == "page" and value == 1)
                or (name == "view" and value == "list")
            ):
                continue
            if isinstance(value, bool):
                value = "1"
            elif isinstance(value, date):
                value = value.isoformat()
            elif isinstance(value, float) and value.is_integer():
                value = int(value)
            args[name] = value
        return args


# Dates outside app.timeutil's years, and pages and distances beyond these,
# make no sense; such values in a URL are dropped or capped like any other
# nonsense.
MAX_PAGE = 10_000
MAX_KM = 1_000.0
MAX_TAG_CODES = 20


def _parse_date(value: str | None) -> date | None:
    try:
        parsed = date.fromisoformat(value) if value else None
    except ValueError:
        return None
    return parsed if parsed is not None and is_plausible(parsed) else None


def _parse_positive(value: str | None) -> float | None:
    try:
        number = float(value) if value not in (None, "") else None
    except ValueError:
        return None
    return number if number is not None and math.isfinite(number) and number > 0 else None


@dataclass
class Origin:
    """Where distances are measured from (the teacher's school location)."""

    latitude: float
    longitude: float


@dataclass(frozen=True, slots=True)
class Row:
    """A line of the catalogue: a slot with what the list shows of its activity
    and company. Plain values, not ORM objects: loading three entities with
    every column per line cost more than the query itself."""

    slot_id: int
    starts_at: datetime
    ends_at: datetime
    free_places: int
    activity_id: int
    title: str
    kind: str
    venue: str
    city: str  # where the class goes: the activity's town, else the company's
    company_name: str
    distance_km: float | None
    latitude: float | None = None  # where it is, for the map (None online)
    longitude: float | None = None


@dataclass
class Page:
    rows: list[Row]
    page: int
    has_next: bool
    total: Count | None = None


def _mask(column, codes: list[str]) -> ColumnElement:
    wanted = column.type.mask(codes)
    return column.op("&", return_type=Integer)(literal(wanted, Integer)) != 0


def distance_expression(origin: Origin, activity=Activity) -> ColumnElement:
    """Squared-free distance in km from origin to the activity; online activities are 0."""
    km_per_lon = KM_PER_DEGREE_LON_AT_EQUATOR * math.cos(math.radians(origin.latitude))
    dx = (activity.longitude - origin.longitude) * km_per_lon
    dy = (activity.latitude - origin.latitude) * KM_PER_DEGREE_LAT
    return case((activity.venue == "online", literal(0.0)), else_=dx * dx + dy * dy)


# Aliases made once: an alias adapts each column the first time it is used and
# keeps the result, so fresh aliases per request cost milliseconds of Python.
_COMPANY = aliased(Organisation, name="company")
_OFFER = aliased(Activity, name="offer")
_OFFER_COMPANY = aliased(Organisation, name="offer_company")


@dataclass(frozen=True, slots=True)
class Conditions:
    """The filters as SQL, in one place for the slot list (search) and the
    activity list (search_activities) alike."""

    slot: list[ColumnElement]  # on Slot: open, upcoming, in the period, with free places
    offer: list[ColumnElement]  # on the activity and its company, the distance included
    narrows_slots: bool  # asks more of a slot than being open and upcoming
    # What the offer's index (app/catalogue/offer_index.py) does not answer:
    # the words, on the activity and its company.
    rest: list[ColumnElement]


def period(filters: Filters, slot=Slot) -> list[ColumnElement]:
    """Open, upcoming and in the period asked for: what the index on slot
    (status, starts_at) holds of the slot's conditions."""
    now = utcnow()
    first = None
    if filters.date_from:
        first = local_to_utc(datetime.combine(filters.date_from, time.min, LOCAL_TZ))
    # One lower bound, not two: SQLite walks the index from one of them only,
    # and from "now" that can be months of slots before the period starts.
    found = [
        slot.status == "open",
        slot.starts_at >= first if first and first > now else slot.starts_at > now,
    ]
    if filters.date_to:
        last = datetime.combine(filters.date_to, time.max, LOCAL_TZ)
        found.append(slot.starts_at <= local_to_utc(last))
    return found


def conditions(
    filters: Filters, origin: Origin | None, activity=Activity, company=_COMPANY
) -> Conditions:
    """What matches the filters: a slot, open, upcoming, in the period and with
    free places when asked; its activity, published by an approved company, of
    the kinds, sectors, profiles, years and paths asked for, tagged with any
    of the modules, keuzevakken, skills and competences asked for (an EXISTS
    per dimension on activity_tags' key), with the words,
    within the distance from origin. On the entities given for the activity
    and its company: the main query's, or a subquery's aliases."""
    slot = period(filters)
    if filters.free:
        slot.append(Slot.taken < Slot.capacity)

    offer = [activity.status == "published", company.status == "approved"]
    if filters.kind:
        offer.append(activity.kind.in_(filters.kind))
    for name, column in (
        ("sector", activity.sectors),
        ("profile", activity.profiles),
        ("year", activity.years),
        ("path", activity.paths),
    ):
        codes = getattr(filters, name)
        if codes:
            condition = _mask(column, codes)
            if name == "profile":
                # Profile-neutral activities (no profile chosen) suit every profile.
                condition = or_(condition, activity.profiles == frozenset())
            offer.append(condition)
    # Filters the offer's index does not answer (app/catalogue/offer_index.py):
    # the paths that start from its chosen ids apply only these. A new filter
    # on the activity belongs here, unless the index learns it too. The
    # curriculum's tags are here: an EXISTS per dimension on activity_tags' key.
    rest = []
    for dimension in Filters.TAGS:
        codes = getattr(filters, dimension)
        if codes:
            rest.append(tagged_with(activity.id, dimension, codes))
    if filters.q:
        pattern = f"%{_escape_like(filters.q.lower())}%"
        rest.append(
            or_(
                func.lower(activity.title).like(pattern, escape="\\"),
                func.lower(activity.description).like(pattern, escape="\\"),
                func.lower(company.name).like(pattern, escape="\\"),
                func.lower(activity.city).like(pattern, escape="\\"),
            )
        )
    offer += rest
    if origin is not None and filters.max_km:
        distance = distance_expression(origin, activity)
        offer.append(
            or_(
                activity.venue == "online",
                and_(activity.latitude.is_not(None), distance <= filters.max_km**2),
            )
        )
    return Conditions(slot, offer, bool(filters.date_from or filters.date_to or filters.free), rest)


def matching_slots(
    filters: Filters, origin: Origin | None, online: bool | None = None
) -> list[ColumnElement]:
    """The conditions on Slot for a walk in date order: the slot's own, and the
    activity's in a correlated EXISTS rather than in a join. With planner
    statistics (ANALYZE) SQLite otherwise starts from the index on activity
    (status, kind), gathers every slot of those activities and sorts them
    (30 ms at national scale) instead of walking the slots in date order and
    stopping after a page (1 ms). PostgreSQL plans both forms as that walk
    (docs/PERFORMANCE.md)."""
    where = conditions(filters, origin, _OFFER, _OFFER_COMPANY)
    if online is not None:
        where.offer.append(_OFFER.venue == "online" if online else _OFFER.venue != "online")
    return [
        *where.slot,
        select(_OFFER.id)
        .join(_OFFER_COMPANY, _OFFER.company)
        .where(_OFFER.id == Slot.activity_id, *where.offer)
        .exists(),
    ]


# Fewer activities than this pass the filters: their upcoming slots are read
# through the index on slot (activity_id, status, starts_at) and sorted,
# rather than walking the country's upcoming slots in date order for a page.
PROBED_ACTIVITIES = 800
# Up to this many, the walk in date order tests a slot's activity against the
# chosen ids; past it, when most activities pass and a page is near, against
# the filters (the list of ids would cost more than the short walk).
WALKED_WITH_IDS = 8000
# Nearest first starts from the slots of this many nearest activities.
NEAREST_ACTIVITIES = 64
# The count starts from the slots of this many chosen activities.
COUNTED_ACTIVITIES = 2000
# The date walk reads at most this many upcoming slots in the period. Filters
# that few activities pass (a word, a rare combination, a small distance)
# would otherwise make it read every upcoming slot of the country for a page
# (0.6 s at national scale); past this many the activities are chosen first.
WALK_SLOTS = 4000
# Pages this deep are sorted whole by the database, as any deep page must be.
DEEPEST_MERGED_OFFSET = 200
# After every date: the bound of a walk that fewer than WALK_SLOTS slots end.
_NO_HORIZON = datetime(9999, 1, 1)
_WALKED = aliased(Slot, name="walked")


def search(filters: Filters, origin: Origin | None = None, per_page: int = PER_PAGE) -> Page:
    """A page of matching slots, soonest first or nearest first (the same
    distance: soonest first). At most 8 statements, whatever the page holds
    (docs/PERFORMANCE.md, "The catalogue query")."""
    offset = (filters.page - 1) * per_page
    index = offer_index.current()
    if filters.sort == "distance" and origin is not None:
        if offset > DEEPEST_MERGED_OFFSET:
            results = _execute(_sorted_whole(filters, origin), offset, per_page + 1)
        else:
            results = _nearest(index, filters, origin, offset + per_page + 1)[offset:]
    else:
        results = _soonest(index, filters, origin, offset, per_page + 1)
    rows = [
        Row(
            slot_id,
            starts_at,
            ends_at,
            max(capacity - taken, 0),
            activity_id,
            title,
            kind,
            venue,
            city or company_city,
            company_name,
            math.sqrt(d2) if d2 is not None else None,
            None if venue == "online" else latitude,
            None if venue == "online" else longitude,
        )
        for (
            slot_id,
            starts_at,
            ends_at,
            capacity,
            taken,
            activity_id,
            title,
            kind,
            venue,
            city,
            company_name,
            company_city,
            latitude,
            longitude,
            d2,
        ) in results[:per_page]
    ]
    return Page(
        rows=rows,
        page=filters.page,
        has_next=len(results) > per_page,
        total=count_matches(index, filters, origin),
    )


def _rows(origin: Origin | None):
    """The statement's columns and joins: what a line of the list shows."""
    distance = distance_expression(origin) if origin is not None else None
    return (
        select(
            Slot.id,
            Slot.starts_at,
            Slot.ends_at,
            Slot.capacity,
            Slot.taken,
            Activity.id,
            Activity.title,
            Activity.kind,
            Activity.venue,
            Activity.city,
            _COMPANY.name,
            _COMPANY.city,
            Activity.latitude,
            Activity.longitude,
            # Last: the merge of the distance paths sorts on row[-1].
            distance.label("distance2") if distance is not None else literal(None),
        )
        .join(Slot.activity)
        .join(_COMPANY, Activity.company)
    )


def _execute(query, offset: int, limit: int) -> list:
    return db.session.execute(query.offset(offset).limit(limit)).all()


def _soonest(
    index: offer_index.OfferIndex,
    filters: Filters,
    origin: Origin | None,
    offset: int,
    limit: int,
    online: bool | None = None,
) -> list:
    """Matching slots in date order (start, then id), rows offset to offset +
    limit; only online or only other activities when `online` says so.

    The offer's index says which activities pass (decision 0016). When few
    do, their upcoming slots are read through the index on slot
    (activity_id, status, starts_at) and sorted. Otherwise a walk of the
    upcoming slots in date order that stops after the page, bounded to the
    first WALK_SLOTS slots of the period (the start of the last of those is
    found in the index alone), testing each slot's activity against the
    chosen ids or, when most activities pass, against the filters
    themselves (matching_slots). When that walk does not hold the page (the
    period, free places or words leave few slots), the chosen activities'
    slots after all."""
    where = conditions(filters, origin)
    chosen = index.choose(filters, origin, online=online)
    by_date = (Slot.starts_at, Slot.id)
    theirs = (
        _rows(origin)
        .where(*where.slot, *where.rest, offer_index.ids_in(Slot.activity_id, chosen.ids))
        .order_by(*by_date)
    )
    if len(chosen) <= PROBED_ACTIVITIES:
        return _execute(theirs, offset, limit)
    if len(chosen) <= WALKED_WITH_IDS:
        passes = [
            *where.slot,
            *where.rest,
            offer_index.ids_in(Slot.activity_id, chosen.ids, walk=True),
        ]
    else:
        passes = matching_slots(filters, origin, online)
    horizon = _horizon(filters)
    walk = (
        _rows(origin)
        .where(*passes, Slot.starts_at <= func.coalesce(horizon, _NO_HORIZON))
        .order_by(*by_date)
    )
    found = _execute(walk, offset, limit)
    if len(found) == limit:
        return found
    return _execute(theirs, offset, limit)


def _horizon(filters: Filters):
    """The start of the WALK_SLOTS-th upcoming slot of the period (NULL when
    the period has fewer), found in the index on slot (status, starts_at)."""
    return (
        select(_WALKED.starts_at)
        .where(*period(filters, _WALKED))
        .order_by(_WALKED.starts_at)
        .offset(WALK_SLOTS - 1)
        .limit(1)
        .scalar_subquery()
    )


def _nearest(index: offer_index.OfferIndex, filters: Filters, origin: Origin, wanted: int) -> list:
    """The first `wanted` matching slots nearest first, then soonest, then by
    id; activities without a place last, soonest first.

    Online activities are at distance 0: the soonest of them come from the
    date walk. The others are chosen nearest first by the offer's index
    (decision 0016): the slots of the nearest NEAREST_ACTIVITIES of them,
    sorted by the database; once those hold `wanted` slots, no slot of an
    activity farther away can be among the first `wanted` (the index keeps
    every activity as near as the farthest chosen). Else eight times as many,
    and so on. Then the two are merged. Sorting every upcoming slot of the
    country by distance, as one statement must, took 0.2-0.3 s at national
    scale."""
    online = _soonest(index, filters, origin, 0, wanted, online=True)
    where = conditions(filters, origin)
    distance = distance_expression(origin)
    chosen = index.choose(filters, origin, online=False)
    placed = chosen.where(np.isfinite(chosen.distance2))
    near, take = placed, NEAREST_ACTIVITIES
    found: list = []
    while len(placed):
        near = placed.nearest(max(take, wanted))
        query = _rows(origin).where(
            *where.slot, *where.rest, offer_index.ids_in(Slot.activity_id, near.ids)
        )
        found = _execute(query.order_by(distance, Slot.starts_at, Slot.id), 0, wanted)
        if len(found) == wanted or len(near) == len(placed):
            break
        take *= 8
    merged = sorted([*online, *found], key=lambda row: (row[-1], row[1], row[0]))[:wanted]
    if len(merged) < wanted and not filters.max_km:
        nowhere = chosen.where(np.isinf(chosen.distance2))
        query = _rows(origin).where(
            *where.slot, *where.rest, offer_index.ids_in(Slot.activity_id, nowhere.ids)
        )
        merged += _execute(query.order_by(Slot.starts_at, Slot.id), 0, wanted - len(merged))
    return merged


def _sorted_whole(filters: Filters, origin: Origin):
    """Every match sorted by distance in one statement: for deep pages."""
    where = conditions(filters, origin)
    distance = distance_expression(origin)
    # Activities without coordinates last on both databases (SQLite puts NULL first).
    return (
        _rows(origin)
        .where(*where.slot, *where.offer)
        .order_by(distance.nulls_last(), Slot.starts_at, Slot.id)
    )


# The catalogue counts its matches up to this many (docs/decisions/0010): a
# bounded walk of the same index as the page, never every match of the country.
COUNT_LIMIT = 500


@dataclass(frozen=True, slots=True)
class Count:
    """How many slots match: exactly, or "more than" `value`."""

    value: int
    more: bool = False


def count_matches(index: offer_index.OfferIndex, filters: Filters, origin: Origin | None) -> Count:
    """The number of matching slots, counted up to COUNT_LIMIT: the chosen
    activities' upcoming slots through the index on slot (activity_id,
    status, starts_at), activity by activity until more than COUNT_LIMIT are
    found. First among the first COUNTED_ACTIVITIES chosen, which nearly
    always hold that many when more pass (the list of 40,000 ids alone cost
    10 ms); then, when they do not, among every chosen activity (4-5 ms when
    a week's period leaves 20,000 chosen activities 500 slots)."""
    where = conditions(filters, origin)
    chosen = index.choose(filters, origin)

    def among(ids) -> int:
        first = select(Slot.id).where(
            *where.slot, *where.rest, offer_index.ids_in(Slot.activity_id, ids)
        )
        if where.rest:
            first = first.join(Slot.activity).join(_COMPANY, Activity.company)
        first = first.limit(COUNT_LIMIT + 1)
        return db.session.scalar(select(func.count()).select_from(first.subquery()))

    found = among(chosen.ids[:COUNTED_ACTIVITIES])
    if found <= COUNT_LIMIT and len(chosen) > COUNTED_ACTIVITIES:
        found = among(chosen.ids)
    return Count(COUNT_LIMIT, more=True) if found > COUNT_LIMIT else Count(found)


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


# --- activities (the API lists offers, each with a summary of its slots) -------------


@dataclass
class ActivityRow:
    activity: Activity
    next_starts_at: datetime | None
    open_slots: int
    max_free_places: int | None
    distance_km: float | None


@dataclass
class ActivityPage:
    rows: list[ActivityRow]
    page: int
    has_next: bool


def search_activities(
    filters: Filters, origin: Origin | None = None, per_page: int = PER_PAGE
) -> ActivityPage:
    """Published activities of approved companies, with their upcoming open
    slots that match the period and free-places filters summed up.

    When a slot filter is given, only activities with a matching slot are
    listed; otherwise offers without upcoming dates are listed too, after the
    others (by id). Sorted by the next matching date, or by distance from
    origin (then by that date).

    The page's activities are chosen first (their ids), then only those are
    loaded with the summary of their slots: two statements for most pages,
    at most five, whatever the page holds. Summing up every upcoming slot of
    the country first, as this did before, took 100-200 ms per request at
    national scale (docs/PERFORMANCE.md)."""
    where = conditions(filters, origin)
    chosen = offer_index.current().choose(filters, origin)
    offset = (filters.page - 1) * per_page
    if filters.sort == "distance" and origin is not None:
        ids = _page_by_distance(where, chosen, origin, offset, per_page + 1)
    else:
        ids = _page_by_date(
            where,
            chosen,
            matching_slots(filters, origin),
            _horizon(filters),
            offset,
            per_page + 1,
        )
    rows = _summaries(where, origin, ids)
    return ActivityPage(rows=rows[:per_page], page=filters.page, has_next=len(ids) > per_page)


# How many slots the date walk reads at first, per activity wanted: a page's
# activities mostly come from as many slots, since one activity seldom has two
# dates close together; when not, the walk is repeated once, longer.
_WALK_PER_ACTIVITY = (2, 16)


def _chosen_offers(where: Conditions, chosen: offer_index.Chosen):
    """The ids of the chosen activities that also have the words asked for."""
    return (
        select(Activity.id)
        .join(_COMPANY, Activity.company)
        .where(offer_index.ids_in(Activity.id, chosen.ids), *where.rest)
    )


def _page_by_date(
    where: Conditions,
    chosen: offer_index.Chosen,
    matching: list[ColumnElement],
    bound,
    offset: int,
    limit: int,
) -> list[int]:
    """The ids of the activities on the page, in order of their first matching
    slot (then id).

    Walks the matching slots in date order (the catalogue's index walk, see
    matching_slots) and keeps each activity at its first slot, until enough
    activities are found: the first n distinct activities of that walk are
    exactly the first n in order of their next date. Only when a short walk
    finds too few (deep pages, activities with many dates close together) or
    meets the bound of WALK_SLOTS (filters few activities pass) are the
    matching activities' slots grouped per activity."""
    wanted = offset + limit
    # Bounded like the catalogue's walk (_soonest): the first WALK_SLOTS
    # upcoming slots of the period; each row says where the bound lies.
    walk = (
        select(Slot.activity_id, bound)
        .where(*matching, Slot.starts_at <= func.coalesce(bound, _NO_HORIZON))
        .order_by(Slot.starts_at, Slot.activity_id)
    )
    ids: list[int] = []
    complete = False
    for per_activity in _WALK_PER_ACTIVITY:
        slots = per_activity * wanted
        found = db.session.execute(walk.limit(slots)).all()
        ids = list(dict.fromkeys(activity_id for activity_id, _ in found))
        # Short of the slots asked for: the walk met the bound, or (no bound)
        # the last matching slot, and holds every match.
        complete = len(found) < slots and bool(found) and found[0][1] is None
        if len(ids) >= wanted or complete:
            break
    if len(ids) < wanted and not complete:
        # The matching activities first, their matching slots grouped: few
        # activities pass the filters a short walk cannot fill a page with.
        grouped = (
            select(Slot.activity_id)
            .where(*where.slot, Slot.activity_id.in_(_chosen_offers(where, chosen)))
            .group_by(Slot.activity_id)
            .order_by(func.min(Slot.starts_at), Slot.activity_id)
            .limit(wanted)
        )
        ids = list(db.session.scalars(grouped))
    page = ids[offset : offset + limit]
    if len(page) < limit and not where.narrows_slots:
        # Past the activities with dates: those without, by id.
        dateless = (
            select(Activity.id)
            .join(_COMPANY, Activity.company)
            .where(
                offer_index.ids_in(Activity.id, chosen.ids),
                *where.rest,
                ~select(Slot.id).where(Slot.activity_id == Activity.id, *where.slot).exists(),
            )
            .order_by(Activity.id)
            .offset(max(offset - len(ids), 0))
            .limit(limit - len(page))
        )
        page += db.session.scalars(dateless).all()
    return page


def _page_by_distance(
    where: Conditions, chosen: offer_index.Chosen, origin: Origin, offset: int, limit: int
) -> list[int]:
    """The ids of the activities on the page, nearest first (unknown places
    last), the same distance by next matching date, then id.

    As the catalogue's nearest first (_nearest): online activities (distance
    0) soonest first, the others from the nearest ones the offer's index
    chooses, eight times as many each time until they hold the page, merged;
    then those without a place. Deep pages sort every matching activity in
    one statement, as any deep page must."""
    next_starts_at = (
        select(func.min(Slot.starts_at))
        .where(Slot.activity_id == Activity.id, *where.slot)
        .scalar_subquery()
    )
    distance = distance_expression(origin)

    def activities(*conditions, order, skip=0, take):
        query = (
            select(Activity.id, distance, next_starts_at)
            .join(_COMPANY, Activity.company)
            .where(*where.rest, *conditions)
        )
        if where.narrows_slots:
            query = query.where(next_starts_at.is_not(None))
        return db.session.execute(query.order_by(*order).offset(skip).limit(take)).all()

    def among(part: offer_index.Chosen):
        return offer_index.ids_in(Activity.id, part.ids)

    by_date = (next_starts_at.asc().nulls_last(), Activity.id)
    if offset > DEEPEST_MERGED_OFFSET:
        rows = activities(
            among(chosen), order=(distance.nulls_last(), *by_date), skip=offset, take=limit
        )
        return [row[0] for row in rows]
    wanted = offset + limit
    online = activities(among(chosen.where(chosen.distance2 == 0)), order=by_date, take=wanted)
    placed = chosen.where(np.isfinite(chosen.distance2) & (chosen.distance2 > 0))
    found: list = []
    take = NEAREST_ACTIVITIES
    while len(placed):
        near = placed.nearest(max(take, wanted))
        found = activities(among(near), order=(distance, *by_date), take=wanted)
        if len(found) == wanted or len(near) == len(placed):
            break
        take *= 8
    merged = sorted(
        [*online, *found],
        key=lambda row: (row[1], row[2] is None, row[2] or _NO_HORIZON, row[0]),
    )[:wanted]
    if len(merged) < wanted:
        nowhere = chosen.where(np.isinf(chosen.distance2))
        merged += activities(among(nowhere), order=by_date, take=wanted - len(merged))
    return [row[0] for row in merged[offset:]]


def _summaries(where: Conditions, origin: Origin | None, ids: list[int]) -> list[ActivityRow]:
    """The activities with these ids, in this order, each with its company and
    the summary of its matching slots: one statement."""
    if not ids:
        return []
    upcoming = (
        select(
            Slot.activity_id.label("activity_id"),
            func.min(Slot.starts_at).label("next_starts_at"),
            func.count(Slot.id).label("open_slots"),
            func.max(Slot.capacity - Slot.taken).label("max_free_places"),
        )
        .where(Slot.activity_id.in_(ids), *where.slot)
        .group_by(Slot.activity_id)
        .subquery("upcoming")
    )
    distance = distance_expression(origin) if origin is not None else None
    query = (
        select(
            Activity,
            upcoming.c.next_starts_at,
            upcoming.c.open_slots,
            upcoming.c.max_free_places,
            distance.label("distance2") if distance is not None else literal(None),
        )
        .join(_COMPANY, Activity.company)
        .outerjoin(upcoming, upcoming.c.activity_id == Activity.id)
        .options(contains_eager(Activity.company.of_type(_COMPANY)))
        .where(Activity.id.in_(ids))
    )
    found = {
        activity.id: ActivityRow(
            activity,
            next_starts_at,
            open_slots or 0,
            max_free,
            math.sqrt(d2) if d2 is not None else None,
        )
        for activity, next_starts_at, open_slots, max_free, d2 in db.session.execute(query)
    }
    # An activity archived between the two statements is left out.
    return [found[i] for i in ids if i in found]
