"""Who may print which document. A document of another organisation does not
exist for the person asking (404, ASVS 4.2.1)."""

from __future__ import annotations

from app.accounts.models import Organisation, User
from app.accounts.permissions import is_member_of
from app.bookings.models import Booking
from app.bookings.permissions import can_view_booking
from app.placements.models import Placement
from app.placements.permissions import can_view_placement


def can_print_booking_documents(user: User, booking: Booking) -> bool:
    """The parties of a booking and coordinators; the confirmation goes to the
    school's administration and to parents, the certificate to the class."""
    return can_view_booking(user, booking)


def can_print_programme(user: User, school: Organisation) -> bool:
    return school.kind == "school" and (user.is_coordinator or is_member_of(user, school))


def can_print_annual_report(user: User) -> bool:
    return user.is_coordinator


def can_print_placement_agreement(user: User, placement: Placement) -> bool:
    """The company, the school and coordinators: whoever may see the placement."""
    return can_view_placement(user, placement)
