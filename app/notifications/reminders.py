"""Reminders and evaluation requests: planned mails about a booking.

They are rows of outgoing_mail with a future due time (docs/INTEROPERABILITY.md, rule 15:
rows, not scheduler jobs), expires_at at the start of the activity so that a
reminder never arrives after it (rule 16), and booking_id/purpose so that a
change finds them again. Planning replaces the unsent ones; the sent ones stay,
and their dedupe keys (which include the start time) keep a re-plan from
sending the same reminder again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext
from sqlalchemy import delete, or_, select

from app import vocabulary
from app.accounts.models import Membership, User
from app.bookings.models import Booking
from app.catalogue.models import Activity, Slot
from app.errors import DomainError
from app.extensions import db
from app.notifications.links import booking_path, evaluation_path
from app.notifications.models import OutgoingMail, ReminderPolicy
from app.notifications.service import notify
from app.timeutil import utcnow

DEFAULT_DAYS_BEFORE = (7, 1)
DEFAULT_EVALUATION_DAYS_AFTER = 1
MAX_DAYS_BEFORE = 60
MAX_REMINDERS = 4
MAX_EVALUATION_DAYS_AFTER = 30
# An evaluation request that could not go out within two weeks is dropped: by
# then nobody remembers the day well enough.
EVALUATION_USEFUL_FOR = timedelta(days=14)


@dataclass(frozen=True)
class Policy:
    days_before: tuple[int, ...]
    evaluation_days_after: int


def policy_for(kind: str) -> Policy:
    row = db.session.get(ReminderPolicy, kind)
    if row is None:
        return Policy(DEFAULT_DAYS_BEFORE, DEFAULT_EVALUATION_DAYS_AFTER)
    return Policy(tuple(row.days_before), row.evaluation_days_after)


def all_policies() -> dict[str, Policy]:
    return {kind: policy_for(kind) for kind in vocabulary.ACTIVITY_KINDS}


def parse_days(text: str) -> tuple[int, ...]:
    """'7, 1' -> (7, 1). Raises DomainError on the field for anything else."""
    days = set()
    for part in (text or "").replace(";", ",").split(","):
        part = part.strip()
        if not part:
            continue
        if not part.isdigit() or not 1 <= int(part) <= MAX_DAYS_BEFORE:
            raise DomainError(
                _("Give whole days between 1 and %(n)d, separated by commas.", n=MAX_DAYS_BEFORE),
                field="days_before",
            )
        days.add(int(part))
    if len(days) > MAX_REMINDERS:
        raise DomainError(_("At most %(n)d reminders.", n=MAX_REMINDERS), field="days_before")
    return tuple(sorted(days, reverse=True))


def set_policy(
    actor: User,
    kind: str,
    days_before: tuple[int, ...],
    evaluation_days_after: int,
    now: datetime | None = None,
) -> ReminderPolicy:
    """A coordinator's choice for one kind of activity; the unsent reminders of
    coming bookings of that kind follow it at once."""
    if kind not in vocabulary.ACTIVITY_KINDS:
        raise DomainError(_("Choose one of the options."), field="activity_kind")
    if any(not 1 <= d <= MAX_DAYS_BEFORE for d in days_before) or len(days_before) > MAX_REMINDERS:
        raise DomainError(
            _("Give whole days between 1 and %(n)d, separated by commas.", n=MAX_DAYS_BEFORE),
            field="days_before",
        )
    if evaluation_days_after is None or not 0 <= evaluation_days_after <= MAX_EVALUATION_DAYS_AFTER:
        raise DomainError(
            _("Between 0 and %(n)d days.", n=MAX_EVALUATION_DAYS_AFTER),
            field="evaluation_days_after",
        )
    now = now or utcnow()
    row = db.session.get(ReminderPolicy, kind)
    if row is None:
        row = ReminderPolicy(activity_kind=kind)
        db.session.add(row)
    row.days_before = sorted(set(days_before), reverse=True)
    row.evaluation_days_after = evaluation_days_after
    row.updated_at = now
    row.updated_by_id = actor.id
    db.session.flush()
    coming = db.session.scalars(
        select(Booking)
        .join(Booking.slot)
        .join(Slot.activity)
        .where(Activity.kind == kind, Booking.status == "confirmed", Slot.starts_at > now)
    )
    for booking in coming:
        plan_reminders(booking, now)
    return row


# --- who is told -------------------------------------------------------------------------


def company_contacts(activity: Activity) -> list[User]:
    """The activity's contact person; without one, every member of the company
    (its contacts and administrators)."""
    if activity.contact is not None and activity.contact.active:
        return [activity.contact]
    return list(
        db.session.scalars(
            select(User)
            .join(Membership)
            .where(
                Membership.organisation_id == activity.company_id,
                User.active.is_(True),
            )
            .order_by(User.id)
        )
    )


def school_teacher(booking: Booking) -> list[User]:
    """The teacher responsible on the day (else whoever booked)."""
    person = booking.teacher or booking.booked_by
    return [person] if person is not None and person.active else []


def booking_parties(booking: Booking) -> list[User]:
    seen, people = set(), []
    for person in school_teacher(booking) + company_contacts(booking.slot.activity):
        if person.id not in seen:
            seen.add(person.id)
            people.append(person)
    return people


def mail_context(booking: Booking, person: User) -> dict:
    """What every booking mail shows. Contact details go only to the parties of
    the booking: the teacher sees the company's contact and the reverse."""
    slot, activity = booking.slot, booking.slot.activity
    is_school_side = any(m.organisation_id == booking.school_id for m in person.memberships)
    if is_school_side:
        other = activity.contact
    else:
        other = booking.teacher or booking.booked_by
    return {
        "booking": booking,
        "slot": slot,
        "activity": activity,
        "company": activity.company,
        "school": booking.school,
        "other_party": other,
        "for_school": is_school_side,
        "kind_label": vocabulary.ACTIVITY_KINDS.get(activity.kind, activity.kind),
    }


