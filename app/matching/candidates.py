"""The database's part of matching: choosing the candidates and reading them
as the plain facts that app/matching/ranking.py ranks.

The queries leave out what can never fit (the wrong year or learning path, a
slot in the past, a company's premises beyond the class's reach) and cap the
number of candidates, so ranking stays cheap; the order is ranking's business.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from datetime import datetime, time, timedelta

from sqlalchemy import Integer, case, func, literal, or_, select

from app.accounts.models import Organisation
from app.catalogue.models import Activity, Slot
from app.catalogue.search import Origin, distance_expression
from app.curriculum import service as curriculum
from app.curriculum.models import ActivityTag, SchoolOffer
from app.extensions import db
from app.matching import ranking
from app.matching.ranking import (
    PROFILE_SECTORS,
    CompanyFacts,
    Point,
    RequestFacts,
    SlotFacts,
    Suggestion,
)
from app.placements.models import Professional
from app.school_requests.models import RUNNING, SchoolRequest
from app.school_year import SchoolYear
from app.timeutil import LOCAL_TZ, local_to_utc, to_local, utcnow

# Slots this many days either side of the preferred period are still shown
# (ranked lower): a date just after it may suit the teacher too.
WINDOW_DAYS = ranking.NEAR_PERIOD_DAYS
MAX_CANDIDATES = 300
SHOWN = 10


def _point(latitude, longitude) -> Point | None:
    if latitude is None or longitude is None:
        return None
    return Point(latitude, longitude)


def _mask(column, codes) -> object:
    wanted = column.type.mask(codes)
    return column.op("&", return_type=Integer)(literal(wanted, Integer)) != 0


def request_facts(request: SchoolRequest) -> RequestFacts:
    return requests_as_facts([request])[0]


def requests_as_facts(requests: list[SchoolRequest]) -> list[RequestFacts]:
    """The requests with their curriculum: two queries for any number (the
    modules by profile, and the offers of their schools)."""
    if not requests:
        return []
    modules: dict[str, set[str]] = defaultdict(set)
    for entry in curriculum.entries("module"):
        modules[entry.profile].add(entry.code)
    offers: dict[tuple[int, int], dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for location_id, year, dimension, code in db.session.execute(
        select(
            SchoolOffer.location_id,
            SchoolOffer.school_year,
            SchoolOffer.dimension,
            SchoolOffer.code,
        ).where(SchoolOffer.location_id.in_({r.school_id for r in requests}))
    ):
        offers[location_id, year][dimension].add(code)
    found = []
    for request in requests:
        offer = offers.get((request.school_id, SchoolYear.containing(request.first_day).start), {})
        profiles = {request.profile} if request.profile else offer.get("profile", set())
        found.append(
            _request_facts(
                request,
                modules=frozenset(code for p in profiles for code in modules.get(p, ())),
                keuzevakken=frozenset(offer.get("keuzevak", ())),
            )
        )
    return found


def _request_facts(
    request: SchoolRequest, modules: frozenset[str], keuzevakken: frozenset[str]
) -> RequestFacts:
    school = request.school
    return RequestFacts(
        id=request.id,
        kind=request.kind,
        profile=request.profile,
        year=request.year,
        path=request.path,
        group_size=request.group_size,
        first_day=request.first_day,
        last_day=request.last_day,
        venues=frozenset(request.venues),
        max_km=request.max_km,
        origin=_point(school.latitude, school.longitude),
        school_name=school.name,
        modules=modules,
        keuzevakken=keuzevakken,
    )


# --- slots for a request -------------------------------------------------------------------


def slot_candidates(facts: RequestFacts, limit: int = MAX_CANDIDATES) -> list[SlotFacts]:
    now = utcnow()
    first = local_to_utc(
        datetime.combine(facts.first_day - timedelta(days=WINDOW_DAYS), time.min, LOCAL_TZ)
    )
    last = local_to_utc(
        datetime.combine(facts.last_day + timedelta(days=WINDOW_DAYS), time.max, LOCAL_TZ)
    )
    conditions = [
        Slot.status == "open",
        Slot.starts_at > now,
        Slot.starts_at >= first,
        Slot.starts_at <= last,
        Activity.status == "published",
        Organisation.status == "approved",
        _mask(Activity.years, [facts.year]),
        _mask(Activity.paths, [facts.path]),
        Activity.max_group_size >= facts.group_size,
        Slot.capacity >= facts.group_size,
    ]
    if facts.profile:
        conditions.append(
            or_(_mask(Activity.profiles, [facts.profile]), Activity.profiles == frozenset())
        )
    if facts.origin is not None and facts.max_km:
        # The class cannot travel further: the catalogue's own distance filter.
        distance = distance_expression(Origin(facts.origin.latitude, facts.origin.longitude))
        conditions.append(
            or_(
                Activity.venue != "company",
                Activity.latitude.is_(None),
                distance <= facts.max_km**2,
            )
        )
    rows = db.session.execute(
        select(Slot.id, Slot.starts_at, Slot.capacity, Slot.taken, Activity, Organisation.name)
        .join(Slot.activity)
        .join(Organisation, Organisation.id == Activity.company_id)
        .where(*conditions)
        .order_by(Slot.starts_at, Slot.id)
        .limit(limit)
    ).all()
    tags = curriculum.tags_of_many(row[4].id for row in rows)
    return [
        SlotFacts(
            slot_id=slot_id,
            activity_id=activity.id,
            company_id=activity.company_id,
            title=activity.title,
            company_name=company_name,
            kind=activity.kind,
            profiles=frozenset(activity.profiles),
            years=frozenset(activity.years),
            paths=frozenset(activity.paths),
            venue=activity.venue,
            location=_point(activity.latitude, activity.longitude),
            day=to_local(starts_at).date(),
            starts_at=starts_at,
            free_places=max(capacity - taken, 0),
            capacity=capacity,
            max_group_size=activity.max_group_size,
            modules=frozenset(tags.get(activity.id, {}).get("module", ())),
            keuzevakken=frozenset(tags.get(activity.id, {}).get("keuzevak", ())),
        )
        for slot_id, starts_at, capacity, taken, activity, company_name in rows
    ]


def slot_suggestions(request: SchoolRequest, shown: int = SHOWN) -> list[Suggestion]:
    facts = request_facts(request)
    if request.is_placement:
        return []
    return ranking.rank_slots(facts, slot_candidates(facts))[:shown]


# --- companies ---------------------------------------------------------------------------------


def _company_distance(origin: Point):
    """Squared km from origin to the company, as catalogue.search's expression."""
    km_per_lon = ranking.KM_PER_DEGREE_LON_AT_EQUATOR * math.cos(math.radians(origin.latitude))
    dx = (Organisation.longitude - origin.longitude) * km_per_lon
    dy = (Organisation.latitude - origin.latitude) * ranking.KM_PER_DEGREE_LAT
    return dx * dx + dy * dy


