"""Reading requests: a school's requests, a company's proposals, and the
filtered lists (all requests for coordinators, all running requests for
companies). The filters travel in the query string, so every figure of the
mismatch view links to the list behind it."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from app import vocabulary
from app.accounts.models import Organisation, User
from app.events import history
from app.extensions import db
from app.matching.mismatch import unserved_request_ids
from app.matching.ranking import PROFILE_SECTORS
from app.school_requests.models import (
    KIND_LABELS,
    RUNNING,
    STATES,
    RequestResponse,
    SchoolRequest,
    unanswered_conditions,
)
from app.timeutil import utcnow

PER_PAGE = 50
NO_PROFILE = vocabulary.NO_PROFILE
FIGURES = ("unanswered", "unserved")


def _code(value, words):
    return value if value in words else None


def _int(value) -> int | None:
    try:
        number = int(value or "")
    except ValueError:
        return None
    return number if 0 < number < 2**31 else None


@dataclass(frozen=True)
class Filters:
    """Malformed values are dropped rather than refused: these come from links."""

    status: str | None = None
    kind: str | None = None
    profile: str | None = None  # a profile code, or "none"
    year: str | None = None
    sector: str | None = None  # the request's profile leads to this sector
    school: int | None = None
    # unanswered: open, no proposal, posted over two weeks ago;
    # unserved: running, no published date within the class's reach.
    figure: str | None = None
    page: int = 1

    @classmethod
    def from_args(cls, args) -> Filters:
        profile = args.get("profile")
        page = _int(args.get("page")) or 1
        return cls(
            status=_code(args.get("status"), STATES),
            kind=_code(args.get("kind"), KIND_LABELS),
            profile=profile if profile == NO_PROFILE else _code(profile, vocabulary.PROFILES),
            year=_code(args.get("year"), vocabulary.YEARS),
            sector=_code(args.get("sector"), vocabulary.SECTORS),
            school=_int(args.get("school")),
            figure=_code(args.get("figure"), FIGURES),
            page=min(page, 100_000),
        )

    def to_args(self, **changes) -> dict[str, str]:
        values = replace(self, **changes)
        return {
            f.name: str(getattr(values, f.name))
            for f in fields(values)
            if getattr(values, f.name) is not None and not (f.name == "page" and values.page == 1)
        }

    def but(self, **changes) -> Filters:
        return replace(self, page=1, **changes)


@dataclass
class Page:
    items: list[SchoolRequest]
    page: int
    per_page: int
    total: int

    @property
    def has_next(self) -> bool:
        return self.page * self.per_page < self.total

    @property
    def has_previous(self) -> bool:
        return self.page > 1


def _with_details(query):
    return query.options(joinedload(SchoolRequest.school))


def conditions(filters: Filters, now=None) -> list:
    now = now or utcnow()
    found = []
    if filters.status:
        found.append(SchoolRequest.status == filters.status)
    if filters.kind:
        found.append(SchoolRequest.kind == filters.kind)
    if filters.profile == NO_PROFILE:
        found.append(SchoolRequest.profile.is_(None))
    elif filters.profile:
        found.append(SchoolRequest.profile == filters.profile)
    if filters.year:
        found.append(SchoolRequest.year == filters.year)
    if filters.sector:
        profiles = [p for p, sectors in PROFILE_SECTORS.items() if filters.sector in sectors]
        found.append(SchoolRequest.profile.in_(profiles))
    if filters.school:
        found.append(SchoolRequest.school_id == filters.school)
    if filters.figure == "unanswered":
        found += unanswered_conditions(now)
    elif filters.figure == "unserved":
        found.append(SchoolRequest.id.in_(unserved_request_ids(now)))
    return found


def listing(filters: Filters, per_page: int = PER_PAGE) -> Page:
    where = conditions(filters)
    total = db.session.scalar(select(func.count(SchoolRequest.id)).where(*where))
    items = db.session.scalars(
        _with_details(select(SchoolRequest).where(*where))
        .order_by(SchoolRequest.created_at.desc(), SchoolRequest.id.desc())
        .limit(per_page)
        .offset((filters.page - 1) * per_page)
    ).all()
    return Page(list(items), filters.page, per_page, total or 0)


def running(filters: Filters, limit: int = 200) -> list[SchoolRequest]:
    """Every running request (a company's "all open requests"), soonest end first."""
    where = [c for c in conditions(filters.but(status=None, figure=None))]
    return list(
        db.session.scalars(
            _with_details(select(SchoolRequest).where(SchoolRequest.status.in_(RUNNING), *where))
            .order_by(SchoolRequest.last_day, SchoolRequest.id)
            .limit(limit)
        )
    )


def requests_of_schools(schools: list[Organisation]) -> list[SchoolRequest]:
    """Running requests first (soonest end first), then the rest, latest first."""
    if not schools:
        return []
    rows = (
        db.session.scalars(
            _with_details(select(SchoolRequest))
            .options(joinedload(SchoolRequest.responses))
            .where(SchoolRequest.school_id.in_([s.id for s in schools]))
            .order_by(SchoolRequest.created_at.desc(), SchoolRequest.id.desc())
            .limit(500)
        )
        .unique()
        .all()
    )
    running_first = sorted((r for r in rows if r.is_running), key=lambda r: (r.last_day, r.id))
    return running_first + [r for r in rows if not r.is_running]


def proposals_of(companies: list[Organisation]) -> list[RequestResponse]:
    if not companies:
        return []
    return list(
        db.session.scalars(
            select(RequestResponse)
            .options(
                joinedload(RequestResponse.request).joinedload(SchoolRequest.school),
                joinedload(RequestResponse.slot),
                joinedload(RequestResponse.activity),
                joinedload(RequestResponse.placement),
            )
            .where(RequestResponse.company_id.in_([c.id for c in companies]))
            .order_by(RequestResponse.created_at.desc(), RequestResponse.id.desc())
            .limit(500)
        )
    )


def answered_by(company: Organisation) -> set[int]:
    """The requests this company has an open or accepted proposal for."""
    return set(
        db.session.scalars(
            select(RequestResponse.request_id).where(
                RequestResponse.company_id == company.id,
                RequestResponse.status.in_(("open", "accepted")),
            )
        )
    )


# --- history -------------------------------------------------------------------------------

HISTORY_PHRASES = {
    "RequestPosted": _l("Request posted"),
    "RequestAnswered": _l("A company made a proposal"),
    "RequestFulfilled": _l("A proposal was accepted"),
    "RequestExpired": _l("The period ended"),
    "RequestWithdrawn": _l("Withdrawn by the school"),
}


def history_rows(request: SchoolRequest, only_companies: set[int] | None = None) -> list[dict]:
    """The request's history; for a company (`only_companies`: its ids) without
    what other companies did: they do not see each other's proposals."""

    entries = history(("request", request.id))
    actor_ids = {e.actor_id for e in entries if e.actor_id}
    actors = (
        {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(actor_ids)))}
        if actor_ids
        else {}
    )
    companies = {
        c.id: c.name
        for c in db.session.scalars(
            select(Organisation).where(
                Organisation.id.in_({(e.payload or {}).get("company_id") for e in entries} - {None})
            )
        )
    }
    rows = []
    for entry in entries:
        payload = entry.payload or {}
        company_id = payload.get("company_id")
        if (
            only_companies is not None
            and company_id is not None
            and (company_id not in only_companies)
        ):
            continue
        actor = actors.get(entry.actor_id)
        rows.append(
            {
                "at": entry.occurred_at,
                "phrase": HISTORY_PHRASES.get(entry.name, entry.name),
                "company": companies.get(payload.get("company_id")),
                # Companies see the request's history without the school's people.
                "actor": actor.name if actor else None,
                "actor_is_school": bool(actor)
                and any(m.organisation_id == request.school_id for m in actor.memberships),
                "reason": payload.get("reason") or "",
            }
        )
    return rows


def with_open_proposals(schools: list[Organisation], limit: int = 20) -> list[SchoolRequest]:
    """These schools' running requests with a company's proposal to answer."""
    if not schools:
        return []
    has_open = (
        select(RequestResponse.id)
        .where(RequestResponse.request_id == SchoolRequest.id, RequestResponse.status == "open")
        .exists()
    )
    return list(
        db.session.scalars(
            _with_details(select(SchoolRequest))
            .where(
                SchoolRequest.school_id.in_([s.id for s in schools]),
                SchoolRequest.status.in_(RUNNING),
                has_open,
            )
            .order_by(SchoolRequest.last_day, SchoolRequest.id)
            .limit(limit)
        )
    )


def unanswered_count(limit: int = 100, now=None) -> int:
    """How many running requests nobody answered for two weeks, up to limit."""
    now = now or utcnow()
    ids = select(SchoolRequest.id).where(*unanswered_conditions(now)).limit(limit)
    return db.session.scalar(select(func.count()).select_from(ids.subquery())) or 0
