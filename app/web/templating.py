"""Template globals and filters shared by every page."""

from __future__ import annotations

import re
from datetime import datetime
from functools import lru_cache

from babel import dates
from flask import request, url_for
from flask_babel import format_date, get_locale, get_timezone
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup

from app import vocabulary
from app.accounts.permissions import can_manage_organisations
from app.bookings import permissions as bookings
from app.catalogue.permissions import companies_managed_by
from app.holidays.permissions import can_edit_holidays
from app.insights.permissions import can_view_insights
from app.notifications.permissions import can_see_mail_queue
from app.placements import permissions as placements
from app.school_requests import permissions as school_requests


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
    """Role-aware navigation: (url, label) pairs for the person signed in. Each
    entry shows when its page's own permission predicate lets the person in."""
    from flask import current_app
    from flask_babel import gettext as _

    if not current_user or not current_user.is_authenticated:
        return []
    user = current_user._get_current_object()
    items = [(url_for("web.home"), _("Overview"))]
    if can_manage_organisations(user):
        items.append((url_for("accounts.organisations"), _("Organisations")))
    for endpoint, label, may_see in _DOMAIN_NAV:
        if endpoint in current_app.view_functions and may_see(user):
            items.append((url_for(endpoint), str(label)))
    items.append((url_for("accounts.settings"), _("My account")))
    return items


def _everyone(_user) -> bool:
    return True


def _takes_part_in_bookings(user) -> bool:
    return bool(bookings.schools_of(user) or bookings.companies_of(user))


# Pages that domain packages add to the navigation: (endpoint, label, who sees
# it). A package's entry shows once its blueprint is registered.
_DOMAIN_NAV = [
    ("catalogue.index", _l("Catalogue"), _everyone),
    ("bookings.mine", _l("My bookings"), bookings.can_book),
    ("catalogue.my_activities", _l("Our activities"), lambda u: bool(companies_managed_by(u))),
    ("bookings.incoming", _l("Incoming bookings"), lambda u: bool(bookings.companies_of(u))),
    ("placements.index", _l("Hybrid teachers"), placements.can_propose),
    ("school_requests.mine", _l("Our requests"), school_requests.can_post),
    ("school_requests.for_you", _l("Requests for you"), school_requests.can_answer),
    ("school_requests.everything", _l("Requests"), school_requests.can_view_all_requests),
    ("matching.overview", _l("Supply and demand"), school_requests.can_view_all_requests),
    ("holidays.index", _l("School holidays"), can_edit_holidays),
    ("notifications.index", _l("Notifications"), _everyone),
    ("notifications.mail_queue", _l("Mail queue"), can_see_mail_queue),
    ("calendar.index", _l("Calendar"), _everyone),
    ("evaluations.index", _l("Evaluations"), _takes_part_in_bookings),
    ("insights.dashboard", _l("Figures"), can_view_insights),
]


def current_path() -> str:
    return request.full_path.rstrip("?")
