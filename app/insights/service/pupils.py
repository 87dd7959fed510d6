"""Coverage in pupils: the share of a school year's pupils who took part in at
least one technology activity, per school, class year, learning path and
profile, against the aim that every pupil meets technology.

Groups are not lists of names (no pupil is stored), so who took part is an
estimate per cell of the enrolment, a school location's pupils in one class
year, learning path and profile (decision 0018): at least the largest group
that took part (those pupils certainly did) and at most all its groups added
up (as if every group were other pupils), both no more than the cell's
pupils. A group counts with the school's head count when it evaluated,
otherwise with the size booked, as the reach figures do. Groups of a cell
without enrolment are counted apart: they reached pupils the enrolment does
not know of."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import func, select

from app.accounts.models import Organisation
from app.enrolment.models import Enrolment
from app.extensions import db
from app.insights.filters import Scope
from app.insights.models import ReachFact
from app.school_year import SchoolYear

# The breakdowns, in the order the page shows them.
BREAKDOWNS = ("school", "year", "path", "profile")


@dataclass(frozen=True)
class Cell:
    school_id: int
    year: str
    path: str
    profile: str  # '' for no profile (years 1 and 2, tl)
    enrolled: int
    groups: int
    largest: int
    together: int

    @property
    def at_least(self) -> int:
        return min(self.enrolled, self.largest)

    @property
    def at_most(self) -> int:
        return min(self.enrolled, self.together)


@dataclass
class Share:
    """Pupils enrolled and reached (at least, at most) in some cells."""

    enrolled: int = 0
    at_least: int = 0
    at_most: int = 0
    groups: int = 0

    def add(self, cell: Cell) -> None:
        self.enrolled += cell.enrolled
        self.at_least += cell.at_least
        self.at_most += cell.at_most
        self.groups += cell.groups

    @property
    def low(self) -> float | None:
        """The share reached at least, as a fraction (0.34 is 34%)."""
        return self.at_least / self.enrolled if self.enrolled else None

    @property
    def high(self) -> float | None:
        return self.at_most / self.enrolled if self.enrolled else None

    @property
    def not_reached(self) -> int:
        """Pupils who certainly did not take part yet (the aim is every pupil)."""
        return self.enrolled - self.at_most


@dataclass
class PupilCoverage:
    school_year: SchoolYear
    cells: list[Cell]
    school_names: dict[int, str]
    # Groups that took part in a cell the enrolment has no pupils in.
    outside_groups: int = 0
    outside_students: int = 0
    # Schools in scope with groups that took part but no enrolment this year.
    schools_without_enrolment: list[int] = field(default_factory=list)

    @property
    def total(self) -> Share:
        share = Share()
        for cell in self.cells:
            share.add(cell)
        return share

    def by(self, breakdown: str) -> list[tuple[object, Share]]:
        """(value, share) per school, class year, path or profile, in reading
        order (schools by name)."""
        shares: dict[object, Share] = defaultdict(Share)
        for cell in self.cells:
            key = cell.school_id if breakdown == "school" else getattr(cell, breakdown)
            shares[key].add(cell)
        if breakdown == "school":
            return sorted(shares.items(), key=lambda kv: self.school_names.get(kv[0], ""))
        return sorted(shares.items(), key=lambda kv: (kv[0] == "", kv[0]))


def _scoped(column, scope: Scope):
    if scope.is_region:
        return True
    return column.in_(scope.school_ids or ())


def pupil_coverage(scope: Scope, school_year: SchoolYear) -> PupilCoverage:
    """Two grouped queries (the enrolment, the groups that took part per
    cell) and one for the schools' names."""
    enrolled = {
        (r.location_id, r.year, r.path, r.profile): r.pupils
        for r in db.session.execute(
            select(
                Enrolment.location_id,
                Enrolment.year,
                Enrolment.path,
                Enrolment.profile,
                Enrolment.pupils,
            ).where(
                Enrolment.school_year == school_year.start,
                _scoped(Enrolment.location_id, scope),
            )
        )
    }
    profile = func.coalesce(ReachFact.profile, "")
    taken = {
        (r.school_id, r.year, r.path, r.profile): (r.groups, r.largest, r.together)
        for r in db.session.execute(
            select(
                ReachFact.school_id,
                ReachFact.year,
                ReachFact.path,
                profile.label("profile"),
                func.count().label("groups"),
                func.max(ReachFact.students).label("largest"),
                func.sum(ReachFact.students).label("together"),
            )
            .where(ReachFact.school_year == school_year.start, _scoped(ReachFact.school_id, scope))
            .group_by(ReachFact.school_id, ReachFact.year, ReachFact.path, profile)
        )
    }
    cells = [
        Cell(*key, enrolled=pupils, groups=g, largest=int(big or 0), together=int(all_ or 0))
        for key, pupils in sorted(enrolled.items())
        for g, big, all_ in [taken.get(key, (0, 0, 0))]
    ]
    outside = {key: value for key, value in taken.items() if key not in enrolled}
    with_enrolment = {key[0] for key in enrolled}
    school_ids = {key[0] for key in enrolled} | {key[0] for key in taken}
    names = {
        i: name
        for i, name in db.session.execute(
            select(Organisation.id, Organisation.name).where(Organisation.id.in_(school_ids))
        )
    }
    return PupilCoverage(
        school_year=school_year,
        cells=cells,
        school_names=names,
        outside_groups=sum(v[0] for v in outside.values()),
        outside_students=sum(int(v[2] or 0) for v in outside.values()),
        schools_without_enrolment=sorted(
            {key[0] for key in outside} - with_enrolment, key=lambda i: names.get(i, "")
        ),
    )
