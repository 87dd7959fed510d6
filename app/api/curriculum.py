"""The curriculum: its reference entries (read by anyone) and what each school
location offers per school year (read by its people and coordinators, written
by its administrators).

Kept as one module: one resource of the API (tag "curriculum"); the rules live
in curriculum.service."""

from __future__ import annotations

from typing import Literal

from flask_babel import gettext as _
from pydantic import BaseModel, Field

from app import vocabulary
from app.accounts.models import Organisation
from app.api.activities import TagCode, in_vocabulary_order
from app.api.blueprint import bp
from app.api.spec import Patch, forbidden, not_found, operation, require_user
from app.curriculum import permissions
from app.curriculum import service as curriculum
from app.curriculum.models import KINDS
from app.extensions import db
from app.school_year import SchoolYear

EntryKind = Literal[KINDS]
Profile = Literal[tuple(vocabulary.PROFILES)]
LearningPath = Literal[tuple(vocabulary.PATHS)]


class EntryOut(BaseModel):
    kind: EntryKind
    code: str = Field(description="Unique per kind; tags and offers name the entry by it.")
    name: str
    profile: Profile | None = Field(description="Modules and keuzevakken.")
    paths: list[LearningPath] = Field(description="Modules: the learning paths it is examined in.")
    question: str = Field(description="Career competences: the question it asks the pupil.")
    source: str
    verified: bool = Field(description="False: still to be checked against its source.")
    retired: bool = Field(description="No longer chosen for new tags and offers.")


class CurriculumOut(BaseModel):
    items: list[EntryOut]


class CurriculumQuery(BaseModel):
    kind: list[EntryKind] = Field(default_factory=list, description="Repeatable.")
    retired: bool = Field(False, description="Include retired entries.")


class OfferOut(BaseModel):
    location_id: int
    school_year: int = Field(description="The year it starts: 2026 is 2026-2027.")
    profiles: list[Profile]
    keuzevakken: list[str]


class OfferQuery(BaseModel):
    school_year: int | None = Field(None, ge=2000, le=2100, description="Default: the current one.")


class OfferIn(Patch):
    """A list left out keeps what is offered of it."""

    school_year: int = Field(ge=2000, le=2100, description="The year it starts: 2026 is 2026-2027.")
    profiles: list[Profile] = Field(None, description="Replaces the profiles offered, if sent.")
    keuzevakken: list[TagCode] = Field(None, description="Replaces the keuzevakken, if sent.")


@operation(
    bp,
    "GET",
    "/curriculum",
    summary="The curriculum's reference entries: modules, keuzevakken, skills, competences",
    tag="curriculum",
    query=CurriculumQuery,
    response=CurriculumOut,
    auth=False,
)
def list_curriculum(query: CurriculumQuery) -> CurriculumOut:
    wanted = set(query.kind or KINDS)
    return CurriculumOut(
        items=[
            EntryOut(
                kind=entry.kind,
                code=entry.code,
                name=entry.name,
                profile=entry.profile,
                paths=in_vocabulary_order(entry.paths, vocabulary.PATHS),
                question=entry.question,
                source=entry.source,
                verified=entry.verified,
                retired=entry.is_retired,
            )
            for entry in curriculum.entries(current_only=not query.retired)
            if entry.kind in wanted
        ]
    )


def _load_school(location_id: int, user) -> Organisation:
    school = db.session.get(Organisation, location_id)
    if school is None or not permissions.can_view_offer(user, school):
        raise not_found(_("There is no school location with this id."))
    return school


def _offer_out(school: Organisation, year: int) -> OfferOut:
    offer = curriculum.offer_of(school.id, year)
    keuzevakken = curriculum.entries_by_code("keuzevak")
    order = {code: index for index, code in enumerate(keuzevakken)}
    return OfferOut(
        location_id=school.id,
        school_year=year,
        profiles=in_vocabulary_order(offer["profile"], vocabulary.PROFILES),
        keuzevakken=sorted(offer["keuzevak"], key=lambda code: order.get(code, len(order))),
    )


@operation(
    bp,
    "GET",
    "/schools/<int:location_id>/offer",
    summary="The profiles and keuzevakken a school location offers in a school year",
    tag="curriculum",
    query=OfferQuery,
    response=OfferOut,
    errors=(404,),
)
def get_offer(location_id: int, query: OfferQuery) -> OfferOut:
    school = _load_school(location_id, require_user())
    return _offer_out(school, query.school_year or SchoolYear.current().start)


@operation(
    bp,
    "PUT",
    "/schools/<int:location_id>/offer",
    summary="Set what a school location offers in a school year (its administrators)",
    tag="curriculum",
    body=OfferIn,
    response=OfferOut,
    errors=(403, 404),
)
def put_offer(location_id: int, body: OfferIn) -> OfferOut:
    user = require_user()
    school = _load_school(location_id, user)
    if not permissions.can_edit_offer(user, school):
        raise forbidden(_("Only the school's administrators can change its offer."))
    given = {"profile": body.profiles, "keuzevak": body.keuzevakken}
    curriculum.set_offer(
        school, body.school_year, {k: v for k, v in given.items() if v is not None}
    )
    db.session.commit()
    return _offer_out(school, body.school_year)