def companies_as_facts(companies: list[Organisation]) -> list[CompanyFacts]:
    """The companies with what they offer and offered: three queries for any number."""
    if not companies:
        return []
    ids = [c.id for c in companies]
    offered: dict[int, set[str]] = defaultdict(set)
    kinds: dict[int, Counter] = defaultdict(Counter)
    for company_id, kind, profiles, status in db.session.execute(
        select(Activity.company_id, Activity.kind, Activity.profiles, Activity.status).where(
            Activity.company_id.in_(ids), Activity.status.in_(("published", "archived"))
        )
    ):
        kinds[company_id][kind] += 1
        if status == "published":
            offered[company_id] |= set(profiles)
    candidates = _candidates_per_company(ids)
    keuzevakken: dict[int, set[str]] = defaultdict(set)
    for company_id, code in db.session.execute(
        select(Activity.company_id, ActivityTag.code)
        .join(ActivityTag, ActivityTag.activity_id == Activity.id)
        .where(
            Activity.company_id.in_(ids),
            Activity.status == "published",
            ActivityTag.dimension == "keuzevak",
        )
    ):
        keuzevakken[company_id].add(code)
    return [
        CompanyFacts(
            id=c.id,
            name=c.name,
            sectors=frozenset(c.sectors),
            profiles=frozenset(c.profiles),
            offered_profiles=frozenset(offered[c.id]),
            location=_point(c.latitude, c.longitude),
            kinds_offered=dict(kinds[c.id]),
            candidates=candidates.get(c.id, 0),
            keuzevakken=frozenset(keuzevakken[c.id]),
        )
        for c in companies
    ]


