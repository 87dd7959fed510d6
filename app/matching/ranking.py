"""The ranking of suggestions: which slots fit a school request, which
companies could offer it, and which requests a company could serve.

Pure functions on plain data (the *Facts classes below): the database only
chooses the candidates (app/matching/candidates.py), this module decides their
order, so the order can be checked by hand. docs/decisions/0005-ranking.md
explains the choices; the tables here are the reference.

Every suggestion carries its reasons: the points it scored, each with a phrase
the person reads ("Profile PIE matches", "12 km away", "Only 10 free places for
24 students"). The score is the sum of the points, nothing else, so the page
can show why something ranks where it does.

Slots for a request
    left out: the activity is not for the group's year or learning path, or
    names profiles without the group's; the group is larger than the activity
    takes or than the slot holds in all; a company's premises further away than
    the class can travel.

    | what                                    | points                       |
    | kind as asked / another kind            | +30 / 0                      |
    | the group's profile named / any profile | +20 / +5                     |
    | date in the period / up to 14 days off  | +25 / +10 (else 0)           |
    | where as asked / elsewhere              | +10 / -10                    |
    | at the school or online (no travel)     | +15                          |
    | at the company, d km away               | 15 * (1 - d / reach), >= 0   |
    | free places for the group / too few     | +10 / -15 (waiting list)     |
    | serves keuzevakken the school offers    | +15                          |
    | serves modules of the group's profile   | +10                          |
    Equal scores: earlier date first, then the slot's id.

Companies for a request, and requests for a company (the same fit, seen from
either side)
    a company fits when it offers the group's profile (its own profiles or one
    of its published activities), or one of its sectors belongs to the profile
    (PROFILE_SECTORS), or the request has no profile (years 1 and 2: an
    orientation any technical company can give).

    | what                                          | points                  |
    | offers the profile                            | +25                     |
    | a sector belongs to the profile               | +20                     |
    | orientation request (no profile)              | +10                     |
    | has offered this kind before (n activities)   | +15                     |
    | placement request: has hybrid-teacher candidates | +15                  |
    | its activities serve keuzevakken the school offers | +10              |
    | d km from the school                          | 15 * (1 - d / reach), >= 0 |
    | class must travel, further than it can        | -20 (and not "for you") |
    Companies: equal scores by name, then id. Requests: equal scores by the
    end of their period (soonest first), then id.

Points for distance are rounded half up. `reach` is the request's travel
distance, or DEFAULT_REACH_KM when it gives none or when the company comes to
the school (their travel, not the class's).

Kept as one module: the tables above, the phrases of the reasons and the
functions that apply them are checked against each other by reading them
side by side.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

from flask_babel import gettext, ngettext
from flask_babel import lazy_gettext as _l

from app import vocabulary
from app.geo import KM_PER_DEGREE_LAT, KM_PER_DEGREE_LON_AT_EQUATOR

# Which technical sectors each vmbo profile leads to (docs/FIELD.md, "Profiles and
# sectors"). A company in one of these sectors could serve a request for the
# profile even when it has not offered that profile yet.
PROFILE_SECTORS: dict[str, tuple[str, ...]] = {
    "BWI": ("construction",),
    "PIE": ("metal", "electrical", "energy", "process"),
    "MaT": ("maritime", "metal"),
    "M&T": ("mobility",),
    "MVI": ("ict",),
}

# How far is "near" when a request says nothing, or when the company travels.
DEFAULT_REACH_KM = 50
# A date this many days outside the preferred period still counts as close.
NEAR_PERIOD_DAYS = 14


# --- plain data -------------------------------------------------------------------------


@dataclass(frozen=True)
class Point:
    latitude: float
    longitude: float


def distance_km(a: Point, b: Point) -> float:
    """The equirectangular distance, as the catalogue's distance filter computes
    it (app/catalogue/search.py): within 1% of the great circle in the Netherlands."""
    km_per_lon = KM_PER_DEGREE_LON_AT_EQUATOR * math.cos(math.radians(a.latitude))
    dx = (b.longitude - a.longitude) * km_per_lon
    dy = (b.latitude - a.latitude) * KM_PER_DEGREE_LAT
    return math.sqrt(dx * dx + dy * dy)


@dataclass(frozen=True)
class RequestFacts:
    id: int
    kind: str
    profile: str | None
    year: str
    path: str
    group_size: int
    first_day: date
    last_day: date
    venues: frozenset[str]
    max_km: int | None
    origin: Point | None  # the school's location
    school_name: str = ""
    # The curriculum (app/curriculum): the modules the group works on (of its
    # profile; without one, of the profiles the school offers) and the
    # keuzevakken the school offers this school year.
    modules: frozenset[str] = frozenset()
    keuzevakken: frozenset[str] = frozenset()


@dataclass(frozen=True)
class SlotFacts:
    slot_id: int
    activity_id: int
    company_id: int
    title: str
    company_name: str
    kind: str
    profiles: frozenset[str]
    years: frozenset[str]
    paths: frozenset[str]
    venue: str
    location: Point | None
    day: date  # local date of the start
    starts_at: datetime
    free_places: int
    capacity: int
    max_group_size: int
    # The activity's curriculum tags.
    modules: frozenset[str] = frozenset()
    keuzevakken: frozenset[str] = frozenset()


@dataclass(frozen=True)
class CompanyFacts:
    id: int
    name: str
    sectors: frozenset[str]
    profiles: frozenset[str]  # declared by the company
    offered_profiles: frozenset[str] = frozenset()  # of its published activities
    location: Point | None = None
    # Activities per kind that it offers or offered (published or archived).
    kinds_offered: Mapping[str, int] = field(default_factory=dict)
    # Professionals it has in the hybrid-teacher pool.
    candidates: int = 0
    # Keuzevakken its published activities serve.
    keuzevakken: frozenset[str] = frozenset()


# --- reasons ----------------------------------------------------------------------------


def N_(message: str) -> str:
    """Marks a phrase for translation (babel extracts N_); Reason.text
    translates it when shown, in the language of the page or mail."""
    return message


def ungettext(singular: str, plural: str) -> tuple[str, str]:
    """Marks a phrase with a plural for translation: babel extracts `ungettext`
    (an old name of ngettext) with both forms; Reason.text picks the form."""
    return singular, plural


PHRASES = {
    "kind_matches": N_("%(kind)s, as asked"),
    "kind_differs": N_("Another kind: %(kind)s"),
    "profile_matches": N_("Profile %(profile)s matches"),
    "profile_neutral": N_("Suits every profile"),
    "in_period": N_("In your period"),
    "near_period": ungettext(
        "%(days)d day outside your period", "%(days)d days outside your period"
    ),
    "outside_period": N_("Outside your period"),
    "venue_matches": N_("%(venue)s, as asked"),
    "venue_differs": N_("%(venue)s: not where you asked"),
    "comes_to_school": N_("Comes to the school: no travel"),
    "online": N_("Online: no travel"),
    "distance": N_("%(km)d km away"),
    "beyond_reach": N_("%(km)d km away: further than %(max)d km"),
    "distance_unknown": N_("Distance unknown"),
    "room": ungettext(
        "%(free)d free place for %(n)d students", "%(free)d free places for %(n)d students"
    ),
    "few_places": ungettext(
        "Only %(free)d free place for %(n)d students",
        "Only %(free)d free places for %(n)d students",
    ),
    "profile_offered": N_("Offers profile %(profile)s"),
    "sector_fits": N_("Sector %(sector)s fits profile %(profile)s"),
    "orientation": N_("Orientation (years 1 and 2): any technical company"),
    "outside_sectors": N_("Outside their sectors"),
    "kind_offered": N_("Has offered %(kind)s before (%(n)d)"),
    "has_candidates": ungettext(
        "Has %(n)d hybrid-teacher candidate", "Has %(n)d hybrid-teacher candidates"
    ),
    "serves_keuzevakken": ungettext(
        "Serves keuzevak %(codes)s of your offer", "Serves keuzevakken %(codes)s of your offer"
    ),
    "serves_modules": ungettext("Serves module %(codes)s", "Serves modules %(codes)s"),
    "offers_keuzevakken": ungettext(
        "Offers activities for keuzevak %(codes)s of your offer",
        "Offers activities for keuzevakken %(codes)s of your offer",
    ),
}

# The parameter that chooses the singular or plural form.
PLURAL_BY = {
    "near_period": "days",
    "room": "free",
    "few_places": "free",
    "has_candidates": "n",
    "serves_keuzevakken": "n",
    "serves_modules": "n",
    "offers_keuzevakken": "n",
}

# Parameters holding a code that the phrase shows as its label.
_LABELLED = {
    "kind": lambda code: _kind_label(code),
    "venue": lambda code: vocabulary.VENUES.get(code, code),
    "sector": lambda code: vocabulary.SECTORS.get(code, code),
}


def _kind_label(code: str):
    if code == "placement":
        return _l("Hybrid teacher")
    return vocabulary.ACTIVITY_KINDS.get(code, code)


@dataclass(frozen=True)
class Reason:
    code: str
    points: int
    params: tuple[tuple[str, object], ...] = ()

    @property
    def values(self) -> dict:
        return dict(self.params)

    @property
    def text(self) -> str:
        """The phrase in the current language."""
        values = {
            name: str(_LABELLED[name](value)) if name in _LABELLED else value
            for name, value in self.params
        }
        phrase = PHRASES[self.code]
        if isinstance(phrase, tuple):
            singular, plural = phrase
            return ngettext(singular, plural, values[PLURAL_BY[self.code]], **values)
        return gettext(phrase, **values)

    @property
    def is_good(self) -> bool:
        return self.points > 0

    @property
    def is_bad(self) -> bool:
        return self.points < 0


def reason(code: str, points: int, **params) -> Reason:
    return Reason(code, points, tuple(sorted(params.items())))


def _curriculum_reason(code: str, points: int, served: frozenset[str]) -> Reason | None:
    """One reason naming the codes served (sorted, so the phrase is stable)."""
    if not served:
        return None
    return reason(code, points, codes=", ".join(sorted(served)), n=len(served))


@dataclass(frozen=True)
class Suggestion:
    subject: object  # the SlotFacts, CompanyFacts or RequestFacts ranked
    reasons: tuple[Reason, ...]
    # For companies and requests: whether the company's sectors or profiles
    # fit the request at all, and whether the class can get there.
    fits: bool = True
    reachable: bool = True

    @property
    def score(self) -> int:
        return sum(r.points for r in self.reasons)

    @property
    def codes(self) -> list[str]:
        return [r.code for r in self.reasons]


# --- slots for a request ----------------------------------------------------------------


def _travel(
    venue: str, location: Point | None, request: RequestFacts, company_travels: bool = False
) -> tuple[Reason | None, bool]:
    """The distance reason and whether the place is within reach."""
    if venue == "online":
        return reason("online", 15), True
    if venue == "school":
        return reason("comes_to_school", 15), True
    if location is None or request.origin is None:
        return reason("distance_unknown", 0), True
    km = distance_km(request.origin, location)
    reach = request.max_km if (request.max_km and not company_travels) else DEFAULT_REACH_KM
    if request.max_km and not company_travels and km > request.max_km:
        return reason("beyond_reach", -20, km=_half_up(km), max=request.max_km), False
    return reason("distance", max(0, _half_up(15 * (1 - km / reach))), km=_half_up(km)), True


def _half_up(value: float) -> int:
    # Python's round() rounds halves to even (12.5 -> 12): people expect 13.
    return math.floor(value + 0.5)


def slot_fit(request: RequestFacts, slot: SlotFacts) -> Suggestion | None:
    """The slot's suggestion for this request, or None when the group cannot
    book it at all (the rules of bookings.service.check_bookable)."""
    if request.year not in slot.years or request.path not in slot.paths:
        return None
    if request.profile and slot.profiles and request.profile not in slot.profiles:
        return None
    if request.group_size > slot.max_group_size or request.group_size > slot.capacity:
        return None
    travel, reachable = _travel(slot.venue, slot.location, request)
    if not reachable:
        return None
    reasons = []
    if slot.kind == request.kind:
        reasons.append(reason("kind_matches", 30, kind=slot.kind))
    else:
        reasons.append(reason("kind_differs", 0, kind=slot.kind))
    if request.profile and request.profile in slot.profiles:
        reasons.append(reason("profile_matches", 20, profile=request.profile))
    elif not slot.profiles:
        reasons.append(reason("profile_neutral", 5))
    if request.first_day <= slot.day <= request.last_day:
        reasons.append(reason("in_period", 25))
    else:
        off = (
            (request.first_day - slot.day).days
            if slot.day < request.first_day
            else (slot.day - request.last_day).days
        )
        if off <= NEAR_PERIOD_DAYS:
            reasons.append(reason("near_period", 10, days=off))
        else:
            reasons.append(reason("outside_period", 0))
    if slot.venue in request.venues:
        reasons.append(reason("venue_matches", 10, venue=slot.venue))
    else:
        reasons.append(reason("venue_differs", -10, venue=slot.venue))
    reasons.append(travel)
    if slot.free_places >= request.group_size:
        reasons.append(reason("room", 10, free=slot.free_places, n=request.group_size))
    else:
        reasons.append(reason("few_places", -15, free=slot.free_places, n=request.group_size))
    for found in (
        _curriculum_reason("serves_keuzevakken", 15, slot.keuzevakken & request.keuzevakken),
        _curriculum_reason("serves_modules", 10, slot.modules & request.modules),
    ):
        if found is not None:
            reasons.append(found)
    return Suggestion(slot, tuple(reasons))


def rank_slots(request: RequestFacts, slots: Iterable[SlotFacts]) -> list[Suggestion]:
    if request.kind == "placement":
        return []  # a hybrid teacher is not a dated activity
    found = [s for s in (slot_fit(request, slot) for slot in slots) if s is not None]
    return sorted(found, key=lambda s: (-s.score, s.subject.starts_at, s.subject.slot_id))


# --- companies and requests ---------------------------------------------------------------


def company_fit(request: RequestFacts, company: CompanyFacts) -> Suggestion:
    """How well a company fits a request, from either side."""
    reasons = []
    fits = False
    profile = request.profile
    if profile is None:
        reasons.append(reason("orientation", 10))
        fits = True
    else:
        if profile in company.profiles or profile in company.offered_profiles:
            reasons.append(reason("profile_offered", 25, profile=profile))
            fits = True
        sector = next((s for s in PROFILE_SECTORS.get(profile, ()) if s in company.sectors), None)
        if sector is not None:
            reasons.append(reason("sector_fits", 20, sector=sector, profile=profile))
            fits = True
    if not fits:
        reasons.append(reason("outside_sectors", 0))
    if request.kind == "placement":
        if company.candidates:
            reasons.append(reason("has_candidates", 15, n=company.candidates))
    elif company.kinds_offered.get(request.kind):
        reasons.append(
            reason("kind_offered", 15, kind=request.kind, n=company.kinds_offered[request.kind])
        )
    served = _curriculum_reason("offers_keuzevakken", 10, company.keuzevakken & request.keuzevakken)
    if served is not None and request.kind != "placement":
        reasons.append(served)
    # The class travels only when the request allows nothing but the company's premises.
    company_travels = request.kind == "placement" or bool(request.venues - {"company"})
    travel, reachable = _travel("company", company.location, request, company_travels)
    reasons.append(travel)
    return Suggestion(company, tuple(reasons), fits=fits, reachable=reachable)


def rank_companies(request: RequestFacts, companies: Iterable[CompanyFacts]) -> list[Suggestion]:
    """The companies that fit the request, best first."""
    found = [s for s in (company_fit(request, c) for c in companies) if s.fits]
    return sorted(found, key=lambda s: (-s.score, s.subject.name, s.subject.id))


def rank_requests(company: CompanyFacts, requests: Iterable[RequestFacts]) -> list[Suggestion]:
    """The requests a company could serve ("requests for you"), best first:
    those its sectors or profiles fit, at a place the class can reach."""
    found = []
    for request in requests:
        fit = company_fit(request, company)
        if fit.fits and fit.reachable:
            found.append(Suggestion(request, fit.reasons, fits=True, reachable=True))
    return sorted(found, key=lambda s: (-s.score, s.subject.last_day, s.subject.id))
