"""The catalogue's cached pages follow every change they show: the events that
REACTIONS (app/reactions/__init__.py) routes here raise the catalogue version when
their transaction commits, and every web process renders the catalogue afresh
on its next request (app/catalogue/cache.py).

What the catalogue shows: open future slots (date, free places) of published
activities (title, kind, place) of approved companies. Waiting-list and
completion events leave the places as they are, so they are not routed here."""

from __future__ import annotations

from app.catalogue import cache
from app.events import types as ev


def catalogue_changed(event: ev.Event) -> None:
    cache.catalogue_changed()


def offer_changed(event: ev.Event) -> None:
    cache.offer_changed()
