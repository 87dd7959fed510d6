"""The curriculum's pages: the coordinators' reference entries and a school's offer."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("curriculum", __name__)
