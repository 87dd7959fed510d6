"""Settings: defaults, overridden by TECHNIEKPOORT_* environment variables.

Only the variables documented in the README are read here; everything else is
a constant of the product.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path


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


def load_config(instance_path: Path) -> dict:
    instance_path.mkdir(parents=True, exist_ok=True)
    base_url = os.environ.get("TECHNIEKPOORT_BASE_URL", "").rstrip("/")
    return {
        "SECRET_KEY": _secret_key(instance_path),
        "SQLALCHEMY_DATABASE_URI": os.environ.get(
            "TECHNIEKPOORT_DATABASE_URL",
            f"sqlite:///{instance_path / 'techniekpoort.db'}",
        ),
        "SMTP_URL": os.environ.get("TECHNIEKPOORT_SMTP_URL", ""),
        "OUTBOX_DIR": str(instance_path / "outbox"),
        "BASE_URL": base_url,
        "MAIL_FROM": os.environ.get(
            "TECHNIEKPOORT_MAIL_FROM", "Techniekpoort <noreply@techniekpoort.test>"
        ),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": base_url.startswith("https://"),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "BABEL_DEFAULT_LOCALE": "nl",
        "BABEL_DEFAULT_TIMEZONE": "Europe/Amsterdam",
        "LANGUAGES": ("nl", "en"),
        "WTF_CSRF_TIME_LIMIT": None,
        "INVITATION_DAYS": 14,
        "PASSWORD_RESET_HOURS": 2,
        "LOGIN_ATTEMPTS_PER_15_MIN": 10,
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        # The catalogue's map: a tile server in the {z}/{x}/{y} scheme (its
        # origin belongs in the Content-Security-Policy's img-src).
        "MAP_TILES_URL": os.environ.get(
            "TECHNIEKPOORT_MAP_TILES_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
        ),
    }
