"""Rate limits: one Flask-Limiter whose counters every web worker and node
shares (the database by default, Redis when TECHNIEKPOORT_RATELIMIT_STORAGE_URL
says so; docs/decisions/0006).

Two ways in, one mechanism:
- ROUTE_LIMITS and BLUEPRINT_LIMITS below: forms and the API, counted before
  the view runs, per address and per account (the signed-in person, or the
  e-mail address typed into an anonymous form);
- hit()/refund()/clear(): where the keys are only known inside a service,
  as for signing in (accounts.service.authenticate).

The numbers are settings (RATELIMITS in app/config.py), read per request.
Over a limit the answer is 429 with Retry-After and a translated message: a
page, or the API's JSON error.
"""

from __future__ import annotations

import hashlib
import ipaddress
import time
from dataclasses import dataclass
from functools import partial

import limits
from flask import Flask, current_app, request
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_limiter import Limiter
from flask_limiter.errors import RateLimitExceeded
from flask_login import current_user
from werkzeug.exceptions import TooManyRequests

from app.throttle import storage  # noqa: F401  (registers the database:// scheme)
from app.web.errors import json_error, wants_json
from app.web.rendering import render

KEY_PREFIX = "tp"


def _digest(value: str) -> str:
    """Keys name no e-mail address or token: a short hash is as good a key."""
    return hashlib.sha256(value.encode()).hexdigest()[:32]


def address_of(remote_addr: str | None) -> str:
    """The address a limit counts for. IPv6 by its /64: one household or
    server gets a whole /64, and counting each of its addresses apart would
    let it guess 2**64 times as often."""
    try:
        parsed = ipaddress.ip_address(remote_addr or "")
    except ValueError:
        return remote_addr or "unknown"
    if parsed.version == 6:
        if parsed.ipv4_mapped:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False))
    return str(parsed)


def account_of(email: str | None) -> str:
    return "email:" + _digest((email or "").strip().lower())


def by_address() -> str:
    return "addr:" + address_of(request.remote_addr)


def by_person() -> str:
    """The signed-in person (forms behind login)."""
    if current_user.is_authenticated:
        return f"user:{current_user.id}"
    return by_address()


def by_form_email(field: str):
    """The e-mail address typed into an anonymous form: the account it names,
    whether or not it exists (so the limit reveals nothing)."""

    def key() -> str:
        return account_of(request.form.get(field))

    key.__name__ = f"by_form_email_{field}"
    return key


def by_token() -> str:
    """The API's bearer token; callers without one count by address."""
    scheme, _sep, raw = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer" and raw.strip():
        return "token:" + _digest(raw.strip())
    return by_address()


def _rule(name: str) -> str:
    return current_app.config["RATELIMITS"][name]


RULES = {
    name: partial(_rule, name)
    for name in (
        "login_pair",
        "login_address",
        "login_account",
        "reset_address",
        "reset_account",
        "reset_link_address",
        "signup_address",
        "signup_account",
        "invitation_link_address",
        "invite_person",
        "invite_address",
        "pool_address",
        "pool_account",
        "request_person",
        "request_address",
        "api_token",
        "api_address",
    )
}

# endpoint -> (rule, key) pairs, counted on POST before the view runs.
ROUTE_LIMITS = {
    "accounts.register": (
        ("signup_address", by_address),
        ("signup_account", by_form_email("contact_email")),
    ),
    "accounts.forgot_password": (
        ("reset_address", by_address),
        ("reset_account", by_form_email("email")),
    ),
    # The links are unguessable; per address is enough, so that a reset always works.
    "accounts.reset_password": (("reset_link_address", by_address),),
    "accounts.accept_invitation": (("invitation_link_address", by_address),),
    "accounts.invite": (("invite_person", by_person), ("invite_address", by_address)),
    "placements.register": (("pool_address", by_address), ("pool_account", by_form_email("email"))),
    "school_requests.new": (("request_person", by_person), ("request_address", by_address)),
    "school_requests.answer": (("request_person", by_person), ("request_address", by_address)),
}
# blueprint -> (rule, key) pairs, counted on every request to it.
BLUEPRINT_LIMITS = {
    "api": (("api_token", by_token), ("api_address", by_address)),
}


