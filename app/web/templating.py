"""Template globals and filters shared by every page."""

from __future__ import annotations

from flask import request, url_for
from flask_babel import format_date, format_datetime, get_locale
from flask_login import current_user

from app import vocabulary


def register_template_helpers(app) -> None:
    @app.context_processor
    def globals_for_every_page():
        return {
            "vocabulary": vocabulary,
            "current_locale": str(get_locale()),
            "nav_items": navigation(),
        }

    app.jinja_env.filters["local_datetime"] = lambda value, fmt="medium": (
        format_datetime(value, fmt) if value else ""
    )
    app.jinja_env.filters["local_date"] = lambda value, fmt="medium": (
        format_date(value, fmt) if value else ""
    )
    app.jinja_env.filters["label"] = lambda code, words: str(words.get(code, code))
    app.jinja_env.filters["labels"] = lambda codes, words: ", ".join(
        str(label) for code, label in words.items() if code in codes
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
]


def current_path() -> str:
    return request.full_path.rstrip("?")
