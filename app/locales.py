"""How each of the product's languages writes dates: Dutch as Dutch, English
as British English (day-month-year and 24-hour times, like the Dutch pages),
never in the American order of Babel's plain "en". Messages still come from
the "en" catalog: gettext falls back from en_GB to en.

Pages get the regional locale from app.web.i18n.select_locale; mails,
documents and calendar feeds, made for someone else than the visitor, speak
their reader's language through `speaking`."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask_babel import force_locale


def regional(language: str | None) -> str | None:
    """The locale that formats `language` ("nl" or "en")."""
    return "en_GB" if language == "en" else language


@contextmanager
def speaking(language: str | None) -> Iterator[None]:
    """Messages, dates and numbers in `language` ("nl" or "en")."""
    with force_locale(regional(language)):
        yield
