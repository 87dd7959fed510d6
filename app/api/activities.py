"""Activities: the public catalogue of offers, and a company's own offers.

Kept as one module: one resource of the API (tag "activities"), its models
and operations side by side; the rules live in catalogue.service."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Literal

from flask_babel import gettext as _
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictBool, StrictInt
from sqlalchemy import select

from app import text, vocabulary
from app.api.blueprint import bp
from app.api.spec import (
    ApiError,
    Id,
    Line,
    Patch,
    current_api_user,
    forbidden,
    invalid,
    not_found,
    operation,
    require_user,
)
from app.catalogue import service
from app.catalogue.models import Activity, Slot
from app.catalogue.permissions import (
    can_manage_activity,
    can_view_activity,
    companies_managed_by,
)
from app.catalogue.search import Filters, Origin, search_activities
from app.curriculum import service as curriculum
from app.curriculum.models import CODE_LENGTH
from app.extensions import db
from app.timeutil import FIRST_YEAR, LAST_YEAR, is_plausible, utcnow

Kind = Literal[tuple(vocabulary.ACTIVITY_KINDS)]
Sector = Literal[tuple(vocabulary.SECTORS)]
Profile = Literal[tuple(vocabulary.PROFILES)]
Year = Literal[tuple(vocabulary.YEARS)]
LearningPath = Literal[tuple(vocabulary.PATHS)]
Venue = Literal[tuple(vocabulary.VENUES)]
ActivityStatus = Literal["draft", "published", "archived"]
SlotStatus = Literal["open", "cancelled"]


def as_utc(instant: datetime | None) -> datetime | None:
    """Stored instants are naive UTC; answers say so explicitly (…Z)."""
    return instant.replace(tzinfo=UTC) if instant is not None else None


def in_vocabulary_order(codes, words: dict) -> list[str]:
    return [code for code in words if code in codes]


# A code of the curriculum (GET /curriculum lists them); unknown ones are refused
# when stored and match nothing in a filter.
TagCode = Annotated[
    str, Field(min_length=1, max_length=CODE_LENGTH, pattern=f"^{curriculum.CODE_PATTERN.pattern}$")
]


class TagRef(BaseModel):
    code: str
    name: str


class TagsOut(BaseModel):
    """What the activity serves in the curriculum (GET /curriculum has the entries)."""

    module: list[TagRef] = Field(description="Profile modules it serves.")
    keuzevak: list[TagRef] = Field(description="Keuzevakken it serves.")
    skill: list[TagRef] = Field(description="Skills it practises.")
    competence: list[TagRef] = Field(description="Career competences it addresses.")

    @classmethod
    def of(cls, codes: dict[str, list[str]], names: dict[str, dict[str, str]]) -> TagsOut:
        return cls(
            **{
                dimension: [
                    TagRef(code=code, name=names[dimension].get(code, code))
                    for code in codes.get(dimension, [])
                ]
                for dimension in curriculum.TAG_DIMENSIONS
            }
        )


def tag_names() -> dict[str, dict[str, str]]:
    """{dimension: {code: name}} in one query, for a page of activities."""
    return {
        kind: {entry.code: entry.name for entry in found}
        for kind, found in curriculum.entries_by_kind().items()
    }


class TagsIn(Patch):
    """The codes per dimension; a dimension left out keeps its tags."""

    module: list[TagCode] = Field(None, description="Profile module codes, e.g. PIE-3.")
    keuzevak: list[TagCode] = Field(None, description="Keuzevak codes, e.g. PIE-K01.")
    skill: list[TagCode] = Field(None, description="Skill codes, e.g. samenwerken.")
    competence: list[TagCode] = Field(None, description="Career competence codes.")

    def given(self) -> dict[str, list[str]]:
        return self.model_dump(exclude_unset=True, exclude_none=True)


# --- output ---------------------------------------------------------------------------


class OrganisationRef(BaseModel):
    id: int
    name: str


class SlotSummary(BaseModel):
    id: int
    starts_at: datetime
    ends_at: datetime
    capacity: int
    taken: int = Field(description="Students of requested and confirmed bookings.")
    free_places: int
    status: SlotStatus

    @classmethod
    def of(cls, slot: Slot) -> SlotSummary:
        return cls(
            id=slot.id,
            starts_at=as_utc(slot.starts_at),
            ends_at=as_utc(slot.ends_at),
            capacity=slot.capacity,
            taken=slot.taken,
            free_places=slot.free_places,
            status=slot.status,
        )


class ActivityListItem(BaseModel):
    id: int
    company: OrganisationRef
    kind: Kind
    title: str
    sectors: list[Sector]
    profiles: list[Profile]
    years: list[Year]
    paths: list[LearningPath]
    venue: Venue
    city: str
    duration_minutes: int
    max_group_size: int
    min_notice_days: int
    requires_approval: bool
    next_starts_at: datetime | None = Field(
        description="Start of the next open slot that matches the filters."
    )
    open_slots: int = Field(description="Upcoming open slots that match the filters.")
    max_free_places: int | None = Field(description="The most free places on one of those slots.")
    distance_km: float | None = Field(description="From lat/lon, when given.")
    tags: TagsOut


class ActivityPageOut(BaseModel):
    items: list[ActivityListItem]
    page: int
    has_next: bool


class ActivityOut(BaseModel):
    id: int
    company: OrganisationRef
    kind: Kind
    title: str
    description: str
    sectors: list[Sector]
    profiles: list[Profile] = Field(description="Empty: suits every profile.")
    years: list[Year]
    paths: list[LearningPath]
    venue: Venue
    address: str
    postcode: str
    city: str
    latitude: float | None
    longitude: float | None
    duration_minutes: int
    max_group_size: int
    min_notice_days: int
    requires_approval: bool = Field(
        description="Bookings wait for the company's confirmation; otherwise confirmed at once."
    )
    contact_id: int | None
    contact_name: str | None
    status: ActivityStatus
    published_at: datetime | None
    updated_at: datetime
    tags: TagsOut

    @classmethod
    def of(cls, activity: Activity, **extra) -> ActivityOut:
        return cls(
            id=activity.id,
            company=OrganisationRef(id=activity.company.id, name=activity.company.name),
            kind=activity.kind,
            title=activity.title,
            description=activity.description or "",
            sectors=in_vocabulary_order(activity.sectors, vocabulary.SECTORS),
            profiles=in_vocabulary_order(activity.profiles, vocabulary.PROFILES),
            years=in_vocabulary_order(activity.years, vocabulary.YEARS),
            paths=in_vocabulary_order(activity.paths, vocabulary.PATHS),
            venue=activity.venue,
            address=activity.address or "",
            postcode=activity.postcode or "",
            city=activity.city or "",
            latitude=activity.latitude,
            longitude=activity.longitude,
            duration_minutes=activity.duration_minutes,
            max_group_size=activity.max_group_size,
            min_notice_days=activity.min_notice_days,
            requires_approval=activity.requires_approval,
            # A name only: e-mail and phone are for the parties of a booking (docs/FIELD.md).
            contact_id=activity.contact_id,
            contact_name=activity.contact.name if activity.contact else None,
            status=activity.status,
            published_at=as_utc(activity.published_at),
            updated_at=as_utc(activity.updated_at),
            tags=TagsOut.of(curriculum.tags_of(activity.id), tag_names()),
            **extra,
        )


class ActivityDetailOut(ActivityOut):
    slots: list[SlotSummary] = Field(
        description="Upcoming slots; cancelled ones only for the company and coordinators."
    )


# --- input ----------------------------------------------------------------------------


def _school_year_date(value: date | None) -> date | None:
    if value is not None and not is_plausible(value):
        raise ValueError(f"a date between the years {FIRST_YEAR} and {LAST_YEAR}")
    return value


SchoolYearDate = Annotated[date | None, AfterValidator(_school_year_date)]
Latitude = Annotated[float, Field(ge=-90, le=90, allow_inf_nan=False)]
Longitude = Annotated[float, Field(ge=-180, le=180, allow_inf_nan=False)]
Duration = Annotated[StrictInt, Field(ge=1, le=service.MAX_DURATION_MINUTES)]
GroupSize = Annotated[StrictInt, Field(ge=1, le=service.MAX_GROUP_SIZE)]
NoticeDays = Annotated[StrictInt, Field(ge=0, le=service.MAX_NOTICE_DAYS)]


class ActivityQuery(BaseModel):
    kind: list[Kind] = Field(default_factory=list, description="Repeatable.")
    sector: list[Sector] = Field(default_factory=list, description="Repeatable.")
    profile: list[Profile] = Field(
        default_factory=list, description="Repeatable; profile-neutral activities always match."
    )
    year: list[Year] = Field(default_factory=list, description="Repeatable.")
    path: list[LearningPath] = Field(default_factory=list, description="Repeatable.")
    module: list[TagCode] = Field(
        default_factory=list, description="Repeatable: serves any of these profile modules."
    )
    keuzevak: list[TagCode] = Field(
        default_factory=list, description="Repeatable: serves any of these keuzevakken."
    )
    skill: list[TagCode] = Field(
        default_factory=list, description="Repeatable: practises any of these skills."
    )
    competence: list[TagCode] = Field(
        default_factory=list, description="Repeatable: addresses any of these career competences."
    )
    date_from: SchoolYearDate = Field(None, description="Has a slot on or after this local date.")
    date_to: SchoolYearDate = Field(None, description="Has a slot on or before this local date.")
    free: bool = Field(False, description="Has a slot with free places.")
    q: Line = Field(
        "", max_length=text.SHORT_LINE, description="Words in title, description, company, city."
    )
    lat: float | None = Field(
        None, ge=-90, le=90, allow_inf_nan=False, description="Origin for distances, with lon."
    )
    lon: float | None = Field(None, ge=-180, le=180, allow_inf_nan=False)
    max_km: float | None = Field(
        None,
        gt=0,
        le=1000,
        allow_inf_nan=False,
        description="Needs lat/lon; online activities always match.",
    )
    sort: Literal["date", "distance"] = Field("date", description="distance needs lat/lon.")
    page: int = Field(1, ge=1, le=10_000)
    per_page: int = Field(20, ge=1, le=100)


class ActivityIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    company_id: Id | None = Field(
        None, description="Needed only when you are a contact of several companies."
    )
    kind: Kind
    title: Line = Field(min_length=1, max_length=text.LINE)
    description: str = Field("", max_length=text.LONG_TEXT)
    sectors: list[Sector] = Field(default_factory=list, description="Empty: the company's sectors.")
    profiles: list[Profile] = Field(default_factory=list, description="Empty: suits every profile.")
    years: list[Year] = Field(min_length=1)
    paths: list[LearningPath] = Field(min_length=1)
    venue: Venue = "company"
    address: Line = Field(
        "", max_length=text.LINE, description="Empty at the company: its address."
    )
    postcode: Line = Field("", max_length=10)
    city: Line = Field("", max_length=text.SHORT_LINE)
    latitude: Latitude | None = Field(None, description="Empty: the company's location.")
    longitude: Longitude | None = None
    duration_minutes: Duration = 120
    max_group_size: GroupSize = 30
    min_notice_days: NoticeDays = 7
    requires_approval: StrictBool = True
    contact_id: Id | None = Field(None, description="One of the company's people; default you.")
    tags: TagsIn | None = Field(None, description="What it serves in the curriculum.")


class ActivityPatch(Patch):
    """Only the fields sent change. Fields that cannot be empty refuse null."""

    kind: Kind = None
    title: Line = Field(None, min_length=1, max_length=text.LINE)
    description: str = Field(None, max_length=text.LONG_TEXT)
    sectors: list[Sector] = None
    profiles: list[Profile] = None
    years: list[Year] = Field(None, min_length=1)
    paths: list[LearningPath] = Field(None, min_length=1)
    venue: Venue = None
    address: Line = Field(None, max_length=text.LINE)
    postcode: Line = Field(None, max_length=10)
    city: Line = Field(None, max_length=text.SHORT_LINE)
    latitude: Latitude | None = None
    longitude: Longitude | None = None
    duration_minutes: Duration = None
    max_group_size: GroupSize = None
    min_notice_days: NoticeDays = None
    requires_approval: StrictBool = None
    contact_id: Id | None = None
    tags: TagsIn = Field(None, description="Only the dimensions sent are replaced.")


# --- loading --------------------------------------------------------------------------


def load_activity(activity_id: int, user) -> Activity:
    activity = db.session.get(Activity, activity_id)
    if activity is None or not can_view_activity(user, activity):
        raise not_found(_("There is no activity with this id."))
    return activity


def load_managed_activity(activity_id: int, user) -> Activity:
    activity = load_activity(activity_id, user)
    if not can_manage_activity(user, activity):
        raise forbidden(_("Only the company's contacts can change this activity."))
    return activity


def sees_everything_of(user, activity: Activity) -> bool:
    """The company's own contacts and coordinators see cancelled slots and bookings."""
    return user is not None and (user.is_coordinator or can_manage_activity(user, activity))


