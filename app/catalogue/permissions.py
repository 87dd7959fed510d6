"""Who may see and change activities and slots. Predicates read as sentences."""

from __future__ import annotations

from app.accounts.models import Organisation, User
from app.catalogue.models import Activity, Slot

# The roles of a company's membership that run its offer.
MANAGING_ROLES = ("contact", "administrator")


def _signed_in(user) -> bool:
    return user is not None and getattr(user, "is_authenticated", False)


def companies_managed_by(user: User) -> list[Organisation]:
    if not _signed_in(user):
        return []
    return [
        m.organisation
        for m in user.memberships
        if m.role in MANAGING_ROLES and m.organisation.kind == "company"
    ]


def can_manage_activities_of(user: User, company: Organisation) -> bool:
    return (
        _signed_in(user)
        and company.kind == "company"
        and any(
            m.organisation_id == company.id and m.role in MANAGING_ROLES for m in user.memberships
        )
    )


def can_manage_activity(user: User, activity: Activity) -> bool:
    return can_manage_activities_of(user, activity.company)


def can_manage_slot(user: User, slot: Slot) -> bool:
    return can_manage_activity(user, slot.activity)


def is_public(activity: Activity) -> bool:
    return activity.status == "published" and activity.company.is_approved


def can_view_activity(user: User, activity: Activity) -> bool:
    """Published activities of approved companies are public; drafts and archived
    ones only for the company's own people and coordinators."""
    if is_public(activity):
        return True
    if not _signed_in(user):
        return False
    return user.is_coordinator or any(
        m.organisation_id == activity.company_id for m in user.memberships
    )