def _candidates_per_company(ids: list[int]) -> dict[int, int]:

    rows = db.session.execute(
        select(Professional.company_id, func.count(Professional.id))
        .where(Professional.company_id.in_(ids), Professional.status == "approved")
        .group_by(Professional.company_id)
    )
    return {company_id: count for company_id, count in rows}


def company_facts(company: Organisation) -> CompanyFacts:
    return companies_as_facts([company])[0]


def company_candidates(facts: RequestFacts, limit: int = MAX_CANDIDATES) -> list[Organisation]:
    """Approved companies whose sectors or profiles could fit, nearest first."""
    conditions = [Organisation.kind == "company", Organisation.status == "approved"]
    if facts.profile:
        sectors = PROFILE_SECTORS.get(facts.profile, ())
        offers_profile = (
            select(Activity.id)
            .where(
                Activity.company_id == Organisation.id,
                Activity.status == "published",
                _mask(Activity.profiles, [facts.profile]),
            )
            .exists()
        )
        options = [_mask(Organisation.profiles, [facts.profile]), offers_profile]
        if sectors:
            options.append(_mask(Organisation.sectors, sectors))
        conditions.append(or_(*options))
    query = select(Organisation).where(*conditions)
    if facts.origin is not None:
        distance = _company_distance(facts.origin)
        query = query.order_by(
            case((Organisation.latitude.is_(None), 1), else_=0), distance, Organisation.id
        )
    else:
        query = query.order_by(Organisation.name, Organisation.id)
    return list(db.session.scalars(query.limit(limit)))


def company_suggestions(request: SchoolRequest, shown: int = SHOWN) -> list[Suggestion]:
    facts = request_facts(request)
    companies = companies_as_facts(company_candidates(facts))
    return ranking.rank_companies(facts, companies)[:shown]


# --- requests for a company ----------------------------------------------------------------------


def running_requests(*conditions, limit: int | None = None) -> list[SchoolRequest]:
    from sqlalchemy.orm import joinedload

    query = (
        select(SchoolRequest)
        .options(joinedload(SchoolRequest.school))
        .where(SchoolRequest.status.in_(RUNNING), *conditions)
        .order_by(SchoolRequest.last_day, SchoolRequest.id)
    )
    if limit:
        query = query.limit(limit)
    return list(db.session.scalars(query))


def _profiles_for(company: CompanyFacts) -> set[str]:
    profiles = set(company.profiles) | set(company.offered_profiles)
    for profile, sectors in PROFILE_SECTORS.items():
        if set(sectors) & company.sectors:
            profiles.add(profile)
    return profiles


def request_suggestions(
    company: Organisation, limit: int = 500
) -> list[tuple[Suggestion, SchoolRequest]]:
    """The running requests this company could serve, ranked; each with its row."""
    facts = company_facts(company)
    profiles = sorted(_profiles_for(facts))
    condition = or_(SchoolRequest.profile.is_(None), SchoolRequest.profile.in_(profiles))
    requests = running_requests(condition, limit=limit)
    by_id = {r.id: r for r in requests}
    ranked = ranking.rank_requests(facts, requests_as_facts(requests))
    return [(s, by_id[s.subject.id]) for s in ranked]


def matching_request_ids(company: Organisation) -> set[int]:
    return {request.id for _s, request in request_suggestions(company)}
