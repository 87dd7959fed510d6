"""Paths of the pages that mails and notifications point to."""

from __future__ import annotations

from flask import current_app

from app.notifications.compose import path_for

BOOKING_ENDPOINTS = ("bookings.show", "bookings.detail")


def booking_path(booking_id: int) -> str:
    """The booking's page. Built from the endpoint the bookings package
    registers, and without one from its documented path."""
    for endpoint in BOOKING_ENDPOINTS:
        if endpoint in current_app.view_functions:
            return path_for(endpoint, booking_id=booking_id)
    return f"/bookings/{int(booking_id)}"


def evaluation_path(booking_id: int, side: str) -> str:
    """The evaluation form for one side (school or company) of a booking, or
    the booking's page while there is no form."""
    if "evaluations.evaluate" in current_app.view_functions:
        return path_for("evaluations.evaluate", booking_id=booking_id, side=side)
    return booking_path(booking_id)


def settings_path() -> str:
    return path_for("notifications.settings")
