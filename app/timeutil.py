"""Time helpers. Instants are stored as naive UTC datetimes (the same on SQLite and
PostgreSQL); people see Europe/Amsterdam."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

LOCAL_TZ = ZoneInfo("Europe/Amsterdam")

# The years a date may have, wherever it comes from (a form, a URL, the API):
# year 1 or 9999 cannot even be converted between time zones, and nothing a
# school plans is that far off. Forms ask more of a person (PlausibleDate in
# app.web.forms: within five years from today).
FIRST_YEAR, LAST_YEAR = 2000, 2999


def is_plausible(day: date) -> bool:
    return FIRST_YEAR <= day.year <= LAST_YEAR


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def today_local() -> date:
    """Today's date in Amsterdam: what "today" means in every rule about days."""
    return to_local(utcnow()).date()


def to_local(instant: datetime) -> datetime:
    return instant.replace(tzinfo=UTC).astimezone(LOCAL_TZ)


def epoch_seconds(instant: datetime) -> int:
    """A stored (naive UTC) instant as Unix seconds, as HTTP dates count."""
    return int(instant.replace(tzinfo=UTC).timestamp())


def local_to_utc(local: datetime) -> datetime:
    """A wall-clock time in Amsterdam (naive or aware) as naive UTC."""
    if local.tzinfo is None:
        local = local.replace(tzinfo=LOCAL_TZ)
    return local.astimezone(UTC).replace(tzinfo=None)
