"""The curriculum's rules: loading and extending the reference entries, an
activity's tags, and a school location's offer per school year.

Tags and offers name entries by code. Every code that comes in is checked
against the entries of its dimension here, so a form or the API can only store
codes the platform can name (an unknown one is a DomainError at its field).

Kept as one module: entries, tags and offers share that one rule
(`checked_codes`), and retiring an entry is defined by what tags and offers
may still name."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import and_, delete, exists, insert, or_, select

from app import vocabulary
from app.curriculum.models import (
    CODE_LENGTH,
    KINDS,
    PROFILE_KINDS,
    ActivityTag,
    CurriculumEntry,
    SchoolOffer,
)
from app.errors import DomainError
from app.events import emit
from app.events import types as ev
from app.extensions import db
from app.school_year import SchoolYear
from app.text import LINE, limited
from app.timeutil import utcnow

# The dimensions an activity can be tagged in. Today the four kinds of entry;
# the audience codes (sector, profile, year, path) may join them later, each
# with its list of codes in `codes_of`.
TAG_DIMENSIONS = KINDS
# What a school location offers per school year.
OFFER_DIMENSIONS = ("profile", "keuzevak")

# The fixture's sections and the kind of entry each holds.
FIXTURE_SECTIONS = {
    "profile_modules": "module",
    "keuzevakken": "keuzevak",
    "skills": "skill",
    "career_competences": "competence",
}
FIXTURE = "curriculum.json"

# Letters, digits and the marks codes use ("M&T-1", "PIE-K03", "1505", "creatief-denken").
CODE_PATTERN = re.compile(r"[A-Za-z0-9&][A-Za-z0-9&._-]*")
SOURCE_LENGTH = 300
QUESTION_LENGTH = 200


# --- reference entries -----------------------------------------------------------


def reference_data(path: Path | None = None) -> dict:
    path = path or Path(current_app.root_path).parent / "fixtures" / FIXTURE
    return json.loads(path.read_text(encoding="utf-8"))


def load_reference(data: Mapping | None = None) -> dict[str, int]:
    """Adds the fixture's entries that are missing and brings the fixture's own
    entries that nobody edited up to date with it. Idempotent: a second run
    changes nothing. Entries a coordinator added or edited stay as they are.
    Like the holidays' loader it emits nothing: it runs when the platform is
    set up or upgraded, before any page is cached."""
    data = reference_data() if data is None else data
    existing = {
        (entry.kind, entry.code): entry for entry in db.session.scalars(select(CurriculumEntry))
    }
    new_rows, updated = [], 0
    for section, kind in FIXTURE_SECTIONS.items():
        for item in data.get(section, []):
            values = {
                "profile": item.get("profile"),
                "name": item["name"],
                "paths": frozenset(item.get("paths", ())),
                "question": item.get("question", ""),
                "source": item.get("source", ""),
                "verified": bool(item.get("verified", True)),
            }
            entry = existing.get((kind, item["code"]))
            if entry is None:
                new_rows.append({"kind": kind, "code": item["code"], **values})
            elif entry.added_by_id is None and entry.edited_at is None:
                changed = {k: v for k, v in values.items() if getattr(entry, k) != v}
                for key, value in changed.items():
                    setattr(entry, key, value)
                updated += bool(changed)
    if new_rows:
        # One statement for all of them (the tests' world loads this each time).
        db.session.execute(insert(CurriculumEntry), new_rows)
    db.session.flush()
    return {"curriculum entries": len(existing) + len(new_rows)}


def entries(kind: str | None = None, *, current_only: bool = False) -> list[CurriculumEntry]:
    """Entries in the order people read them: by kind, profile, code."""
    query = select(CurriculumEntry)
    if kind is not None:
        query = query.where(CurriculumEntry.kind == kind)
    if current_only:
        query = query.where(CurriculumEntry.retired_at.is_(None))
    found = list(db.session.scalars(query))
    return sorted(found, key=entry_order)


def entry_order(entry: CurriculumEntry) -> tuple:
    profiles = list(vocabulary.PROFILES)
    profile_rank = profiles.index(entry.profile) if entry.profile in profiles else len(profiles)
    return (KINDS.index(entry.kind), profile_rank, entry.code)


def entries_by_kind(*, current_only: bool = False) -> dict[str, list[CurriculumEntry]]:
    """Every entry in one query, per kind in reading order (filter forms, the API)."""
    grouped: dict[str, list[CurriculumEntry]] = {kind: [] for kind in KINDS}
    for entry in entries(current_only=current_only):
        grouped[entry.kind].append(entry)
    return grouped


def entries_by_code(kind: str) -> dict[str, CurriculumEntry]:
    return {entry.code: entry for entry in entries(kind)}


def entry_named(kind: str, code: str) -> CurriculumEntry | None:
    return db.session.scalar(
        select(CurriculumEntry).where(CurriculumEntry.kind == kind, CurriculumEntry.code == code)
    )


def codes_of(dimension: str, *, current_only: bool = True) -> set[str]:
    """The codes a tag or an offer may name in a dimension."""
    if dimension == "profile":
        return set(vocabulary.PROFILES)
    query = select(CurriculumEntry.code).where(CurriculumEntry.kind == dimension)
    if current_only:
        query = query.where(CurriculumEntry.retired_at.is_(None))
    return set(db.session.scalars(query))


def is_in_use(entry: CurriculumEntry) -> bool:
    tagged = exists().where(ActivityTag.dimension == entry.kind, ActivityTag.code == entry.code)
    offered = exists().where(SchoolOffer.dimension == entry.kind, SchoolOffer.code == entry.code)
    return bool(db.session.scalar(select(or_(tagged, offered))))


def add_entry(user, fields: Mapping) -> CurriculumEntry:
    """A coordinator adds an entry (a keuzevak the fixture lacks, say)."""
    kind = fields.get("kind")
    if kind not in KINDS:
        raise DomainError(_("Choose one of the options."), field="kind")
    code = _clean_code(fields.get("code", ""))
    if entry_named(kind, code) is not None:
        raise DomainError(_("There is an entry with this code already."), field="code")
    entry = CurriculumEntry(kind=kind, code=code, added_by_id=user.id if user else None)
    _apply(entry, fields)
    db.session.add(entry)
    db.session.flush()
    _changed(entry)
    return entry


def edit_entry(user, entry: CurriculumEntry, fields: Mapping) -> CurriculumEntry:
    """A coordinator corrects an entry; its kind and code stay (tags name it by code)."""
    _apply(entry, fields)
    entry.edited_at = utcnow()
    db.session.flush()
    _changed(entry)
    return entry


def retire_entry(entry: CurriculumEntry) -> None:
    """New tags and offers can no longer choose it; the ones there keep it."""
    if entry.retired_at is None:
        entry.retired_at = utcnow()
        db.session.flush()
        _changed(entry)


def restore_entry(entry: CurriculumEntry) -> None:
    if entry.retired_at is not None:
        entry.retired_at = None
        db.session.flush()
        _changed(entry)


def delete_entry(entry: CurriculumEntry) -> None:
    """Only an entry nothing names: one in use is retired instead."""
    if is_in_use(entry):
        raise DomainError(
            _("Activities or school offers use this entry: retire it instead."), field="code"
        )
    _changed(entry)
    db.session.delete(entry)
    db.session.flush()


def _clean_code(raw: str) -> str:
    code = limited(raw, "code", CODE_LENGTH)
    if not code:
        raise DomainError(_("Give the entry a code."), field="code")
    if not CODE_PATTERN.fullmatch(code):
        raise DomainError(
            _("A code has letters, digits, and the marks & . - _ only."), field="code"
        )
    return code


def _apply(entry: CurriculumEntry, fields: Mapping) -> None:
    name = limited(fields.get("name", ""), "name", LINE)
    if not name:
        raise DomainError(_("Give the entry a name."), field="name")
    profile = fields.get("profile") or None
    if entry.kind in PROFILE_KINDS:
        if profile not in vocabulary.PROFILES:
            raise DomainError(_("Choose the profile it belongs to."), field="profile")
    else:
        profile = None
    paths = frozenset(fields.get("paths") or ())
    if not paths <= set(vocabulary.PATHS):
        raise DomainError(_("Choose one of the options."), field="paths")
    entry.name = name
    entry.profile = profile
    entry.paths = paths if entry.kind == "module" else frozenset()
    question = limited(fields.get("question", ""), "question", QUESTION_LENGTH)
    entry.question = question if entry.kind == "competence" else ""
    entry.source = limited(fields.get("source", ""), "source", SOURCE_LENGTH)
    entry.verified = bool(fields.get("verified"))


def _changed(entry: CurriculumEntry) -> None:
    emit(ev.CurriculumChanged(entry_id=entry.id, kind=entry.kind, code=entry.code))


# --- an activity's tags ----------------------------------------------------------


def checked_codes(dimension: str, codes: Iterable[str], *, keep: Iterable[str] = ()) -> list[str]:
    """The codes, without repeats, if every one names a current entry of the
    dimension; `keep` are codes already stored, allowed even when retired."""
    wanted = list(dict.fromkeys(str(code).strip() for code in codes if str(code).strip()))
    known = codes_of(dimension) | set(keep)
    unknown = [code for code in wanted if code not in known]
    if unknown:
        raise DomainError(
            ngettext(
                "Unknown code: %(codes)s.",
                "Unknown codes: %(codes)s.",
                len(unknown),
                codes=", ".join(unknown[:5]),
            ),
            field=dimension,
        )
    return wanted


def tags_of(activity_id: int) -> dict[str, list[str]]:
    """An activity's codes per dimension ({"module": ["PIE-3"], ...})."""
    return tags_of_many([activity_id]).get(activity_id, {})


