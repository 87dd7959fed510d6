"""Hybrid-teacher placements: proposing, negotiating, the weekly schedule's
exceptions, ending; and the candidate pool.

    proposed --accept--> agreed --end_early / finish_ended--> ended
       |  \\--counter--> countered --accept--> agreed
       +--decline / withdraw--+--> declined | withdrawn

Whose move it is: the side that did not propose accepts, declines or counters
a proposal; the proposing side accepts or declines a counter, and may withdraw
while it is open (Placement.awaiting). Who the actor is, is checked by the
views and the API with placements.permissions before they call in here.

One module per use case: terms (what a proposal says about time, and the
checks of every field), clash (one professional never in two places at once),
lifecycle (the states above), lessons (one lesson cancelled or moved),
queries (the lists, the history, the hours of the overview) and pool (the
candidate pool). This module is their public face.
"""

from app.placements.service.clash import (
    Clash,
    check_clash,
    find_clash,
    weekday_name,
)
from app.placements.service.lessons import (
    cancel_lesson,
    move_lesson,
)
from app.placements.service.lifecycle import (
    accept,
    counter,
    decline,
    end_early,
    finish_ended,
    follow_changed_holidays,
    placements_in_holidays,
    propose,
    record_hr,
    withdraw,
)
from app.placements.service.pool import (
    approve_candidate,
    professionals_of,
    register_candidate,
    reject_candidate,
    search_pool,
    withdraw_candidate,
)
from app.placements.service.queries import (
    SchoolHours,
    SectorHours,
    ending_within,
    history,
    hours_per_school,
    hours_per_sector,
    placements_of,
)
from app.placements.service.terms import (
    MAX_SPAN_DAYS,
    Terms,
    clean_profiles,
    clean_terms,
)
from app.timeutil import today_local

__all__ = [
    "today_local",
    "Clash",
    "MAX_SPAN_DAYS",
    "SchoolHours",
    "SectorHours",
    "Terms",
    "accept",
    "approve_candidate",
    "cancel_lesson",
    "check_clash",
    "clean_profiles",
    "clean_terms",
    "counter",
    "decline",
    "end_early",
    "ending_within",
    "find_clash",
    "finish_ended",
    "follow_changed_holidays",
    "history",
    "hours_per_school",
    "hours_per_sector",
    "move_lesson",
    "placements_in_holidays",
    "placements_of",
    "professionals_of",
    "propose",
    "record_hr",
    "register_candidate",
    "reject_candidate",
    "search_pool",
    "weekday_name",
    "withdraw",
    "withdraw_candidate",
]