def _company_for_new_activity(user, company_id: int | None):
    # A rejected company offers nothing; a pending one prepares drafts until approval.
    companies = [c for c in companies_managed_by(user) if c.status in ("approved", "pending")]
    if not companies:
        raise forbidden(_("Only a company's contacts can offer activities."))
    if company_id is None:
        if len(companies) > 1:
            raise invalid("company_id", _("You are a contact of several companies: choose one."))
        return companies[0]
    for company in companies:
        if company.id == company_id:
            return company
    raise invalid("company_id", _("You are no contact of a company with this id."))


# --- operations -----------------------------------------------------------------------


@operation(
    bp,
    "GET",
    "/activities",
    summary="Published activities, filtered and paginated",
    tag="activities",
    query=ActivityQuery,
    response=ActivityPageOut,
    auth=False,
)
def list_activities(query: ActivityQuery) -> ActivityPageOut:
    if (query.lat is None) != (query.lon is None):
        raise invalid("lon" if query.lon is None else "lat", _("Give lat and lon together."))
    origin = Origin(query.lat, query.lon) if query.lat is not None else None
    if origin is None and query.sort == "distance":
        raise invalid("sort", _("Sorting by distance needs lat and lon."))
    if origin is None and query.max_km is not None:
        raise invalid("max_km", _("A distance needs lat and lon."))
    if query.date_from and query.date_to and query.date_to < query.date_from:
        raise invalid("date_to", _("The end of the period lies before its start."))
    filters = Filters(
        kind=query.kind,
        sector=query.sector,
        profile=query.profile,
        year=query.year,
        path=query.path,
        module=query.module,
        keuzevak=query.keuzevak,
        skill=query.skill,
        competence=query.competence,
        date_from=query.date_from,
        date_to=query.date_to,
        free=query.free,
        max_km=query.max_km,
        q=query.q.strip(),
        sort=query.sort,
        page=query.page,
    )
    found = search_activities(filters, origin, per_page=query.per_page)
    tags = curriculum.tags_of_many(row.activity.id for row in found.rows)
    names = tag_names() if tags else {dimension: {} for dimension in curriculum.TAG_DIMENSIONS}
    items = []
    for row in found.rows:
        activity = row.activity
        items.append(
            ActivityListItem(
                id=activity.id,
                company=OrganisationRef(id=activity.company.id, name=activity.company.name),
                kind=activity.kind,
                title=activity.title,
                sectors=in_vocabulary_order(activity.sectors, vocabulary.SECTORS),
                profiles=in_vocabulary_order(activity.profiles, vocabulary.PROFILES),
                years=in_vocabulary_order(activity.years, vocabulary.YEARS),
                paths=in_vocabulary_order(activity.paths, vocabulary.PATHS),
                venue=activity.venue,
                city=activity.city or "",
                duration_minutes=activity.duration_minutes,
                max_group_size=activity.max_group_size,
                min_notice_days=activity.min_notice_days,
                requires_approval=activity.requires_approval,
                next_starts_at=as_utc(row.next_starts_at),
                open_slots=row.open_slots,
                max_free_places=row.max_free_places,
                distance_km=round(row.distance_km, 1) if row.distance_km is not None else None,
                tags=TagsOut.of(tags.get(activity.id, {}), names),
            )
        )
    return ActivityPageOut(items=items, page=found.page, has_next=found.has_next)