def tags_of_many(activity_ids: Iterable[int]) -> dict[int, dict[str, list[str]]]:
    """The codes of many activities in one query (lists, the API): {id: {dimension: codes}}."""
    ids = list(set(activity_ids))
    found: dict[int, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    if not ids:
        return {}
    rows = db.session.execute(
        select(ActivityTag.activity_id, ActivityTag.dimension, ActivityTag.code)
        .where(ActivityTag.activity_id.in_(ids))
        .order_by(ActivityTag.activity_id, ActivityTag.dimension, ActivityTag.code)
    )
    for activity_id, dimension, code in rows:
        found[activity_id][dimension].append(code)
    return {key: dict(value) for key, value in found.items()}


def named_tags(activity_id: int) -> dict[str, list[CurriculumEntry]]:
    """An activity's tags as entries (name, profile, question), per dimension in
    the order of TAG_DIMENSIONS, entries in reading order."""
    rows = db.session.scalars(
        select(CurriculumEntry)
        .join(
            ActivityTag,
            and_(
                ActivityTag.dimension == CurriculumEntry.kind,
                ActivityTag.code == CurriculumEntry.code,
            ),
        )
        .where(ActivityTag.activity_id == activity_id)
    )
    grouped: dict[str, list[CurriculumEntry]] = {}
    for entry in sorted(rows, key=entry_order):
        grouped.setdefault(entry.kind, []).append(entry)
    return {dimension: grouped[dimension] for dimension in TAG_DIMENSIONS if dimension in grouped}


def set_tags(activity_id: int, tags: Mapping[str, Iterable[str]]) -> dict[str, list[str]]:
    """Replaces the activity's codes of each dimension given (others stay).
    Checks every code first, so a bad one changes nothing. Flushes; the caller
    (the catalogue's service) emits ActivityChanged with the rest of its change."""
    unknown_dimensions = set(tags) - set(TAG_DIMENSIONS)
    if unknown_dimensions:
        raise DomainError(_("Choose one of the options."), field=sorted(unknown_dimensions)[0])
    stored = tags_of(activity_id)
    wanted = {
        dimension: checked_codes(dimension, codes, keep=stored.get(dimension, ()))
        for dimension, codes in tags.items()
    }
    for dimension, codes in wanted.items():
        if set(codes) == set(stored.get(dimension, ())):
            continue
        db.session.execute(
            delete(ActivityTag).where(
                ActivityTag.activity_id == activity_id, ActivityTag.dimension == dimension
            )
        )
        if codes:
            db.session.execute(
                insert(ActivityTag),
                [{"activity_id": activity_id, "dimension": dimension, "code": c} for c in codes],
            )
    db.session.flush()
    return wanted


def tagged_with(activity_id_column, dimension: str, codes: Iterable[str]):
    """SQL: the activity (its id column given) has a tag of `dimension` among
    `codes`. An EXISTS that reads the key (dimension, code, activity_id)."""
    return exists().where(
        ActivityTag.dimension == dimension,
        ActivityTag.code.in_(list(codes)),
        ActivityTag.activity_id == activity_id_column,
    )


def suggested_modules(profiles: Iterable[str]) -> list[CurriculumEntry]:
    """The current modules of the given profiles: what the activity form offers first."""
    chosen = set(profiles)
    return [entry for entry in entries("module", current_only=True) if entry.profile in chosen]


# --- a school location's offer -----------------------------------------------------


def offer_of(location_id: int, school_year: SchoolYear | int) -> dict[str, set[str]]:
    """What a location offers in a school year: {"profile": {...}, "keuzevak": {...}}."""
    year = school_year.start if isinstance(school_year, SchoolYear) else school_year
    found: dict[str, set[str]] = {dimension: set() for dimension in OFFER_DIMENSIONS}
    rows = db.session.execute(
        select(SchoolOffer.dimension, SchoolOffer.code).where(
            SchoolOffer.location_id == location_id, SchoolOffer.school_year == year
        )
    )
    for dimension, code in rows:
        found.setdefault(dimension, set()).add(code)
    return found


def offers_of_year(school_year: SchoolYear | int) -> dict[int, dict[str, set[str]]]:
    """Every location's offer in a school year, in one query: {location_id: offer}."""
    year = school_year.start if isinstance(school_year, SchoolYear) else school_year
    found: dict[int, dict[str, set[str]]] = {}
    rows = db.session.execute(
        select(SchoolOffer.location_id, SchoolOffer.dimension, SchoolOffer.code).where(
            SchoolOffer.school_year == year
        )
    )
    for location_id, dimension, code in rows:
        offer = found.setdefault(location_id, {d: set() for d in OFFER_DIMENSIONS})
        offer.setdefault(dimension, set()).add(code)
    return found


def set_offer(
    location, school_year: SchoolYear | int, offer: Mapping[str, Iterable[str]]
) -> dict[str, set[str]]:
    """Replaces what the location offers in the school year, per dimension given.
    A bad code changes nothing."""
    if location.kind != "school":
        raise DomainError(_("Only a school location has an offer."), field="location")
    year = school_year.start if isinstance(school_year, SchoolYear) else school_year
    unknown_dimensions = set(offer) - set(OFFER_DIMENSIONS)
    if unknown_dimensions:
        raise DomainError(_("Choose one of the options."), field=sorted(unknown_dimensions)[0])
    stored = offer_of(location.id, year)
    wanted = {
        dimension: set(checked_codes(dimension, codes, keep=stored.get(dimension, ())))
        for dimension, codes in offer.items()
    }
    changed = False
    for dimension, codes in wanted.items():
        if codes == stored.get(dimension, set()):
            continue
        changed = True
        db.session.execute(
            delete(SchoolOffer).where(
                SchoolOffer.location_id == location.id,
                SchoolOffer.school_year == year,
                SchoolOffer.dimension == dimension,
            )
        )
        if codes:
            db.session.execute(
                insert(SchoolOffer),
                [
                    {
                        "location_id": location.id,
                        "school_year": year,
                        "dimension": dimension,
                        "code": c,
                    }
                    for c in sorted(codes)
                ],
            )
    db.session.flush()
    if changed:
        emit(ev.SchoolOfferChanged(location_id=location.id, school_year=year))
    return {**stored, **wanted}
