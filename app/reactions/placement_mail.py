"""Mails and in-app notifications about hybrid-teacher placements: the other
side hears what one side did.

    PlacementProposed       -> the side asked to answer (normally the school's teachers)
    PlacementCountered      -> the proposing side (normally the company's contacts)
    PlacementAgreed, PlacementDeclined, PlacementWithdrawn,
    PlacementLessonChanged, PlacementEnded (early)
                            -> the side that did not act (both, when a coordinator acted)
    PlacementEnded (finished after its last date) -> nobody: it was planned
    CandidateRegistered (self-registration) -> coordinators, to approve it

One mail per person (rule 19); the dedupe key holds the placement's revision,
so the same event handled twice mails nobody twice (rule 20).
"""

from __future__ import annotations

from datetime import date

from flask_babel import LazyString, format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.accounts.models import Membership, Organisation, User
from app.accounts.service import coordinators
from app.events import types as ev
from app.extensions import db
from app.notifications.compose import path_for
from app.notifications.service import notify
from app.placements.models import Placement, Professional
from app.school_requests.models import RequestResponse


def _members(organisation: Organisation) -> list[User]:
    """Everyone of one side: its teachers or contacts, and its administrators."""
    return list(
        db.session.scalars(
            select(User)
            .join(Membership, Membership.user_id == User.id)
            .where(Membership.organisation_id == organisation.id, User.active.is_(True))
            .order_by(User.id)
        )
    )


def side_members(placement: Placement, side: str) -> list[User]:
    return _members(placement.company if side == "company" else placement.school)


_side = side_members


def _others(placement: Placement, by: str) -> list[User]:
    if by == "company":
        return _side(placement, "school")
    if by == "school":
        return _side(placement, "company")
    return _side(placement, "company") + _side(placement, "school")


def placement_path(placement: Placement) -> str:
    return path_for("placements.detail", placement_id=placement.id)


_path = placement_path


def _tell(people, placement: Placement, event: ev.PlacementEvent, subject, news, **extra) -> None:
    seen = set()
    for person in people:
        if person.id in seen:
            continue
        seen.add(person.id)
        notify(
            person,
            "placement_update",
            subject=subject,
            link_path=_path(placement),
            dedupe_key=f"{event.event_name()}:{placement.id}:r{placement.revision}:{person.id}",
            placement=placement,
            professional=placement.professional,
            school=placement.school,
            company=placement.company,
            news=news,
            **extra,
        )


def _day(iso: str) -> str:
    """A date of the event, written out in the reader's language (the mail is
    composed under their locale)."""
    return format_date(date.fromisoformat(iso), "full") if iso else ""


def _placement(event: ev.PlacementEvent) -> Placement:
    return db.session.get(Placement, event.placement_id)


def placement_proposed(event: ev.PlacementProposed) -> None:
    placement = _placement(event)
    name = placement.professional.name
    _tell(
        _side(placement, placement.awaiting or "school"),
        placement,
        event,
        lambda: _l("Hybrid-teacher proposal: %(name)s", name=name),
        _l(
            "A hybrid-teacher placement is proposed to you. Accept it, decline it or "
            "propose other days on its page."
        ),
        remarks=placement.remarks,
    )


def placement_countered(event: ev.PlacementCountered) -> None:
    placement = _placement(event)
    name = placement.professional.name
    _tell(
        _side(placement, placement.proposed_by),
        placement,
        event,
        lambda: _l("Other days proposed for %(name)s", name=name),
        _l(
            "The other side proposes other days or times. Accept or decline on the "
            "placement's page."
        ),
        reason=event.message,
    )


def placement_agreed(event: ev.PlacementAgreed) -> None:
    placement = _placement(event)
    name = placement.professional.name
    _tell(
        _others(placement, event.by),
        placement,
        event,
        lambda: _l("Placement agreed: %(name)s", name=name),
        _l("The placement is agreed. The weekly lessons are on its page."),
    )


def placement_declined(event: ev.PlacementDeclined) -> None:
    placement = _placement(event)
    if _closed_with_its_request(placement):
        return
    name = placement.professional.name
    _tell(
        _others(placement, event.by),
        placement,
        event,
        lambda: _l("Placement declined: %(name)s", name=name),
        _l("The placement was declined."),
        reason=event.reason,
    )


def _closed_with_its_request(placement) -> bool:
    """A placement proposed in answer to a school request, declined because the
    request was fulfilled, withdrawn or expired: the request's polite mail in
    the company's own language (request_mail.py) says so; one mail is enough."""
    return (
        db.session.scalar(
            select(RequestResponse.id).where(
                RequestResponse.placement_id == placement.id, RequestResponse.status == "closed"
            )
        )
        is not None
    )


def placement_withdrawn(event: ev.PlacementWithdrawn) -> None:
    placement = _placement(event)
    name = placement.professional.name
    _tell(
        _others(placement, event.by),
        placement,
        event,
        lambda: _l("Proposal withdrawn: %(name)s", name=name),
        _l("The proposal was withdrawn."),
        reason=event.reason,
    )


def placement_lesson_changed(event: ev.PlacementLessonChanged) -> None:
    placement = _placement(event)
    name = placement.professional.name
    if event.change == "cancelled":
        news = LazyString(
            lambda: _("The lesson of %(date)s is cancelled.", date=_day(event.original_date))
        )
    else:
        news = LazyString(
            lambda: _(
                "The lesson of %(date)s moves to %(new_date)s, %(start)s to %(end)s.",
                date=_day(event.original_date),
                new_date=_day(event.new_date),
                start=event.new_start_time,
                end=event.new_end_time,
            )
        )
    _tell(
        _others(placement, event.by),
        placement,
        event,
        lambda: _l("Lesson changed: %(name)s", name=name),
        news,
        reason=event.reason,
    )


def placement_ended(event: ev.PlacementEnded) -> None:
    if not event.early:
        return
    placement = _placement(event)
    name = placement.professional.name
    _tell(
        _others(placement, event.by),
        placement,
        event,
        lambda: _l("Placement ends early: %(name)s", name=name),
        LazyString(
            lambda: _(
                "The placement ends early; the last day with a lesson is %(date)s.",
                date=_day(event.ended_on),
            )
        ),
        reason=event.reason,
    )


def candidate_registered(event: ev.CandidateRegistered) -> None:
    """Self-registrations wait for a coordinator; company registrations are listed at once."""
    if event.status != "pending":
        return
    professional = db.session.get(Professional, event.professional_id)
    for person in coordinators():
        notify(
            person,
            "candidate_registered",
            subject=lambda: _l(
                "New candidate for the hybrid-teacher pool: %(name)s", name=professional.name
            ),
            link_path=path_for("placements.candidate", professional_id=professional.id),
            dedupe_key=f"candidate:{professional.id}:{person.id}",
            professional=professional,
        )
