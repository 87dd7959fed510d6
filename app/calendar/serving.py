"""Serving a feed over HTTP: the answer to one poll, and the short way to it.

Calendar clients poll every feed about once an hour, for as long as they are
subscribed, and nearly every poll finds nothing changed (a 304) or the body
this worker has already rendered. So a poll must cost little: one small
query on the shared read engine (service.open_feed), a comparison of
validators, and the bytes from the cache, with headers made once per
version.

What Flask does around a view costs more than that here: request and
session objects, the login and CSRF hooks, the URL map, the Response. So
`FeedsFirst`, a WSGI middleware in front of the app, answers GET and HEAD of
/calendar/<token>.ics itself, inside an app context (the database session
is removed when it ends, as after any request). Anything it does not answer
(an unknown token, an error) goes on to Flask and the view in views.py, which
gives the same answers the ordinary way, with the app's error pages.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache

from flask import Flask
from werkzeug.http import http_date, parse_date, parse_etags, quote_etag

from app.calendar import service
from app.monitoring.metrics import ROUTE_KEY
from app.web import security_headers

CONTENT_TYPE = "text/calendar; charset=utf-8"
# Clients revalidate with the ETag; `no-transform` asks proxies not to
# compress or rewrite what calendar clients read byte for byte (rule 9).
CACHE_CONTROL = "private, no-transform"
PREFIX, SUFFIX = "/calendar/", ".ics"


@dataclass(frozen=True)
class Answer:
    status: int
    headers: list[tuple[str, str]]
    body: bytes = b""

    @property
    def status_line(self) -> str:
        return "304 Not Modified" if self.status == 304 else "200 OK"


@lru_cache(maxsize=4096)
def _validators(etag: str, last_modified: int) -> tuple[str, datetime, tuple, tuple]:
    """The quoted ETag, Last-Modified as a datetime, and the headers of a 200
    and of a 304 for this version: made once per version, not per poll. A
    304 carries the ETag and Cache-Control but no Last-Modified, as RFC 9110
    15.4.5 asks when there is an ETag (and as Werkzeug writes it)."""
    quoted = quote_etag(etag)
    modified = datetime.fromtimestamp(last_modified, UTC).replace(tzinfo=None)
    unchanged = (("ETag", quoted), ("Cache-Control", CACHE_CONTROL))
    return quoted, modified, (*unchanged, ("Last-Modified", http_date(modified))), unchanged


def not_modified(
    etag: str,
    quoted: str,
    last_modified: datetime,
    if_none_match: str | None,
    if_modified_since: str | None,
) -> bool:
    """If-None-Match decides when present (RFC 9110 13.2.2); otherwise a valid
    If-Modified-Since not older than Last-Modified. An unparsable date counts
    as absent: the full feed (rule 8)."""
    if if_none_match is not None:
        # A client sends back the ETag it was given: no need to parse that.
        return if_none_match == quoted or parse_etags(if_none_match).contains_weak(etag)
    since = parse_date(if_modified_since)
    if since is None:
        return False
    return last_modified <= since.replace(tzinfo=None)


def answer(token: str, if_none_match: str | None, if_modified_since: str | None) -> Answer | None:
    """The answer to GET (or HEAD) of a feed, or None for 404: unknown,
    rotated and revoked tokens, and feeds whose owner may no longer read them
    (rule 10). Needs an app context."""
    opened = service.open_feed(token)
    if opened is None:
        return None
    found, viewer = opened
    etag = service.feed_etag(found, viewer)
    quoted, last_modified, headers, unchanged = _validators(etag, found.last_modified)
    if not_modified(etag, quoted, last_modified, if_none_match, if_modified_since):
        return Answer(304, list(unchanged))
    body = service.feed_body(found, viewer)
    # No gzip, whatever the client accepts: Outlook failed on it (rule 9).
    return Answer(
        200, [("Content-Type", CONTENT_TYPE), ("Content-Length", str(len(body))), *headers], body
    )


class FeedsFirst:
    """WSGI middleware: feed polls answered before Flask (see the module's
    docstring); every other request, and every poll it cannot answer, passes
    through to the app unchanged."""

    def __init__(self, app: Flask, wsgi_app):
        self.app = app
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        method = environ.get("REQUEST_METHOD")
        path = environ.get("PATH_INFO", "")
        if (
            (method == "GET" or method == "HEAD")
            and path.startswith(PREFIX)
            and path.endswith(SUFFIX)
        ):
            token = path[len(PREFIX) : -len(SUFFIX)]
            if token and "/" not in token:
                found = self._answer(token, environ)
                if found is not None:
                    environ[ROUTE_KEY] = "/calendar/<token>.ics"
                    start_response(
                        found.status_line,
                        [*found.headers, *security_headers.for_feed(self.app, environ)],
                    )
                    # HEAD: the headers of GET, Content-Length included (rule 9).
                    return [found.body] if method == "GET" and found.body else []
        return self.wsgi_app(environ, start_response)

    def _answer(self, token: str, environ) -> Answer | None:
        try:
            with self.app.app_context():
                return answer(
                    token, environ.get("HTTP_IF_NONE_MATCH"), environ.get("HTTP_IF_MODIFIED_SINCE")
                )
        except Exception:
            # Flask will try again and answer with its error handling.
            self.app.logger.exception(
                "calendar feed %s: answered by the app instead", token.partition("-")[0]
            )
            return None


def init_app(app: Flask) -> None:
    app.wsgi_app = FeedsFirst(app, app.wsgi_app)