def _error_message() -> str:
    return _("Too many attempts. Wait a while and try again.")


limiter = Limiter(key_func=by_address, key_prefix=KEY_PREFIX, strategy="fixed-window")
_ROUTE_LIMITS = {
    endpoint: [
        limiter.limit(RULES[name], key_func=key, methods=["POST"], error_message=_error_message)
        for name, key in rules
    ]
    for endpoint, rules in ROUTE_LIMITS.items()
}
_BLUEPRINT_LIMITS = {
    blueprint: [
        limiter.limit(RULES[name], key_func=key, error_message=_error_message)
        for name, key in rules
    ]
    for blueprint, rules in BLUEPRINT_LIMITS.items()
}


# --- limits counted inside a service ----------------------------------------------------


class RateLimited(TooManyRequests):
    """Over a limit counted by hit(); retry_after in seconds."""

    def __init__(self, retry_after: float):
        seconds = max(1, int(retry_after))
        super().__init__(description=wait_message(seconds), retry_after=seconds)


@dataclass(frozen=True)
class Counter:
    """One rule for one key: `Counter("login_pair", "email:..|addr:...")`."""

    rule: str
    key: str

    @property
    def item(self) -> limits.RateLimitItem:
        return limits.parse(_rule(self.rule))

    @property
    def identifiers(self) -> tuple[str, str, str]:
        return KEY_PREFIX, self.key, self.rule


def hit(*counters: Counter) -> None:
    """Counts one attempt on each counter; raises RateLimited when any is over
    its limit. Atomic per counter: parallel attempts each get their own count."""
    strategy = limiter.limiter
    over = [c for c in counters if not strategy.hit(c.item, *c.identifiers)]
    if over:
        raise RateLimited(max(_seconds_left(c) for c in over))


def refund(*counters: Counter) -> None:
    """Takes back one attempt (a sign-in that succeeded is no failure)."""
    for counter in counters:
        limiter.limiter.hit(counter.item, *counter.identifiers, cost=-1)


def clear(*counters: Counter) -> None:
    for counter in counters:
        limiter.limiter.clear(counter.item, *counter.identifiers)


def _seconds_left(counter: Counter) -> float:
    stats = limiter.limiter.get_window_stats(counter.item, *counter.identifiers)
    return stats.reset_time - time.time()


# --- answers over the limit -----------------------------------------------------------


def wait_message(seconds: float) -> str:
    minutes = max(1, round(seconds / 60))
    return ngettext(
        "Too many attempts. Try again in %(num)d minute.",
        "Too many attempts. Try again in %(num)d minutes.",
        minutes,
    )


def retry_after(error: TooManyRequests) -> int:
    if isinstance(error, RateLimited):
        return int(error.retry_after)
    current = limiter.current_limit
    if current is not None:
        return max(1, int(current.reset_at - time.time()))
    return 60


def _too_many_requests(error: TooManyRequests):

    seconds = retry_after(error)
    message = wait_message(seconds)
    if wants_json():
        response, _status = json_error(429, "rate_limited", message, retry_after=seconds)
    else:
        response = render("errors/429.html", status=429, message=message)
    response.status_code = 429
    response.headers["Retry-After"] = str(seconds)
    return response


def init_app(app: Flask) -> None:
    limiter.init_app(app)
    for endpoint, route_limits in _ROUTE_LIMITS.items():
        view = app.view_functions[endpoint]
        for limit in route_limits:
            view = limit(view)
        app.view_functions[endpoint] = view
    for name, blueprint_limits in _BLUEPRINT_LIMITS.items():
        for limit in blueprint_limits:
            limit(app.blueprints[name])
    app.register_error_handler(TooManyRequests, _too_many_requests)
    app.register_error_handler(RateLimitExceeded, _too_many_requests)
