"""Who may do what with organisations and people. Predicates read as sentences."""

from __future__ import annotations

from app.accounts.models import Organisation, User


def is_member_of(user: User, organisation: Organisation) -> bool:
    return any(m.organisation_id == organisation.id for m in user.memberships)


def can_view_organisation(user: User, organisation: Organisation) -> bool:
    return user.is_coordinator or is_member_of(user, organisation)


def can_invite_to(user: User, organisation: Organisation) -> bool:
    """Members invite colleagues to their own organisation; coordinators to any."""
    return user.is_coordinator or is_member_of(user, organisation)


def can_approve(user: User, organisation: Organisation) -> bool:
    return user.is_coordinator and organisation.status == "pending"


def can_manage_organisations(user: User) -> bool:
    return user.is_coordinator
