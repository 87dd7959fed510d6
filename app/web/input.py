"""What a URL brings, made safe before any view reads it: the query string's
text passes app.text's rule, ids are numbers a database column can hold, and
other path segments hold no control characters; anything else in a path
matches no route, a 404. Form bodies are cleaned field by field
(app.web.forms.Form), JSON bodies by the API (app.api.spec).
(docs/decisions/0007-hostile-input.md)"""

from __future__ import annotations

from flask import Request as FlaskRequest
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.exceptions import NotFound
from werkzeug.routing import IntegerConverter, PathConverter, UnicodeConverter
from werkzeug.utils import cached_property

from app.db_types import MAX_ID
from app.text import clean_text


class Request(FlaskRequest):
    @cached_property
    def args(self) -> ImmutableMultiDict:
        """Names and values cleaned as text that may have lines; a form read
        from the query string makes its one-line fields one line."""
        parsed = FlaskRequest.args.fget(self)
        return ImmutableMultiDict(
            [
                (clean_text(k, multiline=True), clean_text(v, multiline=True))
                for k, v in parsed.items(multi=True)
            ]
        )


class IdConverter(IntegerConverter):
    """`<int:...>` in every route: ASCII digits of a number an id column holds.
    A larger number names nothing, and SQLite's driver could not even send it
    (PostgreSQL refuses one beyond 32 bits as a parameter for an integer column).

    It is a 404 at once rather than a rule that does not match: Werkzeug
    checks the method before the converters, so a mere mismatch would make
    PATCH /api/v1/slots/<too large> a 405, as if the path allowed only GET."""

    regex = r"[0-9]+"

    def to_python(self, value: str) -> int:
        if len(value) > len(str(MAX_ID)) or int(value) > MAX_ID:
            raise NotFound()
        return int(value)


_NO_CONTROLS = "[^/\x00-\x1f\x7f-\x9f]"


class SegmentConverter(UnicodeConverter):
    """The default `<name>`: one path segment without control characters."""

    def __init__(self, map, minlength=1, maxlength=None, length=None):
        super().__init__(map, minlength=minlength, maxlength=maxlength, length=length)
        self.regex = _NO_CONTROLS + self.regex.removeprefix("[^/]")


class NoControlsPathConverter(PathConverter):
    """`<path:...>`: segments and slashes, without control characters."""

    regex = _NO_CONTROLS + "[^\x00-\x1f\x7f-\x9f]*?"


def init_app(app) -> None:
    """Before any blueprint registers a rule: the converters apply to all."""
    app.request_class = Request
    app.url_map.converters.update(
        int=IdConverter,
        default=SegmentConverter,
        string=SegmentConverter,
        path=NoControlsPathConverter,
    )
