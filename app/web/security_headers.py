"""The security headers of every response, in one place.

Flask's responses get them in an after_request hook (`init_app`); the
calendar feeds, which are answered before Flask (app/calendar/serving.py),
add the same list themselves (`for_feed`). The Content-Security-Policy is the
contract the templates are written to: no inline scripts or styles, images
from the app, data: URLs and the map's tile server only, and no framing.
"""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import urlsplit

from flask import Flask, Response, current_app, request

# Two years, the value the HSTS preload list asks for.
HSTS = "max-age=63072000; includeSubDomains"


def tile_origin(tiles_url: str) -> str:
    """`https://tile.example/{z}/{x}/{y}.png` -> `https://tile.example`."""
    parts = urlsplit(tiles_url)
    if parts.scheme not in ("https", "http") or not parts.netloc:
        raise ValueError(f"TECHNIEKPOORT_MAP_TILES_URL is not an http(s) URL: {tiles_url!r}")
    return f"{parts.scheme}://{parts.netloc}"


def content_security_policy(tiles_url: str) -> str:
    return "; ".join(
        (
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            f"img-src 'self' data: {tile_origin(tiles_url)}",
            "connect-src 'self'",
            "font-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        )
    )


@lru_cache(maxsize=8)
def headers(tiles_url: str, https: bool) -> tuple[tuple[str, str], ...]:
    """The headers for one configuration: made once, added to every response."""
    found = [
        ("Content-Security-Policy", content_security_policy(tiles_url)),
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "strict-origin-when-cross-origin"),
        # For browsers that predate frame-ancestors.
        ("X-Frame-Options", "DENY"),
    ]
    if https:
        found.append(("Strict-Transport-Security", HSTS))
    return tuple(found)


def _is_https(app: Flask, scheme: str) -> bool:
    """HSTS only means something over https: the request came in over https,
    or the app's public address is https (TLS ended at a proxy in front)."""
    return scheme == "https" or app.config["BASE_URL"].startswith("https://")


def for_feed(app: Flask, environ) -> tuple[tuple[str, str], ...]:
    """The headers for a response written outside Flask (a WSGI environ)."""
    return headers(app.config["MAP_TILES_URL"], _is_https(app, environ.get("wsgi.url_scheme", "")))


def _add(response: Response) -> Response:
    app = current_app._get_current_object()
    for name, value in headers(app.config["MAP_TILES_URL"], _is_https(app, request.scheme)):
        response.headers.setdefault(name, value)
    return response


def init_app(app: Flask) -> None:
    tile_origin(app.config["MAP_TILES_URL"])  # a mistyped setting stops the start
    app.after_request(_add)
