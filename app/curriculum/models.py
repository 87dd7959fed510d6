"""The curriculum's tables: the reference entries, the activities' tags and the
school locations' offers.

Tags and offers store codes, not entry ids: the same two tables will carry the
audience codes (sector, profile, year, path) of the vocabulary too, which have
no entry row. The services check every code against its dimension's list."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    PrimaryKeyConstraint,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from app import vocabulary
from app.db_types import FlagSet
from app.extensions import db
from app.timeutil import utcnow

# The kinds of reference entry, in the order pages show them. Each kind is also
# the dimension under which an activity is tagged with it.
KINDS = ("module", "keuzevak", "skill", "competence")
# Kinds that belong to one profile (a school may still offer another profile's).
PROFILE_KINDS = ("module", "keuzevak")
CODE_LENGTH = 40


class CurriculumEntry(db.Model):
    """One profile module, keuzevak, skill or career competence.

    Loaded from fixtures/curriculum.json (added_by_id None) and extended by
    coordinators. An entry that is in use is never deleted, only retired:
    existing tags keep their name, new tags cannot choose it."""

    __tablename__ = "curriculum_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(12))
    code: Mapped[str] = mapped_column(String(CODE_LENGTH))
    # Modules and keuzevakken only.
    profile: Mapped[str | None] = mapped_column(String(8))
    name: Mapped[str] = mapped_column(String(200))
    # The learning paths a module is examined in (modules only).
    paths: Mapped[frozenset[str]] = mapped_column(FlagSet(vocabulary.PATHS), default=frozenset)
    # The question a career competence asks the pupil ("Waar ben ik goed in?").
    question: Mapped[str] = mapped_column(String(200), default="")
    source: Mapped[str] = mapped_column(String(300), default="")
    verified: Mapped[bool] = mapped_column(default=False)
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    # Set by a coordinator's edit: the loader then leaves the entry as edited.
    edited_at: Mapped[datetime | None]
    retired_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        CheckConstraint("kind IN ('module', 'keuzevak', 'skill', 'competence')", name="kind"),
        UniqueConstraint("kind", "code", name="uq_curriculum_entry_kind_code"),
    )

    @property
    def label(self) -> str:
        """How lists and chips name it: modules and keuzevakken with their code
        (teachers know them by it), skills and competences by name."""
        return f"{self.code} {self.name}" if self.kind in PROFILE_KINDS else self.name

    @property
    def is_retired(self) -> bool:
        return self.retired_at is not None

    def __repr__(self) -> str:
        return f"<CurriculumEntry {self.kind} {self.code}>"


class ActivityTag(db.Model):
    """An activity serves a code of a dimension (module PIE-3, keuzevak PIE-K03,
    skill samenwerken, competence netwerken).

    The key starts with (dimension, code), so "activities tagged X" is a range
    of the key, and the catalogue filters with EXISTS on it; the index on
    activity_id reads one activity's tags."""

    __tablename__ = "activity_tags"

    dimension: Mapped[str] = mapped_column(String(16))
    code: Mapped[str] = mapped_column(String(CODE_LENGTH))
    activity_id: Mapped[int] = mapped_column(ForeignKey("activity.id", ondelete="CASCADE"))

    __table_args__ = (
        PrimaryKeyConstraint("dimension", "code", "activity_id"),
        Index("ix_activity_tags_activity_id", "activity_id"),
    )

    def __repr__(self) -> str:
        return f"<ActivityTag {self.activity_id} {self.dimension}={self.code}>"


class SchoolOffer(db.Model):
    """A school location offers a profile or a keuzevak in a school year
    (school_year 2026 is 2026-2027, app/school_year.py)."""

    __tablename__ = "school_offers"

    location_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), primary_key=True
    )
    school_year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    dimension: Mapped[str] = mapped_column(String(16), primary_key=True)
    code: Mapped[str] = mapped_column(String(CODE_LENGTH), primary_key=True)

    __table_args__ = (
        # Who offers keuzevak X this year: the matching and the coverage gaps.
        Index("ix_school_offers_dimension_code", "dimension", "code", "school_year"),
    )

    def __repr__(self) -> str:
        return f"<SchoolOffer {self.location_id} {self.school_year} {self.dimension}={self.code}>"
