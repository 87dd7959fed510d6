"""Weekly digests. Coordinators get what needs their attention and what
happens this week; anyone can switch digests off, from the settings page or
with the signed link in every digest.

Company contacts get the new school requests of the week that fit their
company (matching.ranking's fit: sectors and profiles, a place the class can
reach), best fit first, without the ones their company already answered.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app.accounts.models import Membership, Organisation, User
from app.accounts.service import coordinators
from app.bookings.models import HOLDING, Booking
from app.catalogue.models import Slot
from app.extensions import db
from app.matching import candidates, ranking
from app.notifications.compose import absolute_path, absolute_url, path_for
from app.notifications.models import OutgoingMail
from app.notifications.service import notify, unsubscribe_token, wants_digests
from app.school_requests.models import RequestResponse, SchoolRequest
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


def send_coordinator_digests(now: datetime | None = None) -> list[OutgoingMail]:
    """One digest per coordinator per ISO week: running the job twice in a week
    (a restart, a second scheduler by mistake) sends nothing new."""
    now = now or utcnow()
    year, week, _ = to_local(now).isocalendar()
    digest = coordinator_digest(now)
    if digest.is_empty:  # a mail that says nothing teaches people to ignore the next one
        return []
    queued = []
    for person in coordinators():
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


# --- company contacts: new school requests -----------------------------------------------


@dataclass
class RequestDigestItem:
    request: object  # SchoolRequest
    # matching.ranking.Reason: their text is written when the mail is, in
    # the reader's language.
    reasons: list


def new_requests_for_companies(now: datetime) -> dict[int, list[RequestDigestItem]]:
    """Per company id: the running requests posted in the past seven days that
    fit the company and that it has not answered yet, best fit first."""

    new = candidates.running_requests(
        SchoolRequest.created_at >= now - timedelta(days=7), SchoolRequest.created_at < now
    )
    if not new:
        return {}
    facts = {f.id: f for f in candidates.requests_as_facts(new)}
    rows = {r.id: r for r in new}
    answered = set(
        db.session.execute(
            select(RequestResponse.company_id, RequestResponse.request_id).where(
                RequestResponse.request_id.in_(list(rows))
            )
        ).tuples()
    )
    companies = list(
        db.session.scalars(
            select(Organisation)
            .where(Organisation.kind == "company", Organisation.status == "approved")
            .order_by(Organisation.id)
        )
    )
    found: dict[int, list[RequestDigestItem]] = {}
    for company in candidates.companies_as_facts(companies):
        items = [
            RequestDigestItem(rows[s.subject.id], [r for r in s.reasons if r.is_good])
            for s in ranking.rank_requests(company, facts.values())
            if (company.id, s.subject.id) not in answered
        ]
        if items:
            found[company.id] = items
    return found


def _company_contacts(company_ids) -> list[tuple[int, User]]:
    return list(
        db.session.execute(
            select(Membership.organisation_id, User)
            .join(User, User.id == Membership.user_id)
            .where(Membership.organisation_id.in_(list(company_ids)), User.active.is_(True))
            .order_by(Membership.organisation_id, User.id)
        ).tuples()
    )


def send_request_digests(now: datetime | None = None) -> list[OutgoingMail]:
    """One mail per company contact per company per ISO week, only when there is
    something new for them; the reasons are written in the contact's language."""
    now = now or utcnow()
    year, week, _ = to_local(now).isocalendar()
    per_company = new_requests_for_companies(now)
    if not per_company:
        return []
    names = dict(
        db.session.execute(
            select(Organisation.id, Organisation.name).where(Organisation.id.in_(list(per_company)))
        )
        .tuples()
        .all()
    )
    queued = []
    for company_id, person in _company_contacts(per_company):
        if not wants_digests(person):
            continue
        unsubscribe = absolute_url("notifications.unsubscribe", token=unsubscribe_token(person))
        company = names[company_id]
        # The subject is evaluated at once, inside notify: the loop variable is safe.
        mail = notify(
            person,
            "digest_requests",
            subject=lambda: _l("New requests from schools for %(company)s", company=company),  # noqa: B023
            link_path=path_for("school_requests.for_you", company=company_id),
            dedupe_key=f"digest:requests:{person.id}:{company_id}:{year}-W{week:02d}",
            in_app=False,
            headers={
                "List-Unsubscribe": f"<{unsubscribe}>",
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            },
            unsubscribe_link=unsubscribe,
            items=per_company[company_id],
            company_name=company,
            week=week,
            request_link=lambda request_id: absolute_path(
                path_for("school_requests.show", request_id=request_id)
            ),
        )
        if mail is not None:
            queued.append(mail)
    return queued
