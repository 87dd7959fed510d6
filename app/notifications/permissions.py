"""Who may see and change what about notifications."""

from __future__ import annotations

from app.accounts.models import User
from app.notifications.models import Notification


def can_read_notification(user: User, notification: Notification) -> bool:
    return notification.user_id == user.id


def can_set_reminder_policies(user: User) -> bool:
    return user.is_coordinator


def can_see_mail_queue(user: User) -> bool:
    """Failed mails show addresses and contents: administrators and
    coordinators, who may see contact details anyway."""
    return user.has_role("administrator", "coordinator")
