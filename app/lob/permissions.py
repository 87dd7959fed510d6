"""Who reads, adapts and shares a booking's loopbaandossier sheet, and who
adds the company's questions to an activity."""

from __future__ import annotations

from app.accounts.models import User
from app.bookings.models import Booking
from app.bookings.permissions import can_view_booking, is_party_of_school
from app.catalogue.models import Activity
from app.catalogue.permissions import can_manage_activity


def can_read_sheet(user: User, booking: Booking) -> bool:
    """Whoever may see the booking: the school, the company, coordinators."""
    return can_view_booking(user, booking)


def can_adapt_sheet(user: User, booking: Booking) -> bool:
    """The school's people: the sheet is for their class."""
    return is_party_of_school(user, booking)


def can_add_questions(user: User, activity: Activity) -> bool:
    return can_manage_activity(user, activity)
