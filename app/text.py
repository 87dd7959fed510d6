"""The one rule for text that people send, and how long each kind may be.

Whatever arrives through a form, a query string, a URL or the API passes
`clean_text` before a service sees it (docs/decisions/0007-hostile-input.md):

- Characters nobody can type or see are removed: NUL and the other control
  characters (tab and line breaks stay where text has lines), lone surrogates
  and the noncharacters U+FFFE and U+FFFF. PostgreSQL refuses NUL, psycopg
  and every UTF-8 codec refuse lone surrogates, XML (and so XLSX) refuses
  control characters: removing them here makes both databases and every
  export behave alike.
- Bidirectional embeddings, overrides and isolates (U+202A-U+202E,
  U+2066-U+2069) are removed: they can make a name or a title read as
  something else ("Trojan Source"). The browser's own bidirectional algorithm
  shows mixed Dutch and Arabic text without them, and the marks LRM and RLM
  (which cannot reorder their neighbours) stay.
- Line breaks become "\\n"; one-line text (names, titles, towns, search
  words) has none: a line break there becomes a space. Surrounding white
  space goes, and the text is NFC-normalised, so that "é" typed as e plus an
  accent and "é" typed at once are the same name to search and to sort.
"""

from __future__ import annotations

import re
import unicodedata

from flask_babel import gettext as _

from app.errors import DomainError

# Limits in characters, shared by the forms, the API and the services.
LINE = 200  # a name, title, subject, address or website
SHORT_LINE = 100  # a town, region, search, or the name of a token, feed or holiday
TEXT = 2000  # a reason, remark, message or an answer in an evaluation
LONG_TEXT = 20_000  # an activity's description

_LINE_BREAKS = re.compile("\r\n|[\r\u2028\u2029]")
_INVISIBLE = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"  # control characters but tab, LF and CR
    "\ud800-\udfff"  # lone surrogates
    "\u202a-\u202e\u2066-\u2069"  # bidirectional embeddings, overrides and isolates
    "\ufffe\uffff]"
)
_WITHIN_A_LINE = re.compile("[\t\n]")


def clean_text(value: str, *, multiline: bool = False) -> str:
    """`value` as it may be stored and shown: see the module's docstring."""
    value = _INVISIBLE.sub("", _LINE_BREAKS.sub("\n", value))
    if not unicodedata.is_normalized("NFC", value):
        value = unicodedata.normalize("NFC", value)
    if not multiline:
        value = _WITHIN_A_LINE.sub(" ", value)
    return value.strip()


def clean_json(value):
    """Every string in a decoded JSON document, keys too, cleaned as text that
    may have lines; the fields that are one line are cleaned again as such by
    their type (app.api.spec.Line)."""
    if isinstance(value, str):
        return clean_text(value, multiline=True)
    if isinstance(value, list):
        return [clean_json(item) for item in value]
    if isinstance(value, dict):
        return {clean_json(key): clean_json(item) for key, item in value.items()}
    return value


def limited(value: str | None, field: str, limit: int = TEXT) -> str:
    """What a service stores of a text it is given: cleaned (keeping its lines:
    forms and the API made one-line fields one line already), and refused at
    `field` when longer than `limit`. Forms and the API check the same limits
    first, so that a person sees the refusal where they typed."""
    cleaned = clean_text(value or "", multiline=True)
    if len(cleaned) > limit:
        raise DomainError(_("At most %(n)d characters.", n=limit), field=field)
    return cleaned
