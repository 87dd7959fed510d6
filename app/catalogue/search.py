"""The catalogue query: bookable slots of published activities, filtered.

The catalogue lists slots (dated occurrences), not activities: a teacher looks
for something on a date that suits a class, and a slot list sorted by date is
one index walk that stops after a page of matches, also at national scale
(docs/decisions/0003-catalogue-lists-slots.md). There is deliberately no total
count: counting every match costs more than the page itself; the page says
whether a next page exists by fetching one row more.

Distance is the equirectangular approximation in plain arithmetic, which
SQLite and PostgreSQL both evaluate without math extensions; over the
distances inside the Netherlands it is within 1% of the great-circle distance.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields
from datetime import date, datetime, time

from sqlalchemy import ColumnElement, Integer, and_, case, func, literal, or_, select
from sqlalchemy.orm import aliased, contains_eager

from app import vocabulary
from app.accounts.models import Organisation
from app.catalogue.models import Activity, Slot
from app.extensions import db
from app.timeutil import LOCAL_TZ, local_to_utc, utcnow

KM_PER_DEGREE_LAT = 110.574
KM_PER_DEGREE_LON_AT_EQUATOR = 111.320
PER_PAGE = 20


@dataclass
class Filters:
    """Catalogue filters; every field maps to one query-string parameter."""

    kind: list[str] = field(default_factory=list)
    sector: list[str] = field(default_factory=list)
    profile: list[str] = field(default_factory=list)
    year: list[str] = field(default_factory=list)
    path: list[str] = field(default_factory=list)
    date_from: date | None = None
    date_to: date | None = None
    free: bool = False
    max_km: float | None = None
    q: str = ""
    sort: str = "date"
    page: int = 1

    LISTS = {
        "kind": vocabulary.ACTIVITY_KINDS,
        "sector": vocabulary.SECTORS,
        "profile": vocabulary.PROFILES,
        "year": vocabulary.YEARS,
        "path": vocabulary.PATHS,
    }

    @classmethod
    def from_args(cls, args) -> Filters:
        """Reads request.args (a MultiDict). Values that make no sense are
        dropped rather than refused: a shared link keeps working."""
        filters = cls()
        for name, words in cls.LISTS.items():
            setattr(filters, name, [v for v in args.getlist(name) if v in words])
        filters.date_from = _parse_date(args.get("date_from"))
        filters.date_to = _parse_date(args.get("date_to"))
        filters.free = args.get("free") in ("1", "on", "true", "yes")
        max_km = _parse_positive(args.get("max_km"))
        filters.max_km = min(max_km, MAX_KM) if max_km else None
        filters.q = (args.get("q") or "").strip()[:100]
        filters.sort = args.get("sort") if args.get("sort") in ("date", "distance") else "date"
        page = _parse_positive(args.get("page"))
        filters.page = min(int(page), MAX_PAGE) if page and page >= 1 else 1
        return filters

    def key(self) -> tuple:
        """The filters as a hashable value (cache keys): equal for equal filters."""
        return tuple((name, tuple(value) if isinstance(value, list) else value)
                     for name, value in self.to_args().items())

    def to_args(self, **changes) -> dict:
        """The query-string form (for links to other pages and sort orders)."""
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        values.update(changes)
        args: dict = {}
        for name, value in values.items():
            if value in (None, "", [], False) or (name == "sort" and value == "date") or (
                name == "page" and value == 1
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


# Dates far outside any school year cannot be converted between time zones
# (year 1 minus an hour is no date), and pages and distances beyond these make
# no sense; such values in a URL are dropped or capped like any other nonsense.
FIRST_YEAR, LAST_YEAR = 2000, 2999
MAX_PAGE = 10_000
MAX_KM = 1_000.0


def _parse_date(value: str | None) -> date | None:
    try:
        parsed = date.fromisoformat(value) if value else None
    except ValueError:
        return None
    return parsed if parsed is not None and FIRST_YEAR <= parsed.year <= LAST_YEAR else None


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


@dataclass
class Page:
    rows: list[Row]
    page: int
    has_next: bool


def _mask(column, codes: list[str]) -> ColumnElement:
    wanted = column.type.mask(codes)
    return column.op("&", return_type=Integer)(literal(wanted, Integer)) != 0


def distance_expression(origin: Origin) -> ColumnElement:
    """Squared-free distance in km from origin to the activity; online activities are 0."""
    km_per_lon = KM_PER_DEGREE_LON_AT_EQUATOR * math.cos(math.radians(origin.latitude))
    dx = (Activity.longitude - origin.longitude) * km_per_lon
    dy = (Activity.latitude - origin.latitude) * KM_PER_DEGREE_LAT
    return case((Activity.venue == "online", literal(0.0)), else_=dx * dx + dy * dy)


# Aliases made once: an alias adapts each column the first time it is used and
# keeps the result, so fresh aliases per request cost milliseconds of Python.
_COMPANY = aliased(Organisation, name="company")
_OFFER = aliased(Activity, name="offer")
_OFFER_COMPANY = aliased(Organisation, name="offer_company")


def _offer_conditions(filters: Filters, activity, company) -> list[ColumnElement]:
    """The filters on the activity and its company (the slot's own are apart)."""
    conditions = [activity.status == "published", company.status == "approved"]
    if filters.kind:
        conditions.append(activity.kind.in_(filters.kind))
    for name, column in (("sector", activity.sectors), ("profile", activity.profiles),
                         ("year", activity.years), ("path", activity.paths)):
        codes = getattr(filters, name)
        if codes:
            condition = _mask(column, codes)
            if name == "profile":
                # Profile-neutral activities (no profile chosen) suit every profile.
                condition = or_(condition, activity.profiles == frozenset())
            conditions.append(condition)
    if filters.q:
        pattern = f"%{_escape_like(filters.q.lower())}%"
        conditions.append(
            or_(
                func.lower(activity.title).like(pattern, escape="\\"),
                func.lower(activity.description).like(pattern, escape="\\"),
                func.lower(company.name).like(pattern, escape="\\"),
                func.lower(activity.city).like(pattern, escape="\\"),
            )
        )
    return conditions


def search(filters: Filters, origin: Origin | None = None, per_page: int = PER_PAGE) -> Page:
    company = _COMPANY
    now = utcnow()
    conditions = [Slot.status == "open", Slot.starts_at > now]
    if filters.date_from:
        first = datetime.combine(filters.date_from, time.min, LOCAL_TZ)
        conditions.append(Slot.starts_at >= local_to_utc(first))
    if filters.date_to:
        last = datetime.combine(filters.date_to, time.max, LOCAL_TZ)
        conditions.append(Slot.starts_at <= local_to_utc(last))
    if filters.free:
        conditions.append(Slot.taken < Slot.capacity)
    by_distance = filters.sort == "distance" and origin is not None
    if by_distance:
        # Every match is sorted anyway: let the planner start from the activities.
        conditions.extend(_offer_conditions(filters, Activity, company))
    else:
        # In date order the activity's filters sit in a correlated EXISTS rather
        # than in the join: with planner statistics (ANALYZE) SQLite otherwise
        # starts from the index on activity (status, kind), gathers every slot
        # of those activities and sorts them (30 ms at national scale) instead
        # of walking the slots in date order and stopping after a page (1 ms).
        # PostgreSQL plans both forms as that walk (docs/PERFORMANCE.md).
        conditions.append(
            select(_OFFER.id)
            .join(_OFFER_COMPANY, _OFFER.company)
            .where(_OFFER.id == Slot.activity_id,
                   *_offer_conditions(filters, _OFFER, _OFFER_COMPANY))
            .exists()
        )
    distance = None
    if origin is not None:
        distance = distance_expression(origin)
        if filters.max_km:
            conditions.append(or_(Activity.venue == "online", and_(
                Activity.latitude.is_not(None), distance <= filters.max_km ** 2)))
    query = (
        select(
            Slot.id, Slot.starts_at, Slot.ends_at, Slot.capacity, Slot.taken,
            Activity.id, Activity.title, Activity.kind, Activity.venue, Activity.city,
            company.name, company.city,
            distance.label("distance2") if distance is not None else literal(None),
        )
        .join(Slot.activity)
        .join(company, Activity.company)
        .where(*conditions)
    )
    if by_distance:
        # Activities without coordinates last on both databases (SQLite puts NULL first).
        query = query.order_by(distance.nulls_last(), Slot.starts_at, Slot.id)
    else:
        query = query.order_by(Slot.starts_at, Slot.id)
    offset = (filters.page - 1) * per_page
    results = db.session.execute(query.offset(offset).limit(per_page + 1)).all()
    rows = [
        Row(slot_id, starts_at, ends_at, max(capacity - taken, 0), activity_id, title, kind,
            venue, city or company_city, company_name,
            math.sqrt(d2) if d2 is not None else None)
        for (slot_id, starts_at, ends_at, capacity, taken, activity_id, title, kind, venue,
             city, company_name, company_city, d2) in results[:per_page]
    ]
    return Page(rows=rows, page=filters.page, has_next=len(results) > per_page)


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


def search_activities(filters: Filters, origin: Origin | None = None,
                      per_page: int = PER_PAGE) -> ActivityPage:
    """Published activities of approved companies, with the upcoming open slots
    that match the period and free-places filters summed up per activity.

    One statement per page whatever the page holds: the slot summary is a
    grouped subquery joined to the activities, not a query per activity. When a
    slot filter is given, only activities with a matching slot are listed;
    otherwise offers without upcoming dates are listed too, after the others.
    Sorted by the next matching date, or by distance from origin."""
    company = aliased(Organisation)
    now = utcnow()
    slot_conditions = [Slot.status == "open", Slot.starts_at > now]
    if filters.date_from:
        first = datetime.combine(filters.date_from, time.min, LOCAL_TZ)
        slot_conditions.append(Slot.starts_at >= local_to_utc(first))
    if filters.date_to:
        last = datetime.combine(filters.date_to, time.max, LOCAL_TZ)
        slot_conditions.append(Slot.starts_at <= local_to_utc(last))
    if filters.free:
        slot_conditions.append(Slot.taken < Slot.capacity)
    upcoming = (
        select(
            Slot.activity_id.label("activity_id"),
            func.min(Slot.starts_at).label("next_starts_at"),
            func.count(Slot.id).label("open_slots"),
            func.max(Slot.capacity - Slot.taken).label("max_free_places"),
        )
        .where(*slot_conditions)
        .group_by(Slot.activity_id)
        .subquery("upcoming")
    )
    slot_filtered = bool(filters.date_from or filters.date_to or filters.free)

    conditions = [Activity.status == "published", company.status == "approved"]
    if filters.kind:
        conditions.append(Activity.kind.in_(filters.kind))
    for name, column in (("sector", Activity.sectors), ("profile", Activity.profiles),
                         ("year", Activity.years), ("path", Activity.paths)):
        codes = getattr(filters, name)
        if codes:
            condition = _mask(column, codes)
            if name == "profile":
                condition = or_(condition, Activity.profiles == frozenset())
            conditions.append(condition)
    if filters.q:
        pattern = f"%{_escape_like(filters.q.lower())}%"
        conditions.append(
            or_(
                func.lower(Activity.title).like(pattern, escape="\\"),
                func.lower(Activity.description).like(pattern, escape="\\"),
                func.lower(company.name).like(pattern, escape="\\"),
                func.lower(Activity.city).like(pattern, escape="\\"),
            )
        )
    distance = None
    if origin is not None:
        distance = distance_expression(origin)
        if filters.max_km:
            conditions.append(or_(Activity.venue == "online", and_(
                Activity.latitude.is_not(None), distance <= filters.max_km ** 2)))
    query = (
        select(
            Activity,
            upcoming.c.next_starts_at,
            upcoming.c.open_slots,
            upcoming.c.max_free_places,
            distance.label("distance2") if distance is not None else literal(None),
        )
        .join(company, Activity.company)
        .join(upcoming, upcoming.c.activity_id == Activity.id, isouter=not slot_filtered)
        .options(contains_eager(Activity.company.of_type(company)))
        .where(*conditions)
    )
    by_date = upcoming.c.next_starts_at.asc().nulls_last()
    if filters.sort == "distance" and distance is not None:
        query = query.order_by(distance.nulls_last(), by_date, Activity.id)
    else:
        query = query.order_by(by_date, Activity.id)
    offset = (filters.page - 1) * per_page
    results = db.session.execute(query.offset(offset).limit(per_page + 1)).all()
    rows = [
        ActivityRow(activity, next_starts_at, open_slots or 0, max_free,
                    math.sqrt(d2) if d2 is not None else None)
        for activity, next_starts_at, open_slots, max_free, d2 in results[:per_page]
    ]
    return ActivityPage(rows=rows, page=filters.page, has_next=len(results) > per_page)
