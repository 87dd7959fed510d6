"""Who may evaluate a booking and who may read evaluations. Predicates read as
sentences; evaluations.service judges the booking's state."""

from __future__ import annotations

from app.accounts.models import User
from app.bookings.models import Booking
from app.bookings.permissions import is_party_of_company, is_party_of_school


def sides_of(user: User, booking: Booking) -> list[str]:
    """The sides a person may speak for on this booking: their school's, their
    company's, or (rarely, for someone in both) either."""
    sides = []
    if is_party_of_school(user, booking):
        sides.append("school")
    if is_party_of_company(user, booking):
        sides.append("company")
    return sides


def can_evaluate(user: User, booking: Booking, side: str) -> bool:
    return side in sides_of(user, booking)


def can_read_evaluations(user: User, booking: Booking) -> bool:
    """Both parties read each other's evaluation; coordinators read all."""
    return user.is_coordinator or bool(sides_of(user, booking))
