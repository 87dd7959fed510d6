"""Who enters and imports pupil numbers."""

from __future__ import annotations

from app.accounts.models import Organisation, User


def can_enter_enrolment(user: User, location: Organisation) -> bool:
    """The location's own teachers and administrators, and the coordinators."""
    return user.is_coordinator or user.role_in(location) in ("teacher", "administrator")


def can_import_enrolment(user: User) -> bool:
    return user.is_coordinator
