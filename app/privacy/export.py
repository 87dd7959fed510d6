"""The download of everything Techniekpoort holds about one person (AVG
article 15 and 20): their account, and every row of every table that refers
to them, in JSON.

PERSONAL_ROWS lists, for every table with a foreign key to the person, the
columns that do; a test checks that no such table is left out, so a table
added later joins the download or fails the suite."""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import or_, select

from app.accounts.models import (
    ApiToken,
    Invitation,
    Membership,
    PasswordReset,
    User,
    UserSession,
)
from app.bookings.models import Booking, WaitingListRule
from app.calendar.models import CalendarFeed
from app.catalogue.models import Activity
from app.curriculum.models import CurriculumEntry
from app.evaluations.models import Evaluation
from app.events.models import EventLogEntry
from app.extensions import db
from app.notifications.models import (
    Notification,
    NotificationPreference,
    OutgoingMail,
    ReminderPolicy,
)
from app.placements.models import Placement, PlacementLessonChange, Professional
from app.school_requests.models import RequestResponse, SchoolRequest
from app.timeutil import utcnow

FORMAT = "techniekpoort-account-export"
VERSION = 1

# Secrets and machinery: never part of a download.
LEFT_OUT = {
    "password_hash",
    "token_hash",
    "key_hash",
    "token_nonce",
    "lease_owner",
    "lease_until",
}

# Section of the download -> (model, the columns that refer to the person).
PERSONAL_ROWS = {
    "memberships": (Membership, ("user_id",)),
    "api_tokens": (ApiToken, ("user_id",)),
    "sign_ins": (UserSession, ("user_id",)),
    "password_resets": (PasswordReset, ("user_id",)),
    "invitations_sent": (Invitation, ("invited_by_id",)),
    "calendar_feeds": (CalendarFeed, ("owner_id",)),
    "notifications": (Notification, ("user_id",)),
    "notification_preferences": (NotificationPreference, ("user_id",)),
    "reminder_policies_set": (ReminderPolicy, ("updated_by_id",)),
    "mails": (OutgoingMail, ("user_id",)),
    "history": (EventLogEntry, ("actor_id",)),
    "bookings": (Booking, ("teacher_id", "booked_by_id")),
    "activities_as_contact": (Activity, ("contact_id",)),
    "school_requests": (SchoolRequest, ("teacher_id",)),
    "request_proposals": (RequestResponse, ("proposed_by_id",)),
    "evaluations": (Evaluation, ("submitted_by_id",)),
    "placements_proposed": (Placement, ("proposed_by_id",)),
    "placements_supervised": (Placement, ("supervisor_id",)),
    "placement_lesson_changes": (PlacementLessonChange, ("changed_by_id",)),
    "candidates_registered_or_approved": (Professional, ("registered_by_id", "approved_by_id")),
    "curriculum_entries_added": (CurriculumEntry, ("added_by_id",)),
    "waiting_list_rule_set": (WaitingListRule, ("updated_by_id",)),
}

# What makes a row readable without the rest of the database.
DESCRIBED = {
    "memberships": lambda m: {"organisation": m.organisation.name, "kind": m.organisation_kind},
    "bookings": lambda b: {
        "school": b.school.name,
        "activity": b.slot.activity.title,
        "starts_at": _value(b.slot.starts_at),
    },
    "school_requests": lambda r: {"school": r.school.name},
    "evaluations": lambda e: {"activity": e.booking.slot.activity.title},
}


def _value(value):
    if isinstance(value, datetime):
        return value.isoformat() + "Z"  # stored in UTC
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, frozenset | set):
        return sorted(value)
    return value


def row_data(row) -> dict:
    """Every column of a row, as JSON values, without secrets."""
    return {
        column.key: _value(getattr(row, column.key))
        for column in row.__mapper__.column_attrs
        if column.key not in LEFT_OUT
    }


def _rows(model, columns, user_id: int) -> list:
    attributes = [getattr(model, c) for c in columns]
    primary_key = model.__mapper__.primary_key
    return list(
        db.session.scalars(
            select(model).where(or_(*(a == user_id for a in attributes))).order_by(*primary_key)
        )
    )


def export_user_data(user: User) -> dict:
    data = {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": _value(utcnow()),
        "account": row_data(user),
    }
    for section, (model, columns) in PERSONAL_ROWS.items():
        describe = DESCRIBED.get(section)
        data[section] = [
            {**row_data(row), **(describe(row) if describe else {})}
            for row in _rows(model, columns, user.id)
        ]
    # What refers to the address rather than the account.
    data["invitations_received"] = [
        {**row_data(i), "organisation": i.organisation.name}
        for i in db.session.scalars(
            select(Invitation).where(Invitation.email == user.email).order_by(Invitation.id)
        )
    ]
    known = {m["id"] for m in data["mails"]}
    data["mails"] += [
        row_data(m)
        for m in db.session.scalars(
            select(OutgoingMail)
            .where(OutgoingMail.recipient == user.email, OutgoingMail.user_id.is_(None))
            .order_by(OutgoingMail.id)
        )
        if m.id not in known
    ]
    return data
