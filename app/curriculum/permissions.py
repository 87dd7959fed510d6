"""Who may change the curriculum's reference entries and a school's offer."""

from __future__ import annotations

from app.accounts.permissions import acts_for, is_administrator_of, is_member_of


def can_edit_curriculum(user) -> bool:
    """Coordinators keep the region's reference data, as they keep the holidays."""
    return user is not None and user.is_authenticated and user.is_coordinator


def can_view_offer(user, school) -> bool:
    """The school's own people, and coordinators (the region's coverage)."""
    return (
        user is not None
        and user.is_authenticated
        and school.kind == "school"
        and (user.is_coordinator or is_member_of(user, school))
    )


def can_edit_offer(user, school) -> bool:
    """The school's administrators: the offer is the school's decision, as its
    profile is (teachers see it)."""
    return (
        user is not None
        and user.is_authenticated
        and school.kind == "school"
        and acts_for(user, school)
        and is_administrator_of(user, school)
    )
