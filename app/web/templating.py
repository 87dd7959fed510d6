"""Template globals and filters shared by every page."""

from __future__ import annotations

import re
from datetime import datetime
from functools import lru_cache

from babel import dates
from flask import has_request_context, request, url_for
from flask_babel import format_date, format_decimal, get_locale, get_timezone, gettext
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
        # Mails and documents are rendered outside requests: no menu there.
        items = navigation() if has_request_context() else []
        return {
            "vocabulary": vocabulary,
            "current_locale": get_locale().language,
            "nav_items": items,
            "current_nav_url": current_nav_url(items),
        }

    app.jinja_env.filters["local_datetime"] = local_datetime
    app.jinja_env.filters["local_date"] = local_date
    app.jinja_env.filters["label"] = lambda code, words: str(words.get(code, code))
    app.jinja_env.filters["labels"] = lambda codes, words: ", ".join(
        str(label) for code, label in words.items() if code in codes
    )
    app.jinja_env.filters["paragraphs"] = paragraphs
    app.jinja_env.filters["number"] = number
    app.jinja_env.filters["distance"] = distance


def local_date(value, fmt: str = "medium") -> str:
    return format_date(value, fmt) if value else ""


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
    """The pages the person signed in may open: (url, label) pairs, in the
    order of the menu. Each page shows when its domain's permission predicate
    lets the person in, so the menu follows the same rules as the pages."""
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
    return items


def current_nav_url(items: list[tuple[str, str]]) -> str | None:
    """The menu entry the current page belongs to: the longest matching path."""
    if not has_request_context():
        return None
    path = request.path
    matches = [url for url, _label in items if path == url or (url != "/" and path.startswith(url))]
    return max(matches, key=len) if matches else None


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
    (
        "placements.index",
        _l("Hybrid teachers"),
        lambda u: placements.can_propose(u) or placements.can_see_overview(u),
    ),
    ("school_requests.mine", _l("Our requests"), school_requests.can_post),
    ("school_requests.for_you", _l("Requests for you"), school_requests.can_answer),
    ("school_requests.everything", _l("Requests"), school_requests.can_view_all_requests),
    ("matching.overview", _l("Supply and demand"), school_requests.can_view_all_requests),
    ("holidays.index", _l("School holidays"), can_edit_holidays),
    ("waiting_lists.rule", _l("Waiting lists"), bookings.can_set_waiting_list_rule),
    ("notifications.index", _l("Notifications"), _everyone),
    ("notifications.mail_queue", _l("Mail queue"), can_see_mail_queue),
    ("calendar.index", _l("Calendar"), _everyone),
    ("evaluations.index", _l("Evaluations"), _takes_part_in_bookings),
    ("insights.dashboard", _l("Figures"), can_view_insights),
]


def number(value) -> str:
    """A count or amount as the page's language writes it (1.234 / 1,234)."""
    return "–" if value is None else format_decimal(value)


def distance(km: float | None) -> str:
    """A distance with one decimal, in the page's language: "2,0 km" / "2.0 km"."""
    if km is None:
        return ""
    return gettext("%(km)s km", km=format_decimal(km, "0.0"))


def current_path() -> str:
    return request.full_path.rstrip("?")
