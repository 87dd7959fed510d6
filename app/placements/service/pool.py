"""The candidate pool: professionals registered by a company or by
themselves, approved by a coordinator, searched by those who propose them."""

from __future__ import annotations

from collections.abc import Iterable

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Integer, func, literal, or_, select
from sqlalchemy.orm import joinedload

from app import vocabulary
from app.accounts.models import Organisation, User
from app.errors import DomainError
from app.events import emit
from app.events import types as ev
from app.extensions import db
from app.placements.models import MAX_HOURS, MIN_HOURS, Professional
from app.placements.service.terms import EMAIL, clean_profiles
from app.text import LINE, SHORT_LINE, limited
from app.timeutil import utcnow
from app.transitions import move

BUSY = _l("This entry changed meanwhile; try again.")


def register_candidate(
    actor: User | None,
    *,
    company: Organisation | None,
    name: str,
    expertise: str,
    kind: str = "employee",
    subjects: str = "",
    profiles: Iterable[str] = (),
    weekdays: Iterable[str] = (),
    hours_per_week: int | None = None,
    town: str = "",
    region: str = "",
    email: str = "",
    consent: bool = False,
) -> Professional:
    """A professional enters the pool. Registered by a company contact (for the
    company) the entry is listed at once; registered by the person themselves
    (no company, no account) it waits for a coordinator, who links it to a
    company before anyone can propose it."""
    source = "company" if company is not None else "self"
    if company is not None and company.kind != "company":
        raise DomainError(_("Choose a company."), field="company_id")
    name = limited(name, "name", LINE)
    if not name:
        raise DomainError(_("Give a name."), field="name")
    expertise = limited(expertise, "expertise")
    if not expertise:
        raise DomainError(_("Say what the professional is good at."), field="expertise")
    if kind not in vocabulary.CANDIDATE_KINDS:
        raise DomainError(_("Choose one of the options."), field="kind")
    subjects = limited(subjects, "subjects", LINE)
    chosen_profiles = clean_profiles(profiles)
    chosen_days = frozenset(str(code).lower() for code in (weekdays or ()))
    if not chosen_days <= set(vocabulary.WEEKDAYS):
        raise DomainError(_("Lessons are on school days only: Monday to Friday."), field="weekdays")
    if hours_per_week is not None:
        if (
            not isinstance(hours_per_week, int)
            or isinstance(hours_per_week, bool)
            or not MIN_HOURS <= hours_per_week <= MAX_HOURS
        ):
            raise DomainError(
                _("Between %(low)d and %(high)d hours a week.", low=MIN_HOURS, high=MAX_HOURS),
                field="hours_per_week",
            )
    town = limited(town, "town", SHORT_LINE)
    region = limited(region, "region", SHORT_LINE)
    email = limited(email, "email", 254).lower()
    if source == "self":
        if not email or not EMAIL.match(email):
            raise DomainError(
                _("Give an e-mail address, so a coordinator can reach you."), field="email"
            )
    else:
        email = ""  # the company contact is the way to reach an employee
    if not consent:
        raise DomainError(_("The professional must agree to be in the pool."), field="consent")
    professional = Professional(
        company=company,
        name=name,
        email=email,
        kind=kind,
        expertise=expertise,
        subjects=subjects,
        profiles=chosen_profiles,
        weekdays=chosen_days,
        hours_per_week=hours_per_week,
        town=town,
        region=region,
        source=source,
        status="approved" if source == "company" else "pending",
        in_pool=True,
        consent_at=utcnow(),
        registered_by_id=getattr(actor, "id", None),
    )
    db.session.add(professional)
    db.session.flush()
    emit(
        ev.CandidateRegistered(
            professional_id=professional.id,
            company_id=professional.company_id,
            source=source,
            status=professional.status,
        ),
        actor,
    )
    return professional


def approve_candidate(
    actor: User, professional: Professional, company: Organisation | None = None
) -> Professional:
    """A coordinator lists a self-registered candidate, and may link the company
    that will offer them (their employer, or a secondment agency)."""
    if company is not None:
        if company.kind != "company":
            raise DomainError(_("Choose a company."), field="company_id")
        professional.company = company
    if professional.status == "approved" and company is None:
        return professional
    move(
        professional,
        ("pending", "approved"),
        "approved",
        _("This entry can no longer be approved."),
        busy=BUSY,
        approved_by_id=getattr(actor, "id", None),
        approved_at=utcnow(),
    )
    emit(
        ev.CandidateApproved(professional_id=professional.id, company_id=professional.company_id),
        actor,
    )
    return professional


def reject_candidate(actor: User, professional: Professional) -> Professional:
    move(
        professional,
        ("pending",),
        "rejected",
        _("Only a waiting entry can be rejected."),
        busy=BUSY,
        in_pool=False,
    )
    return professional


def withdraw_candidate(actor: User, professional: Professional) -> Professional:
    """Off the pool; placements made with the professional stay."""
    professional.in_pool = False
    professional.updated_at = utcnow()
    db.session.flush()
    return professional


def _has_flag(column, code: str):
    """`mask & bit != 0` on a FlagSet column, compared as plain integers."""
    wanted = column.type.mask([code])
    return column.op("&", return_type=Integer)(literal(wanted, Integer)) != 0


def search_pool(
    *,
    profile: str | None = None,
    town: str | None = None,
    region: str | None = None,
    weekday: str | None = None,
    text: str | None = None,
    company_ids: Iterable[int] | None = None,
    include_pending: bool = False,
    limit: int = 200,
) -> list[Professional]:
    """Listed pool entries matching every filter given; free text searches name,
    expertise and subjects. `company_ids` narrows to these companies' entries
    (unlisted ones included: a company sees all of its own)."""
    query = select(Professional).options(joinedload(Professional.company))
    if company_ids is not None:
        query = query.where(
            Professional.company_id.in_(list(company_ids)), Professional.status == "approved"
        )
    elif include_pending:
        query = query.where(
            Professional.in_pool.is_(True), Professional.status.in_(("pending", "approved"))
        )
    else:
        query = query.where(Professional.in_pool.is_(True), Professional.status == "approved")
    column = Professional.__table__.c
    if profile:
        if profile not in vocabulary.PROFILES:
            raise DomainError(_("Choose one of the options."), field="profile")
        query = query.where(_has_flag(column.profiles, profile))
    if weekday:
        if weekday not in vocabulary.WEEKDAYS:
            raise DomainError(
                _("Lessons are on school days only: Monday to Friday."), field="weekday"
            )
        query = query.where(_has_flag(column.weekdays, weekday))
    for value, col in ((town, Professional.town), (region, Professional.region)):
        value = (value or "").strip()
        if value:
            query = query.where(func.lower(col).contains(value.lower(), autoescape=True))
    for word in (text or "").split()[:8]:
        needle = word.lower()
        query = query.where(
            or_(
                func.lower(Professional.name).contains(needle, autoescape=True),
                func.lower(Professional.expertise).contains(needle, autoescape=True),
                func.lower(Professional.subjects).contains(needle, autoescape=True),
            )
        )
    query = query.order_by(Professional.status.desc(), Professional.name, Professional.id)
    return list(db.session.scalars(query.limit(limit)).unique())


def professionals_of(company: Organisation) -> list[Professional]:
    """The professionals a company can propose: its approved entries."""
    return list(
        db.session.scalars(
            select(Professional)
            .where(Professional.company_id == company.id, Professional.status == "approved")
            .order_by(Professional.name, Professional.id)
        )
    )