@operation(
    bp,
    "GET",
    "/activities/<int:activity_id>",
    summary="An activity and its upcoming slots",
    tag="activities",
    response=ActivityDetailOut,
    auth=False,
    errors=(404,),
)
def get_activity(activity_id: int) -> ActivityDetailOut:
    user = current_api_user()
    activity = load_activity(activity_id, user)
    return activity_detail(activity, user)


def activity_detail(activity: Activity, user) -> ActivityDetailOut:
    query = select(Slot).where(Slot.activity_id == activity.id, Slot.starts_at > utcnow())
    if not sees_everything_of(user, activity):
        query = query.where(Slot.status == "open")
    slots = db.session.scalars(query.order_by(Slot.starts_at, Slot.id)).all()
    return ActivityDetailOut.of(activity, slots=[SlotSummary.of(s) for s in slots])


@operation(
    bp,
    "POST",
    "/activities",
    summary="Offer a new activity (a draft)",
    tag="activities",
    body=ActivityIn,
    response=ActivityDetailOut,
    status=201,
    errors=(403,),
)
def create_activity(body: ActivityIn) -> ActivityDetailOut:
    user = require_user()
    company = _company_for_new_activity(user, body.company_id)
    values = body.model_dump(exclude={"company_id", "tags"})
    values["tags"] = body.tags.given() if body.tags else None
    if values["contact_id"] is None:
        values["contact_id"] = user.id
    activity = service.create_activity(company, values, user)
    db.session.commit()
    return activity_detail(activity, user)


