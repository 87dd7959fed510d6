"""Helpers for the account tests: reading links out of queued mails, and the
messages the pages show, in the language they are shown in."""

from __future__ import annotations

import re

from flask_babel import force_locale, gettext

LINK = re.compile(r"http://techniekpoort\.test(/\S+)")


def link_in(mail) -> str:
    """The path of the (first) link in a mail's plain-text body."""
    match = LINK.search(mail.text_body)
    assert match, f"no link in the mail:\n{mail.text_body}"
    return match.group(1)


def dutch(message: str, **values) -> str:
    """A message as a Dutch page shows it (Dutch is the default locale), HTML-escaped
    the way Jinja escapes it."""
    from markupsafe import escape

    with force_locale("nl"):
        return str(escape(gettext(message, **values)))


def form_errors(page: str) -> list[str]:
    return re.findall(r'<p class="flash flash-error" role="alert">([^<]*)</p>', page)


def field_errors(page: str, field_id: str) -> list[str]:
    return re.findall(
        rf'<small class="field-error" id="{re.escape(field_id)}-error">([^<]*)</small>', page
    )
