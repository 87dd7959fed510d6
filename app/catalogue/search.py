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
        filters.max_km = _parse_positive(args.get("max_km"))
        filters.q = (args.get("q") or "").strip()[:100]
        filters.sort = args.get("sort") if args.get("sort") in ("date", "distance") else "date"
        page = _parse_positive(args.get("page"))
        filters.page = int(page) if page and page >= 1 else 1
        return filters

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


def _parse_date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


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


@dataclass
class Row:
    slot: Slot
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


def search(filters: Filters, origin: Origin | None = None, per_page: int = PER_PAGE) -> Page:
    company = aliased(Organisation)
    now = utcnow()
    conditions = [
        Slot.status == "open",
        Slot.starts_at > now,
        Activity.status == "published",
        company.status == "approved",
    ]
    if filters.kind:
        conditions.append(Activity.kind.in_(filters.kind))
    for name, column in (("sector", Activity.sectors), ("profile", Activity.profiles),
                         ("year", Activity.years), ("path", Activity.paths)):
        codes = getattr(filters, name)
        if codes:
            condition = _mask(column, codes)
            if name == "profile":
                # Profile-neutral activities (no profile chosen) suit every profile.
                condition = or_(condition, Activity.profiles == frozenset())
            conditions.append(condition)
    if filters.date_from:
        conditions.append(Slot.starts_at >= local_to_utc(datetime.combine(filters.date_from, time.min, LOCAL_TZ)))
    if filters.date_to:
        conditions.append(Slot.starts_at <= local_to_utc(datetime.combine(filters.date_to, time.max, LOCAL_TZ)))
    if filters.free:
        conditions.append(Slot.taken < Slot.capacity)
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
        select(Slot, distance.label("distance2") if distance is not None else literal(None))
        .join(Slot.activity)
        .join(company, Activity.company)
        .options(contains_eager(Slot.activity).contains_eager(Activity.company.of_type(company)))
        .where(*conditions)
    )
    if filters.sort == "distance" and distance is not None:
        query = query.order_by(distance, Slot.starts_at, Slot.id)
    else:
        query = query.order_by(Slot.starts_at, Slot.id)
    offset = (filters.page - 1) * per_page
    results = db.session.execute(query.offset(offset).limit(per_page + 1)).unique().all()
    rows = [
        Row(slot, math.sqrt(d2) if d2 is not None else None)
        for slot, d2 in results[:per_page]
    ]
    return Page(rows=rows, page=filters.page, has_next=len(results) > per_page)


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
