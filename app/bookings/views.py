"""Booking pages: booking a slot, a school's bookings, a company's incoming bookings."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("bookings", __name__)
