"""Who sees which figures. Coordinators see the region; a school's or a
company's members see the figures of their own organisations, which include
the other party's evaluations of their bookings (docs/FIELD.md, "Privacy":
evaluations are visible to the other party)."""

from __future__ import annotations

from app.accounts.models import User
from app.insights.filters import Scope


def own_organisations(user: User):
    return [o for o in user.organisations() if o.kind in ("school", "company")]


def can_view_insights(user: User) -> bool:
    return user.is_coordinator or bool(own_organisations(user))


def scope_for(user: User) -> Scope:
    if user.is_coordinator:
        return Scope.region()
    return Scope.of(own_organisations(user))


def can_print_annual_report(user: User) -> bool:
    return user.is_coordinator
