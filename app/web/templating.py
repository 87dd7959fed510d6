"""Template globals and filters shared by every page."""

from __future__ import annotations

import re
from datetime import datetime
from functools import lru_cache

from babel import dates
from flask import request, url_for
from flask_babel import format_date, get_locale, get_timezone
from flask_login import current_user
from markupsafe import Markup

from app import vocabulary


def register_template_helpers(app) -> None:
    @app.context_processor
    def globals_for_every_page():
        return {
            "vocabulary": vocabulary,
            "current_locale": str(get_locale()),
            "nav_items": navigation(),
        }

    app.jinja_env.filters["local_datetime"] = local_datetime
    app.jinja_env.filters["local_date"] = lambda value, fmt="medium": (
        format_date(value, fmt) if value else ""
    )
    app.jinja_env.filters["label"] = lambda code, words: str(words.get(code, code))
    app.jinja_env.filters["labels"] = lambda codes, words: ", ".join(
        str(label) for code, label in words.items() if code in codes
    )
    app.jinja_env.filters["paragraphs"] = paragraphs


def local_datetime(value: datetime | None, fmt: str = "medium") -> str:
    """A stored (naive UTC) instant as people here read it, in the current
    locale: what Flask-Babel's format_datetime gives, remembered per instant,
    format, locale and time zone. Lists show the same dates to everybody, and
    each formatting through Babel costs tens of microseconds."""
    if not value:
        return ""
    return _formatted(value, fmt, str(get_locale()), get_timezone())


@lru_cache(maxsize=8192)
def _formatted(value: datetime, fmt: str, locale: str, zone) -> str:
    return dates.format_datetime(value, fmt, tzinfo=zone, locale=locale)


def paragraphs(text: str | None) -> Markup:
    """Plain text as HTML: escaped, an empty line starts a paragraph, a single
    line break stays a line break. People write descriptions as plain text, so
    nothing they type can become markup."""
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    blocks = [block.strip("\n") for block in re.split(r"\n[ \t]*\n", text) if block.strip()]
    return Markup("\n").join(
        Markup("<p>%s</p>") % Markup("<br>\n").join(block.split("\n")) for block in blocks
    )


def navigation() -> list[tuple[str, str]]:
    """Role-aware navigation: (url, label) pairs for the person signed in."""
    from flask_babel import gettext as _

    if not current_user or not current_user.is_authenticated:
        return []
    items = [(url_for("web.home"), _("Overview"))]
    from flask import current_app

    def has(endpoint: str) -> bool:
        return endpoint in current_app.view_functions

    if current_user.is_coordinator:
        items.append((url_for("accounts.organisations"), _("Organisations")))
    for endpoint, label, roles in _DOMAIN_NAV:
        if has(endpoint) and (not roles or current_user.has_role(*roles)):
            items.append((url_for(endpoint), str(label)))
    items.append((url_for("accounts.settings"), _("My account")))
    return items


# Pages that domain packages add to the navigation: (endpoint, label, roles).
# A package's entry shows once its blueprint is registered.
from flask_babel import lazy_gettext as _l  # noqa: E402

_DOMAIN_NAV = [
    ("catalogue.index", _l("Catalogue"), ()),
    ("bookings.mine", _l("My bookings"), ("teacher",)),
    ("catalogue.my_activities", _l("Our activities"), ("contact",)),
    ("bookings.incoming", _l("Incoming bookings"), ("contact",)),
    ("placements.index", _l("Hybrid teachers"), ("teacher", "contact", "coordinator")),
    ("school_requests.mine", _l("Our requests"), ("teacher",)),
    ("school_requests.for_you", _l("Requests for you"), ("contact",)),
    ("school_requests.everything", _l("Requests"), ("coordinator",)),
    ("matching.overview", _l("Supply and demand"), ("coordinator",)),
    ("holidays.index", _l("School holidays"), ("coordinator",)),
    ("notifications.index", _l("Notifications"), ()),
    ("notifications.mail_queue", _l("Mail queue"), ("administrator",)),
    ("calendar.index", _l("Calendar"), ()),
    ("evaluations.index", _l("Evaluations"), ("teacher", "contact")),
    ("insights.dashboard", _l("Figures"), ()),
]


def current_path() -> str:
    return request.full_path.rstrip("?")