# --- planning ------------------------------------------------------------------------------


def withdraw_planned(booking_id: int, purposes=("reminder",), now: datetime | None = None) -> int:
    """Removes the booking's unsent planned mails. A row a dispatcher is sending
    right now (an active lease) is left alone: it is already on its way."""
    now = now or utcnow()
    return (
        db.session.execute(
            delete(OutgoingMail)
            .where(
                OutgoingMail.booking_id == booking_id,
                OutgoingMail.purpose.in_(purposes),
                OutgoingMail.status == "pending",
                or_(OutgoingMail.lease_until.is_(None), OutgoingMail.lease_until < now),
            )
            .execution_options(synchronize_session=False)
        ).rowcount
        or 0
    )


def plan_reminders(booking: Booking, now: datetime | None = None) -> list[OutgoingMail]:
    """(Re)plans the reminders of a confirmed booking: for each configured day,
    one mail per party, due that many days before the start and expiring at the
    start. A moment that has already passed is skipped: a booking made two
    hours ahead gets no "day before" reminder (rule 20), and one made three days
    ahead gets no "week before" reminder."""
    now = now or utcnow()
    withdraw_planned(booking.id, ("reminder",), now)
    slot = booking.slot
    if booking.status != "confirmed" or slot.is_cancelled or slot.starts_at <= now:
        return []
    planned = []
    for days in policy_for(slot.activity.kind).days_before:
        due = slot.starts_at - timedelta(days=days)
        if due <= now:
            continue
        for person in booking_parties(booking):
            mail = notify(
                person,
                "booking_reminder",
                subject=_reminder_subject(slot.activity.title, days),
                link_path=booking_path(booking.id),
                dedupe_key=f"reminder:{booking.id}:{person.id}:{days}:{slot.starts_at:%Y%m%dT%H%M}",
                in_app=False,
                due_at=due,
                expires_at=slot.starts_at,
                booking_id=booking.id,
                purpose="reminder",
                days=days,
                **mail_context(booking, person),
            )
            if mail is not None:
                planned.append(mail)
    return planned


def _reminder_subject(title: str, days: int):
    if days == 1:
        return _l("Reminder: %(title)s tomorrow", title=title)
    return lazy_ngettext(
        "Reminder: %(title)s in %(days)d day",
        "Reminder: %(title)s in %(days)d days",
        days,
        title=title,
        days=days,
    )


def plan_evaluation_request(booking: Booking) -> list[OutgoingMail]:
    """After a completed booking, both parties are asked how it went."""
    slot = booking.slot
    due = slot.ends_at + timedelta(days=policy_for(slot.activity.kind).evaluation_days_after)
    planned = []
    for person in booking_parties(booking):
        context = mail_context(booking, person)
        side = "school" if context["for_school"] else "company"
        mail = notify(
            person,
            "evaluation_request",
            subject=lambda: _l("How did %(title)s go?", title=slot.activity.title),
            link_path=evaluation_path(booking.id, side),
            dedupe_key=f"evaluation:{booking.id}:{person.id}",
            in_app=False,
            due_at=due,
            expires_at=due + EVALUATION_USEFUL_FOR,
            booking_id=booking.id,
            purpose="evaluation",
            **context,
        )
        if mail is not None:
            planned.append(mail)
    return planned


def replan_slot(slot: Slot, now: datetime | None = None) -> None:
    for booking in db.session.scalars(
        select(Booking).where(Booking.slot_id == slot.id, Booking.status == "confirmed")
    ):
        plan_reminders(booking, now)


def replan_activity(activity: Activity, now: datetime | None = None) -> None:
    """After an edit (a new address, a new title) the unsent reminders are
    written again, so they show what is true on the day."""
    now = now or utcnow()
    for booking in db.session.scalars(
        select(Booking)
        .join(Booking.slot)
        .where(Slot.activity_id == activity.id, Booking.status == "confirmed", Slot.starts_at > now)
    ):
        plan_reminders(booking, now)
