"""A coordinator's filtered feed, as SQL: the conditions on slots and on
placements that its filters (regions, sectors, profiles, kinds, schools,
companies) make."""

from __future__ import annotations

from sqlalchemy import Integer, false, literal, select

from app.bookings.models import Booking
from app.calendar.content.common import (
    COMPANY,
    PLACEMENT_KIND,
)
from app.catalogue.models import Activity, Slot
from app.placements.models import Placement


def placement_filter_conditions(filters: dict) -> list:
    """Placements that a filtered feed shows: as for slots, with the company's
    region, sectors and id, the placement's profiles and school, and the kind
    "placement"."""
    kinds = filters.get("kinds")
    if kinds and PLACEMENT_KIND not in kinds:
        return [false()]
    conditions = []
    if filters.get("regions"):
        conditions.append(COMPANY.holiday_region.in_(filters["regions"]))
    if filters.get("sectors"):
        conditions.append(has_any_flag(COMPANY.sectors, filters["sectors"]))
    if filters.get("profiles"):
        conditions.append(has_any_flag(Placement.profiles, filters["profiles"]))
    if filters.get("companies"):
        conditions.append(Placement.company_id.in_(filters["companies"]))
    if filters.get("schools"):
        conditions.append(Placement.school_id.in_(filters["schools"]))
    return conditions


FILTER_KEYS = ("regions", "sectors", "profiles", "kinds", "schools", "companies")


def has_any_flag(column, codes) -> object:
    wanted = column.type.mask(codes)
    return column.op("&", return_type=Integer)(literal(wanted, Integer)) != 0


def filter_conditions(filters: dict) -> list:
    """Slots that a filtered feed shows. Within one filter any value matches;
    all filters given must match. Region is the company's holiday region."""
    conditions = []
    if filters.get("regions"):
        conditions.append(COMPANY.holiday_region.in_(filters["regions"]))
    if filters.get("sectors"):
        conditions.append(has_any_flag(Activity.sectors, filters["sectors"]))
    if filters.get("profiles"):
        conditions.append(has_any_flag(Activity.profiles, filters["profiles"]))
    if filters.get("kinds"):
        conditions.append(Activity.kind.in_(filters["kinds"]))
    if filters.get("companies"):
        conditions.append(Activity.company_id.in_(filters["companies"]))
    if filters.get("schools"):
        conditions.append(
            Slot.id.in_(
                select(Booking.slot_id).where(
                    Booking.school_id.in_(filters["schools"]), Booking.status != "declined"
                )
            )
        )
    return conditions
