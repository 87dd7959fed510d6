"""Catalogue pages: the public slot listing, activity pages, and the company's
own activities and slots."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("catalogue", __name__)
