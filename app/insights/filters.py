"""What a set of figures is about: whose bookings (scope), which school year,
and which slice (filters). All three travel in the URL, so that every figure
can link to the list behind it and an export gives the same numbers."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace

from app import vocabulary
from app.school_year import SchoolYear
from app.timeutil import FIRST_YEAR, LAST_YEAR


def _code(value: str | None, words: dict) -> str | None:
    return value if value in words else None


def _int(value: str | None) -> int | None:
    try:
        number = int(value or "")
    except ValueError:
        return None
    return number if 0 < number < 2**31 else None


@dataclass(frozen=True)
class Filters:
    """A slice of the bookings. Unknown or malformed values are ignored rather
    than refused: these come from links and from a form of select boxes."""

    kind: str | None = None
    sector: str | None = None
    profile: str | None = None
    year: str | None = None  # class year (1-4); the school year is SchoolYear
    path: str | None = None
    month: int | None = None  # 1-12, calendar month within the school year
    town: str | None = None
    school: int | None = None
    company: int | None = None
    # "none" selects the groups without a profile (years 1 and 2).
    NO_PROFILE = vocabulary.NO_PROFILE

    @classmethod
    def from_args(cls, args) -> Filters:
        month = _int(args.get("month"))
        town = (args.get("town") or "").strip()[:100] or None
        profile = args.get("profile")
        return cls(
            kind=_code(args.get("kind"), vocabulary.ACTIVITY_KINDS),
            sector=_code(args.get("sector"), vocabulary.SECTORS),
            profile=profile if profile == cls.NO_PROFILE else _code(profile, vocabulary.PROFILES),
            year=_code(args.get("year"), vocabulary.YEARS),
            path=_code(args.get("path"), vocabulary.PATHS),
            month=month if month and month <= 12 else None,
            town=town,
            school=_int(args.get("school")),
            company=_int(args.get("company")),
        )

    def to_args(self) -> dict[str, str]:
        return {
            f.name: str(getattr(self, f.name))
            for f in fields(self)
            if getattr(self, f.name) is not None
        }

    def but(self, **changes) -> Filters:
        return replace(self, **changes)

    def __bool__(self) -> bool:
        return bool(self.to_args())


def school_year_from_args(args, default: SchoolYear | None = None) -> SchoolYear:
    start = _int(args.get("school_year"))
    if start and FIRST_YEAR <= start < LAST_YEAR:
        return SchoolYear(start)
    return default or SchoolYear.current()


@dataclass(frozen=True)
class Scope:
    """Whose bookings count: None means the whole region (coordinators);
    otherwise the bookings of these schools and of these companies' activities."""

    school_ids: tuple[int, ...] | None = None
    company_ids: tuple[int, ...] | None = None

    @property
    def is_region(self) -> bool:
        return self.school_ids is None and self.company_ids is None

    @classmethod
    def region(cls) -> Scope:
        return cls()

    @classmethod
    def of(cls, organisations) -> Scope:
        return cls(
            school_ids=tuple(sorted(o.id for o in organisations if o.kind == "school")),
            company_ids=tuple(sorted(o.id for o in organisations if o.kind == "company")),
        )
