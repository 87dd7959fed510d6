from __future__ import annotations

from flask import current_app, has_request_context, request, session
from flask_login import current_user

from app.locales import regional


def select_locale() -> str:
    """The signed-in person's own choice, then this browser session's choice
    (the switch), then the browser's Accept-Language, then Dutch.

    A person's choice is stored with their account (User.locale) and used for
    their mails too; until they choose, their pages follow the browser."""
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # CLI and scheduler: mails pick their own locale
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return regional(current_user.locale)
    return regional(visitor_locale())


def visitor_locale() -> str:
    """The language for someone whose account has no choice: from the session,
    ?lang=, and the Accept-Language header alone, without asking who they are
    (the catalogue's cache keys its anonymous pages by this)."""
    languages = current_app.config["LANGUAGES"]
    chosen = session.get("language")
    if chosen in languages:
        return chosen
    if request.args.get("lang") in languages:
        return request.args["lang"]
    return request.accept_languages.best_match(
        languages, default=current_app.config["BABEL_DEFAULT_LOCALE"]
    )


def select_timezone() -> str:
    return "Europe/Amsterdam"
