"""Weekly digests. Coordinators get what needs their attention and what
happens this week; anyone can switch digests off, from the settings page or
with the signed link in every digest.

Company contacts' digest of new school requests comes with the demand package.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app.accounts.models import Membership, Organisation, User
from app.bookings.models import HOLDING, Booking
from app.catalogue.models import Slot
from app.extensions import db
from app.notifications.compose import absolute_path, absolute_url, path_for
from app.notifications.models import OutgoingMail
from app.notifications.service import notify, unsubscribe_token, wants_digests
from app.timeutil import to_local, utcnow

LISTED = 25


@dataclass
class CoordinatorDigest:
    week_start: datetime
    pending_organisations: list[Organisation]
    bookings_this_week: list[Booking]
    bookings_this_week_total: int
    cancellations: list[Booking]
    cancellations_total: int

    @property
    def is_empty(self) -> bool:
        return not (
            self.pending_organisations or self.bookings_this_week_total or self.cancellations_total
        )


def coordinator_digest(now: datetime) -> CoordinatorDigest:
    coming_week = (Slot.starts_at >= now, Slot.starts_at < now + timedelta(days=7))
    this_week = select(Booking).join(Booking.slot).where(Booking.status.in_(HOLDING), *coming_week)
    cancelled = select(Booking).where(
        Booking.status == "cancelled",
        Booking.updated_at >= now - timedelta(days=7),
        Booking.updated_at < now,
    )
    return CoordinatorDigest(
        week_start=now,
        pending_organisations=list(
            db.session.scalars(
                select(Organisation)
                .where(Organisation.status == "pending")
                .order_by(Organisation.created_at)
            )
        ),
        bookings_this_week=list(
            db.session.scalars(this_week.order_by(Slot.starts_at, Booking.id).limit(LISTED))
        ),
        bookings_this_week_total=db.session.scalar(
            select(func.count()).select_from(this_week.subquery())
        ),
        cancellations=list(
            db.session.scalars(cancelled.order_by(Booking.updated_at.desc()).limit(LISTED))
        ),
        cancellations_total=db.session.scalar(
            select(func.count()).select_from(cancelled.subquery())
        ),
    )


def _coordinators() -> list[User]:
    return list(
        db.session.scalars(
            select(User)
            .join(Membership)
            .where(Membership.role == "coordinator", User.active.is_(True))
            .distinct()
            .order_by(User.id)
        )
    )


def send_coordinator_digests(now: datetime | None = None) -> list[OutgoingMail]:
    """One digest per coordinator per ISO week: running the job twice in a week
    (a restart, a second scheduler by mistake) sends nothing new."""
    now = now or utcnow()
    year, week, _ = to_local(now).isocalendar()
    digest = coordinator_digest(now)
    if digest.is_empty:  # a mail that says nothing teaches people to ignore the next one
        return []
    queued = []
    for person in _coordinators():
        if not wants_digests(person):
            continue
        unsubscribe = absolute_url("notifications.unsubscribe", token=unsubscribe_token(person))
        mail = notify(
            person,
            "digest_coordinator",
            subject=lambda: _l("Techniekpoort this week (week %(week)d)", week=week),
            link_path=path_for("web.home"),
            dedupe_key=f"digest:coordinator:{person.id}:{year}-W{week:02d}",
            in_app=False,
            # RFC 8058 one-click unsubscribe: mail programs show a button that
            # POSTs to the link; only digests carry it.
            headers={
                "List-Unsubscribe": f"<{unsubscribe}>",
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            },
            unsubscribe_link=unsubscribe,
            organisations_link=absolute_path(path_for("accounts.organisations")),
            digest=digest,
            week=week,
        )
        if mail is not None:
            queued.append(mail)
    return queued
