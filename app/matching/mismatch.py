"""Where supply and demand miss each other: the coordinators' mismatch figures.

- Requests unanswered after two weeks: running requests in state open (no
  open proposal) posted at least UNANSWERED_AFTER ago; by profile, and by
  sector, where a request counts in every sector its profile leads to
  (matching.ranking.PROFILE_SECTORS), so the sector rows can add up to more
  than the total, and requests without a profile (years 1 and 2) are in none.
- Demand without supply within reach: running requests for which no published
  activity of an approved company has an open date to come that suits the
  group's year and names its profile, at a place the class can reach. A
  profile-neutral activity does not count as supply for a profile: the
  request asks for that profile. A request without a profile is served by
  anything for its year. Activities at the school or online are within
  reach; at the company, within the request's travel distance from the
  school (when either location is unknown, the benefit of the doubt). The
  kind is not compared: the figure is about profiles and years.
- Schools with no activity at all this school year: app/insights' idle
  schools (no booking asked, confirmed or done for a date this school year)
  that posted no request this school year either.
- Companies with offers but no bookings: app/insights' idle companies.

Every figure links to the list behind it; tests recompute each from raw rows.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import exists, func, select

from app import vocabulary
from app.accounts.models import Organisation
from app.catalogue.models import Activity, Slot
from app.extensions import db
from app.insights import service as insights
from app.insights.filters import SchoolYear, Scope
from app.matching.ranking import PROFILE_SECTORS, Point, distance_km
from app.school_requests.models import RUNNING, SchoolRequest, unanswered_conditions
from app.timeutil import to_local, utcnow

# --- pure: is a request served? ------------------------------------------------------------


@dataclass(frozen=True)
class Demand:
    id: int
    profile: str | None
    year: str
    max_km: int | None
    origin: Point | None


@dataclass(frozen=True)
class Supply:
    activity_id: int
    profiles: frozenset[str]
    years: frozenset[str]
    venue: str
    location: Point | None


def within_reach(demand: Demand, supply: Supply) -> bool:
    if supply.venue != "company" or demand.max_km is None:
        return True
    if demand.origin is None or supply.location is None:
        return True
    return distance_km(demand.origin, supply.location) <= demand.max_km


def serves(supply: Supply, demand: Demand) -> bool:
    if demand.year not in supply.years:
        return False
    if demand.profile is not None and demand.profile not in supply.profiles:
        return False
    return within_reach(demand, supply)


def unserved(demands: list[Demand], supplies: list[Supply]) -> list[Demand]:
    return [d for d in demands if not any(serves(s, d) for s in supplies)]


# --- reading the facts ------------------------------------------------------------------------


def _point(latitude, longitude) -> Point | None:
    return None if latitude is None or longitude is None else Point(latitude, longitude)


def _running_demand(now: datetime) -> list[Demand]:
    today = to_local(now).date()
    rows = db.session.execute(
        select(
            SchoolRequest.id,
            SchoolRequest.profile,
            SchoolRequest.year,
            SchoolRequest.max_km,
            Organisation.latitude,
            Organisation.longitude,
        )
        .join(Organisation, Organisation.id == SchoolRequest.school_id)
        .where(SchoolRequest.status.in_(RUNNING), SchoolRequest.last_day >= today)
        .order_by(SchoolRequest.id)
    )
    return [Demand(i, p, y, km, _point(lat, lon)) for i, p, y, km, lat, lon in rows]


def _supply(now: datetime) -> list[Supply]:
    """Published activities of approved companies with an open date to come:
    one row per activity, however many dates it has."""
    has_date = exists(
        select(Slot.id).where(
            Slot.activity_id == Activity.id, Slot.status == "open", Slot.starts_at > now
        )
    )
    rows = db.session.execute(
        select(
            Activity.id,
            Activity.profiles,
            Activity.years,
            Activity.venue,
            Activity.latitude,
            Activity.longitude,
        )
        .join(Organisation, Organisation.id == Activity.company_id)
        .where(Activity.status == "published", Organisation.status == "approved", has_date)
    )
    return [
        Supply(i, frozenset(p), frozenset(y), v, _point(lat, lon)) for i, p, y, v, lat, lon in rows
    ]


def unserved_request_ids(now: datetime | None = None) -> list[int]:
    now = now or utcnow()
    return [d.id for d in unserved(_running_demand(now), _supply(now))]


# --- the figures -------------------------------------------------------------------------------


@dataclass
class Row:
    label: str
    count: int
    args: dict  # the query string of the list behind the number


@dataclass
class Figures:
    school_year: SchoolYear
    unanswered: int
    unanswered_by_profile: list[Row]
    unanswered_by_sector: list[Row]
    unserved: int
    unserved_by_profile_and_year: list[Row]
    idle_schools: int
    idle_companies: int


def _profile_label(code: str | None) -> str:
    if code is None:
        return str(insights.NO_PROFILE_LABEL)
    return str(vocabulary.PROFILES.get(code, code))


def _profile_arg(code: str | None) -> str:
    return vocabulary.NO_PROFILE if code is None else code


def unanswered_by_profile(now: datetime) -> Counter:
    rows = db.session.execute(
        select(SchoolRequest.profile, func.count(SchoolRequest.id))
        .where(*unanswered_conditions(now))
        .group_by(SchoolRequest.profile)
    )
    return Counter({profile: count for profile, count in rows})


def by_sector(per_profile: Counter) -> Counter:
    found: Counter = Counter()
    for profile, count in per_profile.items():
        for sector in PROFILE_SECTORS.get(profile, ()):
            found[sector] += count
    return found


def idle_schools_query(school_year: SchoolYear):
    """insights' schools without bookings this school year, less those that
    posted a request in it: asking is activity too."""
    start, end = school_year.bounds
    asked = exists(
        select(SchoolRequest.id).where(
            SchoolRequest.school_id == Organisation.id,
            SchoolRequest.created_at >= start,
            SchoolRequest.created_at < end,
        )
    )
    return insights.idle_schools_query(Scope.region(), school_year).where(~asked)


def idle_companies_query(school_year: SchoolYear):
    return insights.idle_companies_query(Scope.region(), school_year)


def figures(now: datetime | None = None, school_year: SchoolYear | None = None) -> Figures:
    now = now or utcnow()
    school_year = school_year or SchoolYear.containing(to_local(now).date())
    per_profile = unanswered_by_profile(now)
    profile_order = [*vocabulary.PROFILES, None]
    unanswered_rows = [
        Row(_profile_label(p), per_profile[p], {"figure": "unanswered", "profile": _profile_arg(p)})
        for p in profile_order
        if per_profile.get(p)
    ]
    per_sector = by_sector(per_profile)
    sector_rows = [
        Row(str(label), per_sector[code], {"figure": "unanswered", "sector": code})
        for code, label in vocabulary.SECTORS.items()
        if per_sector.get(code)
    ]
    demand = {d.id: d for d in _running_demand(now)}
    missing = unserved(list(demand.values()), _supply(now))
    pairs = Counter((d.profile, d.year) for d in missing)
    unserved_rows = [
        Row(
            f"{_profile_label(p)}, {vocabulary.YEARS[y]}",
            pairs[(p, y)],
            {"figure": "unserved", "profile": _profile_arg(p), "year": y},
        )
        for p in profile_order
        for y in vocabulary.YEARS
        if pairs.get((p, y))
    ]
    return Figures(
        school_year=school_year,
        unanswered=sum(per_profile.values()),
        unanswered_by_profile=unanswered_rows,
        unanswered_by_sector=sector_rows,
        unserved=len(missing),
        unserved_by_profile_and_year=unserved_rows,
        idle_schools=insights.count(idle_schools_query(school_year)),
        idle_companies=insights.count(idle_companies_query(school_year)),
    )


def idle_organisations(which: str, school_year: SchoolYear) -> list[Organisation]:
    query = (
        idle_schools_query(school_year) if which == "schools" else idle_companies_query(school_year)
    )
    return list(db.session.scalars(query.order_by(Organisation.city, Organisation.name)))
