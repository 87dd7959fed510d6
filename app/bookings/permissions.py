"""Who may do what with bookings. Predicates read as sentences; they judge the
person, and bookings.service judges the booking's state.

A booking belongs to its school and to the company of its slot: each check
names one of the two. Every member of a school (a teacher or its
administrator) books for it once it is approved; every member of the company
answers."""

from __future__ import annotations

from app.accounts.models import Organisation, User
from app.accounts.permissions import acts_for, is_member_of, organisations_acted_for
from app.bookings.models import Booking


def schools_of(user: User) -> list[Organisation]:
    """The approved schools a person books for."""
    return organisations_acted_for(user, "school")


def companies_of(user: User) -> list[Organisation]:
    """The approved companies whose incoming bookings a person handles."""
    return organisations_acted_for(user, "company")


def can_book_for(user: User, school: Organisation) -> bool:
    return school.kind == "school" and acts_for(user, school)


def can_book(user: User) -> bool:
    return bool(schools_of(user))


def is_party_of_school(user: User, booking: Booking) -> bool:
    return is_member_of(user, booking.school)


def is_party_of_company(user: User, booking: Booking) -> bool:
    return is_member_of(user, booking.slot.activity.company)


def can_view_booking(user: User, booking: Booking) -> bool:
    return (
        user.is_coordinator
        or is_party_of_school(user, booking)
        or is_party_of_company(user, booking)
    )


def can_confirm(user: User, booking: Booking) -> bool:
    return is_party_of_company(user, booking)


def can_decline(user: User, booking: Booking) -> bool:
    return is_party_of_company(user, booking)


def can_cancel(user: User, booking: Booking) -> bool:
    return is_party_of_school(user, booking)


def can_set_waiting_list_rule(user: User) -> bool:
    """The region's promotion rule: the coordinator organisation's."""
    return user.is_coordinator
