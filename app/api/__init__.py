"""The JSON API, version 1: bearer tokens, one error format, and an OpenAPI
document generated from the operations as they are registered
(docs/ARCHITECTURE.md, "A new API route")."""

from app.api import (  # noqa: F401  (each module registers its operations on bp)
    activities,
    bookings,
    curriculum,
    enrolment,
    evaluations,
    me,
    openapi,
    placement_hr,
    placements,
    requests,
    slots,
    waiting_lists,
)
from app.api.blueprint import bp

__all__ = ["bp"]