@operation(
    bp,
    "PATCH",
    "/activities/<int:activity_id>",
    summary="Change an activity",
    tag="activities",
    body=ActivityPatch,
    response=ActivityDetailOut,
    errors=(403, 404),
)
def update_activity(activity_id: int, body: ActivityPatch) -> ActivityDetailOut:
    user = require_user()
    activity = load_managed_activity(activity_id, user)
    values = body.model_dump(exclude_unset=True, exclude={"tags"})
    if body.tags is not None:
        values["tags"] = body.tags.given()
    elif "tags" in body.model_fields_set:
        raise invalid("tags", _("Send the dimensions to change, or leave tags out."))
    if not values:
        raise ApiError(422, "invalid", _("Send at least one field to change."))
    service.update_activity(activity, values, user)
    db.session.commit()
    return activity_detail(activity, user)


@operation(
    bp,
    "POST",
    "/activities/<int:activity_id>/publish",
    summary="Publish an activity (the company must be approved)",
    tag="activities",
    response=ActivityDetailOut,
    errors=(403, 404, 422),
)
def publish_activity(activity_id: int) -> ActivityDetailOut:
    user = require_user()
    activity = load_managed_activity(activity_id, user)
    service.publish_activity(activity, user)
    db.session.commit()
    return activity_detail(activity, user)


@operation(
    bp,
    "POST",
    "/activities/<int:activity_id>/archive",
    summary="Archive an activity: it leaves the catalogue",
    tag="activities",
    response=ActivityDetailOut,
    errors=(403, 404),
)
def archive_activity(activity_id: int) -> ActivityDetailOut:
    user = require_user()
    activity = load_managed_activity(activity_id, user)
    service.archive_activity(activity, user)
    db.session.commit()
    return activity_detail(activity, user)
