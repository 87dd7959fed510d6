"""Pupil numbers and coverage in pupils: a school location's enrolment per
school year (read and replaced by its people and coordinators), and the
share of pupils who took part, estimated as decision 0018 describes. The same
services as the pages (app/enrolment/service.py, app/insights/service/pupils.py)."""

from __future__ import annotations

from typing import Annotated, Literal

from flask_babel import gettext as _
from pydantic import BaseModel, ConfigDict, Field, StrictInt

from app.accounts.models import Organisation
from app.api.blueprint import bp
from app.api.spec import invalid, not_found, operation, require_user
from app.enrolment import permissions, service
from app.enrolment.models import MOST_PUPILS
from app.extensions import db
from app.insights import service as figures
from app.insights.permissions import can_view_insights, scope_for
from app.school_year import SchoolYear
from app.timeutil import FIRST_YEAR, LAST_YEAR

Year = Literal["1", "2", "3", "4"]
Path = Literal["BB", "KB", "GL", "TL"]
SchoolYearStart = Annotated[
    int,
    Field(
        ge=FIRST_YEAR,
        lt=LAST_YEAR,
        description="The year the school year starts: 2026 is 2026-2027.",
    ),
]


class EnrolmentCell(BaseModel):
    model_config = ConfigDict(extra="forbid")

    year: Year
    path: Path
    profile: str = Field(
        "",
        max_length=8,
        description="A profile code, or empty: years 1 and 2 have none; "
        "years 3 and 4 may be given without one.",
    )
    pupils: Annotated[StrictInt, Field(ge=0, le=MOST_PUPILS)]


class EnrolmentOut(BaseModel):
    school_id: int
    school_year: int
    cells: list[EnrolmentCell] = Field(description="Cells without pupils are left out.")
    pupils: int = Field(description="All cells together.")


class EnrolmentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    school_year: SchoolYearStart
    cells: list[EnrolmentCell] = Field(
        max_length=400, description="The whole year's numbers: cells left out are no pupils."
    )


class YearQuery(BaseModel):
    school_year: SchoolYearStart | None = None


def _year(value: int | None) -> SchoolYear:
    return SchoolYear(value) if value else SchoolYear.current()


def load_school(school_id: int, user) -> Organisation:
    school = db.session.get(Organisation, school_id)
    if (
        school is None
        or school.kind != "school"
        or not permissions.can_enter_enrolment(user, school)
    ):
        raise not_found(_("There is no school location with this id."))
    return school


def enrolment_out(school: Organisation, school_year: SchoolYear) -> EnrolmentOut:
    numbers = service.enrolment_of(school.id, school_year)
    return EnrolmentOut(
        school_id=school.id,
        school_year=school_year.start,
        cells=[
            EnrolmentCell(year=y, path=p, profile=pr, pupils=n)
            for (y, p, pr), n in sorted(numbers.items())
        ],
        pupils=sum(numbers.values()),
    )


@operation(
    bp,
    "GET",
    "/schools/<int:school_id>/enrolment",
    summary="A school location's pupil numbers for a school year",
    tag="coverage",
    query=YearQuery,
    response=EnrolmentOut,
    errors=(404,),
)
def get_enrolment(school_id: int, query: YearQuery) -> EnrolmentOut:
    school = load_school(school_id, require_user())
    return enrolment_out(school, _year(query.school_year))


@operation(
    bp,
    "PUT",
    "/schools/<int:school_id>/enrolment",
    summary="Replace a school location's pupil numbers for a school year",
    tag="coverage",
    body=EnrolmentIn,
    response=EnrolmentOut,
    errors=(404,),
)
def put_enrolment(school_id: int, body: EnrolmentIn) -> EnrolmentOut:
    user = require_user()
    school = load_school(school_id, user)
    school_year = SchoolYear(body.school_year)
    numbers: dict = {}
    for index, cell in enumerate(body.cells):
        key = (cell.year, cell.path, cell.profile)
        if not service.valid_cell(key):
            raise invalid(
                f"cells.{index}.profile", _("There is no such year, learning path and profile.")
            )
        if key in numbers:
            raise invalid(
                f"cells.{index}", _("This year, learning path and profile is given twice.")
            )
        numbers[key] = cell.pupils
    service.set_enrolment(user, school, school_year, numbers)
    db.session.commit()
    return enrolment_out(school, school_year)


class ShareOut(BaseModel):
    enrolled: int
    at_least: int = Field(description="Pupils who certainly took part: the largest group per cell.")
    at_most: int = Field(
        description="Pupils who may have: all groups per cell, at most the pupils."
    )
    groups: int
    low: float | None = Field(description="at_least / enrolled; null without pupils.")
    high: float | None = Field(description="at_most / enrolled; null without pupils.")


class BreakdownRow(ShareOut):
    value: str = Field(
        description="The school's id, the year, the path or the profile ('' is none)."
    )


class PupilCoverageOut(BaseModel):
    school_year: int
    method: str = Field(description="How the estimate is made, in words.")
    total: ShareOut
    by_school: list[BreakdownRow]
    by_year: list[BreakdownRow]
    by_path: list[BreakdownRow]
    by_profile: list[BreakdownRow]
    outside_groups: int = Field(description="Groups in cells the pupil numbers do not list.")
    outside_students: int


def _share(share) -> dict:
    return {
        "enrolled": share.enrolled,
        "at_least": share.at_least,
        "at_most": share.at_most,
        "groups": share.groups,
        "low": share.low,
        "high": share.high,
    }


METHOD = (
    "Per school location, year, learning path and profile: at least the largest group "
    "that took part, at most all its groups added up, never more than the pupils "
    "enrolled; a group counts with the school's head count, else its size booked."
)


@operation(
    bp,
    "GET",
    "/coverage/pupils",
    summary="The share of pupils who took part in at least one activity (an estimate)",
    tag="coverage",
    query=YearQuery,
    response=PupilCoverageOut,
    errors=(404,),
)
def get_pupil_coverage(query: YearQuery) -> PupilCoverageOut:
    """Coordinators see the region, a school's people their schools."""
    user = require_user()
    scope = scope_for(user)
    if not can_view_insights(user) or (not scope.is_region and not scope.school_ids):
        raise not_found(_("Coverage in pupils is for schools and coordinators."))
    found = figures.pupil_coverage(scope, _year(query.school_year))
    rows = {
        name: [BreakdownRow(value=str(value), **_share(share)) for value, share in found.by(name)]
        for name in figures.PUPIL_BREAKDOWNS
    }
    return PupilCoverageOut(
        school_year=found.school_year.start,
        method=METHOD,
        total=ShareOut(**_share(found.total)),
        by_school=rows["school"],
        by_year=rows["year"],
        by_path=rows["path"],
        by_profile=rows["profile"],
        outside_groups=found.outside_groups,
        outside_students=found.outside_students,
    )
