"""Placement pages: the parties' lists, proposing and the coordinators'
overview (pages), a placement's own page and its answers (answers), and the
candidate pool (pool), all on one blueprint (common)."""

from app.placements.views import answers, hr, pages, pool  # noqa: F401  (they register their routes)
from app.placements.views.common import bp

__all__ = ["bp"]
