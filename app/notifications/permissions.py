"""Who may see and change what about notifications."""

from __future__ import annotations

from app.accounts.models import User
from app.notifications.models import Notification


def can_read_notification(user: User, notification: Notification) -> bool:
    return notification.user_id == user.id


def can_set_reminder_policies(user: User) -> bool:
    """The region's reminder settings: the coordinator organisation's."""
    return user.is_coordinator


def can_see_mail_queue(user: User) -> bool:
    """The region's failed mails show addresses and contents: the coordinator
    organisation's coordinators and administrators (User.is_coordinator), who
    see contact details anyway. An administrator of a school or a company
    has no part in it."""
    return user.is_coordinator
