"""Time in tests, never waited for: moments in the calendar week, and a clock
the test moves."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from app.timeutil import LOCAL_TZ, to_local


def later_the_same_week(now: datetime, wanted: timedelta = timedelta(hours=2)) -> datetime:
    """A moment after `now` (naive UTC) in the same local ISO week: `wanted` later
    when that stays in the week, else halfway to the week's end. A suite run late
    on a Sunday evening must test "twice in one week", not "once in each of two"."""
    local = to_local(now)
    week_end = (local - timedelta(days=local.weekday())).replace(
        hour=0, minute=0, second=0, microsecond=0
    ) + timedelta(days=7)
    week_end = week_end.replace(tzinfo=None).replace(tzinfo=LOCAL_TZ)
    left = week_end.astimezone(UTC) - local.astimezone(UTC)
    return now + min(wanted, left / 2)


class Clock:
    """A clock the test moves, for the parts of the app whose clock is a class
    attribute (the rate limits' windows, the caches' expiries): set it with
    monkeypatch, then `advance` instead of waiting."""

    def __init__(self, now: float = 1_000_000.0):
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds
