"""Who may change the school holidays (reference data)."""

from __future__ import annotations


def can_edit_holidays(user) -> bool:
    return user is not None and user.is_authenticated and user.is_coordinator
