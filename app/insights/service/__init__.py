"""The figures: reach, coverage and evaluations, computed by the database.

Every figure is an SQL aggregate, so the numbers on the dashboard, in the
exports and in the annual report are the same numbers. Reach and evaluation
figures aggregate reach_fact, one pre-joined row per booking that took place
(app/insights/models.py, kept by app/insights/facts.py), all breakdowns in
one pass (`figures`); coverage, hybrid-teacher hours and the lists read the
bookings and placements themselves. Tests recompute every figure from the raw
rows in Python.

What counts (the dashboard says so too):
- reach counts bookings that took place (status completed) in the school year
  of their slot's start;
- a group's students are the number the school reported in its evaluation,
  otherwise the group size booked;
- an activity in several sectors counts in each of them, so the sector rows
  add up to more than the total.

The package has one module per question: conditions (what the scope and
filters select), reach (reach, evaluations, the groups still to come),
coverage (idle schools and companies, hybrid-teacher hours), pupils
(coverage in pupils against the enrolment) and lists (the
rows behind each figure). This module is their public face.
"""

from app.insights.service.conditions import (
    FACT,
    PLANNED_OR_DONE,
    RAW,
    Columns,
    count,
    filter_conditions,
    participations_query,
    scope_condition,
    sector_condition,
)
from app.insights.service.coverage import (
    Coverage,
    HoursRow,
    Listed,
    coverage,
    hybrid_hours,
    idle_companies_query,
    idle_schools_query,
)
from app.insights.service.curriculum import CurriculumMap, curriculum_map
from app.insights.service.lists import (
    OrganisationRow,
    Page,
    Participation,
    by_organisation,
    evaluations,
    participations,
)
from app.insights.service.pupils import BREAKDOWNS as PUPIL_BREAKDOWNS
from app.insights.service.pupils import PupilCoverage, pupil_coverage
from app.insights.service.reach import (
    DIMENSIONS,
    NO_PROFILE_LABEL,
    Breakdown,
    EvaluationSummary,
    Figures,
    Planned,
    RatingRow,
    Reach,
    Row,
    Totals,
    breakdown,
    evaluation_summary,
    figures,
    planned,
    reach,
    totals,
)

__all__ = [
    "DIMENSIONS",
    "FACT",
    "NO_PROFILE_LABEL",
    "PLANNED_OR_DONE",
    "PUPIL_BREAKDOWNS",
    "RAW",
    "Breakdown",
    "Columns",
    "Coverage",
    "CurriculumMap",
    "EvaluationSummary",
    "Figures",
    "HoursRow",
    "Listed",
    "OrganisationRow",
    "Page",
    "Participation",
    "Planned",
    "PupilCoverage",
    "RatingRow",
    "Reach",
    "Row",
    "Totals",
    "breakdown",
    "by_organisation",
    "count",
    "coverage",
    "curriculum_map",
    "evaluation_summary",
    "evaluations",
    "figures",
    "filter_conditions",
    "hybrid_hours",
    "idle_companies_query",
    "idle_schools_query",
    "participations",
    "participations_query",
    "planned",
    "pupil_coverage",
    "reach",
    "scope_condition",
    "sector_condition",
    "totals",
]
