from __future__ import annotations

from flask import current_app, has_request_context, request, session
from flask_login import current_user


def select_locale() -> str:
    """The person's own choice, then the session's, then Dutch (the default).

    The browser's Accept-Language is deliberately not used: the product is Dutch
    first, and English is a choice made with the switch."""
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # CLI and scheduler: mails pick their own locale
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    chosen = session.get("language")
    if chosen in languages:
        return chosen
    if request.args.get("lang") in languages:
        return request.args["lang"]
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def select_timezone() -> str:
    return "Europe/Amsterdam"
