"""Settings: defaults, overridden by TECHNIEKPOORT_* environment variables.

Only the variables documented in the README are read here; everything else is
a constant of the product.
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

# OpenStreetMap's own tile server; its origin is allowed in the
# Content-Security-Policy's img-src (app/web/security_headers.py).
DEFAULT_MAP_TILES_URL = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"


def _secret_key(instance_path: Path) -> str:
    """A key generated once into the instance folder, so sessions survive restarts
    without anyone having to configure one for a local installation."""
    configured = os.environ.get("TECHNIEKPOORT_SECRET_KEY")
    if configured:
        return configured
    key_file = instance_path / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(48))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def _days(variable: str, default: int, unit: str = "days") -> int:
    """A period in whole days (or `unit`; 0 or more) from the environment."""
    raw = os.environ.get(variable, "").strip()
    if not raw:
        return default
    if not raw.isdigit():
        raise ValueError(f"{variable} must be a whole number of {unit}, not {raw!r}")
    return int(raw)


def _choice(variable: str, choices: tuple[str, ...]) -> str:
    """One of `choices` (the first is the default) from the environment."""
    raw = os.environ.get(variable, "").strip().lower() or choices[0]
    if raw not in choices:
        raise ValueError(f"{variable} must be one of {', '.join(choices)}, not {raw!r}")
    return raw


def _cache_settings(redis_url: str) -> dict:
    if redis_url:
        return {
            "CACHE_TYPE": "RedisCache",
            "CACHE_REDIS_URL": redis_url,
            "CACHE_KEY_PREFIX": "techniekpoort:",
            "CACHE_DEFAULT_TIMEOUT": 300,
        }
    # Entries beyond the threshold are pruned, expired ones first.
    return {"CACHE_TYPE": "SimpleCache", "CACHE_THRESHOLD": 1024, "CACHE_DEFAULT_TIMEOUT": 300}


def load_config(instance_path: Path) -> dict:
    instance_path.mkdir(parents=True, exist_ok=True)
    return {
        "SECRET_KEY": _secret_key(instance_path),
        "SQLALCHEMY_DATABASE_URI": os.environ.get(
            "TECHNIEKPOORT_DATABASE_URL",
            f"sqlite:///{instance_path / 'techniekpoort.db'}",
        ),
        "SMTP_URL": os.environ.get("TECHNIEKPOORT_SMTP_URL", ""),
        "OUTBOX_DIR": str(instance_path / "outbox"),
        "BASE_URL": os.environ.get("TECHNIEKPOORT_BASE_URL", ""),
        "MAIL_FROM": os.environ.get(
            "TECHNIEKPOORT_MAIL_FROM", "Techniekpoort <noreply@techniekpoort.test>"
        ),
        # Reverse proxies in front that set X-Forwarded-For/-Proto: the rate
        # limits count per client address, and HSTS follows the client's scheme.
        "TRUSTED_PROXIES": int(os.environ.get("TECHNIEKPOORT_TRUSTED_PROXIES") or 0),
        # Monitors that send it as a bearer token see /healthz in detail and
        # may read /metrics.
        "HEALTH_TOKEN": os.environ.get("TECHNIEKPOORT_HEALTH_TOKEN", ""),
        # "text" (lines for people) or "json" (one object per line).
        "LOG_FORMAT": _choice("TECHNIEKPOORT_LOG_FORMAT", ("text", "json")),
        # Each scheduler process beats under its own name (two may run).
        "SCHEDULER_NAME": (os.environ.get("TECHNIEKPOORT_SCHEDULER_NAME") or "main")[:32],
        # How often a scheduler sends the mail that is due, and how long the
        # mails it claimed stay its own: after a scheduler dies, the other
        # one sends what it had claimed once that lease is over.
        "MAIL_DISPATCH_SECONDS": int(os.environ.get("TECHNIEKPOORT_MAIL_DISPATCH_SECONDS") or 60),
        "MAIL_LEASE_SECONDS": int(os.environ.get("TECHNIEKPOORT_MAIL_LEASE_SECONDS") or 300),
        "MAP_TILES_URL": os.environ.get("TECHNIEKPOORT_MAP_TILES_URL", DEFAULT_MAP_TILES_URL),
        # The session cookie ends with the browser; the server ends a session
        # after SESSION_HOURS in any case, a remembered one after the cookie's
        # duration (app/accounts/sessions.py). Secure: see settle().
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_HOURS": 12,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_DURATION": timedelta(days=30),
        # Request bodies: nothing in the product uploads files, so a megabyte
        # is plenty for any form or JSON body (413 past it).
        "MAX_CONTENT_LENGTH": 1024 * 1024,
        "MAX_FORM_MEMORY_SIZE": 500_000,
        "MAX_FORM_PARTS": 1000,
        # The catalogue's and the dashboard's cached entries (app/versioned_cache.py):
        # each process's own memory, or with a Redis URL one store they all share.
        **_cache_settings(os.environ.get("TECHNIEKPOORT_CACHE_REDIS_URL", "")),
        # Rate limits (app/limits): counted in the database unless Redis is set.
        "RATELIMIT_STORAGE_URI": os.environ.get("TECHNIEKPOORT_RATELIMIT_STORAGE_URL")
        or "database://",
        "RATELIMIT_ENABLED": os.environ.get("TECHNIEKPOORT_RATELIMITS", "on") != "off",
        "RATELIMIT_STORAGE_OPTIONS": {},
        "RATELIMITS": dict(RATELIMITS),
        "BABEL_DEFAULT_LOCALE": "nl",
        "BABEL_DEFAULT_TIMEZONE": "Europe/Amsterdam",
        "LANGUAGES": ("nl", "en"),
        "WTF_CSRF_TIME_LIMIT": None,
        "INVITATION_DAYS": 14,
        "PASSWORD_RESET_HOURS": 2,
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        # Retention periods (app/privacy/retention.py, the privacy page).
        "RETENTION_INACTIVE_DAYS": _days("TECHNIEKPOORT_RETENTION_INACTIVE_DAYS", 730),
        "RETENTION_WARNING_DAYS": _days("TECHNIEKPOORT_RETENTION_WARNING_DAYS", 30),
        "RETENTION_DELETED_DAYS": _days("TECHNIEKPOORT_RETENTION_DELETED_DAYS", 30),
        "RETENTION_LOG_DAYS": _days("TECHNIEKPOORT_RETENTION_LOG_DAYS", 180),
        # A place freed shortly before the start is offered to the next school
        # on the waiting list, which has this long to accept it
        # (app/bookings/waiting_list.py, docs/decisions/0020).
        "OFFER_HOURS": _days("TECHNIEKPOORT_OFFER_HOURS", 8, "hours") or 8,
        # A hybrid teacher's certificate of conduct (VOG) may be this old when
        # the placement starts, and without a teaching qualification they
        # teach at most this many hours a week (docs/decisions/0021).
        "VOG_WEEKS": _days("TECHNIEKPOORT_VOG_WEEKS", 26, "weeks") or 26,
        "UNQUALIFIED_HOURS": _days("TECHNIEKPOORT_UNQUALIFIED_HOURS", 4, "hours") or 4,
    }


# How often, per address and per account (docs/decisions/0006). Failed
# sign-ins count per account and address together, so one address cannot lock
# anyone else out; the per-account ceiling only stops guessing spread over many
# addresses, and a password reset (whose link is limited per address only)
# lifts it.
RATELIMITS = {
    "login_pair": "10 per 15 minutes",
    "login_address": "50 per 15 minutes",
    "login_account": "100 per hour",
    "reset_address": "10 per hour",
    "reset_account": "5 per hour",
    "reset_link_address": "30 per hour",
    "signup_address": "10 per hour",
    "signup_account": "5 per hour",
    "invitation_link_address": "30 per hour",
    "invite_person": "50 per hour",
    "invite_address": "100 per hour",
    "pool_address": "10 per hour",
    "pool_account": "3 per hour",
    "request_person": "30 per hour",
    "request_address": "100 per hour",
    "api_token": "600 per minute",
    "api_address": "1200 per minute",
}

# Where links point when TECHNIEKPOORT_BASE_URL is empty, in debug and test
# runs only: the address `make run` and `make dev` serve on.
LOCAL_BASE_URL = "http://127.0.0.1:5000"


class SettingsError(RuntimeError):
    """A setting the application cannot start without; the message says which."""


def settle(config, *, debug: bool, testing: bool) -> None:
    """Settings that follow from others, checked once the overrides are in.

    Links in mails and feeds are made from BASE_URL alone, never from the
    Host header a request happens to carry, so outside debug and test runs
    the application refuses to start without it."""
    base = (config.get("BASE_URL") or "").rstrip("/")
    if not base:
        if not (debug or testing):
            raise SettingsError(
                "TECHNIEKPOORT_BASE_URL is not set. It is the public address that links in "
                "mails and calendar feeds point to, e.g. https://techniekpoort.example "
                "(`make run` sets http://127.0.0.1:$PORT)."
            )
        base = LOCAL_BASE_URL
    parts = urlsplit(base)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query:
        raise SettingsError(f"TECHNIEKPOORT_BASE_URL is not an http(s) address: {base!r}")
    config["BASE_URL"] = base
    https = parts.scheme == "https"
    config["SESSION_COOKIE_SECURE"] = https
    config["REMEMBER_COOKIE_SECURE"] = https
