"""Reading the catalogue's pages in tests."""

from __future__ import annotations

import re

from flask_babel import force_locale, gettext
from markupsafe import escape


def shown(message: str, **values) -> str:
    """A message as a page shows it: in Dutch (the default locale), HTML-escaped."""
    with force_locale("nl"):
        return str(escape(gettext(message, **values)))


def field_errors(page: str, field_id: str) -> list[str]:
    return re.findall(
        rf'<small class="field-error" id="{re.escape(field_id)}-error">([^<]*)</small>', page)


def form_errors(page: str) -> list[str]:
    return re.findall(r'<p class="flash flash-error" role="alert">([^<]*)</p>', page)


def flashes(page: str, category: str) -> list[str]:
    return re.findall(rf'<p class="flash flash-{category}" role="[a-z]+">([^<]*)</p>', page)


def result_ids(page: str) -> list[int]:
    """The slots listed in the catalogue's results, in order."""
    return [int(i) for i in re.findall(r'<tr class="result" data-slot="(\d+)">', page)]


def distances(page: str) -> list[str]:
    return re.findall(r'<td class="distance">([^<]*)</td>', page)
