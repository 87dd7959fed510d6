"""Rendering a page, or only the block of it that an htmx request asked for."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import make_response, render_template, request
from jinja2_fragments.flask import render_block


def is_htmx() -> bool:
    return request.headers.get("HX-Request") == "true" and not request.headers.get(
        "HX-History-Restore-Request"
    )


def render(
    template: str, *, block: str | None = None, trigger: str | None = None, status=200, **context
):
    """The whole page, or for an htmx request only `block` of the same template.

    Both answers differ for one URL, so caches must key on HX-Request (Vary)."""
    if block and is_htmx():
        body = render_block(template, block, **context)
    else:
        body = render_template(template, **context)
    response = make_response(body, status)
    # The language of a visitor who has not chosen one follows Accept-Language.
    response.vary.update(("HX-Request", "Accept-Language"))
    if trigger:
        response.headers["HX-Trigger"] = trigger
    return response


def safe_next_url(target: str | None) -> str | None:
    """Only same-site paths are followed after login or a language switch."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target
