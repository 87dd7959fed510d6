"""A placement's life: proposed, countered, agreed, declined, withdrawn,
ended (the states and whose move it is: app/placements/service/__init__.py),
and the HR facts the school records on the way (the rules: service/hr.py).
Every step is one conditional UPDATE through app.transitions."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import select

from app.accounts.models import Organisation, User
from app.accounts.permissions import is_member_of
from app.errors import DomainError
from app.events import emit
from app.events import types as ev
from app.extensions import db
from app.placements.models import CLAIMING, OPEN, Placement, Professional
from app.placements.permissions import side_of
from app.placements.service import hr
from app.placements.service.clash import check_clash, lock_professional
from app.placements.service.terms import Terms, clean_profiles, clean_terms, hhmm
from app.text import LINE, limited
from app.timeutil import today_local, utcnow
from app.transitions import move, refuse_unless

BUSY = _l("This placement changed meanwhile; try again.")


def event_for(cls, placement: Placement, actor=None, **extra):
    return cls(
        placement_id=placement.id,
        company_id=placement.company_id,
        school_id=placement.school_id,
        professional_id=placement.professional_id,
        by=side_of(actor, placement),
        **extra,
    )


def terms_payload(placement: Placement) -> dict:
    return {
        "hours_per_week": placement.hours_per_week,
        "weekdays": tuple(placement.weekday_codes),
        "start_time": hhmm(placement.start_time),
        "end_time": hhmm(placement.end_time),
        "first_date": placement.first_date.isoformat(),
        "last_date": placement.last_date.isoformat(),
    }


def touch(placement: Placement) -> None:
    placement.revision = (placement.revision or 0) + 1
    placement.updated_at = utcnow()


def placements_in_holidays(region: str, first_day: date, last_day: date) -> list[Placement]:
    """The placements, still to agree or agreed, of schools in the region
    whose period meets these days: their lessons are the ones a holiday adds
    or gives back."""
    return list(
        db.session.scalars(
            select(Placement)
            .join(Organisation, Placement.school_id == Organisation.id)
            .where(
                Organisation.holiday_region == region,
                Placement.status.in_(CLAIMING),
                Placement.first_date <= last_day,
                Placement.last_date >= first_day,
            )
            .order_by(Placement.id)
        )
    )


def follow_changed_holidays(event: ev.HolidaysChanged) -> None:
    """A holiday added or deleted changes these schedules (lessons are the rule
    minus the holidays of the moment): the revision, the SEQUENCE of their
    calendar events, rises so calendar clients take the new EXDATEs."""
    for placement in placements_in_holidays(
        event.region, date.fromisoformat(event.first_day), date.fromisoformat(event.last_day)
    ):
        touch(placement)
    db.session.flush()


def propose(
    actor: User,
    *,
    company: Organisation,
    school: Organisation,
    professional: Professional,
    terms: Terms,
    subjects: str = "",
    profiles: Iterable[str] = (),
    remarks: str = "",
    by: str = "company",
    today: date | None = None,
) -> Placement:
    """A new placement in state proposed, awaiting the other side's answer."""
    today = today or today_local()
    if by not in ("company", "school"):
        raise DomainError(_("Choose one of the options."), field="by")
    if company is None or company.kind != "company":
        raise DomainError(_("Choose a company."), field="company_id")
    if school is None or school.kind != "school":
        raise DomainError(_("Choose a school."), field="school_id")
    if not company.is_approved or not school.is_approved:
        raise DomainError(
            _("Both organisations need a coordinator's approval first."), code="not_approved"
        )
    if professional is None:
        raise DomainError(_("Choose a professional."), field="professional_id")
    if professional.company_id != company.id:
        raise DomainError(
            _("This professional is not offered by this company."), field="professional_id"
        )
    if professional.status != "approved":
        raise DomainError(
            _("This professional still waits for a coordinator's approval."),
            field="professional_id",
        )
    terms = clean_terms(terms)
    if terms.first_date < today:
        raise DomainError(_("The first date lies in the past."), field="first_date")
    subjects = limited(subjects, "subjects", LINE)
    remarks = limited(remarks, "remarks")
    chosen_profiles = clean_profiles(profiles)
    lock_professional(professional)
    check_clash(professional, terms)
    placement = Placement(
        company=company,
        school=school,
        professional=professional,
        proposed_by_id=getattr(actor, "id", None),
        proposed_by=by,
        subjects=subjects or professional.subjects,
        profiles=chosen_profiles,
        hours_per_week=terms.hours_per_week,
        weekdays=terms.weekdays,
        start_time=terms.start_time,
        end_time=terms.end_time,
        first_date=terms.first_date,
        last_date=terms.last_date,
        status="proposed",
        remarks=remarks,
    )
    db.session.add(placement)
    db.session.flush()
    emit(event_for(ev.PlacementProposed, placement, actor, **terms_payload(placement)), actor)
    return placement


def counter(
    actor: User, placement: Placement, terms: Terms, message: str = "", today: date | None = None
) -> Placement:
    """The receiving side proposes other days, times or dates; the proposer answers."""
    today = today or today_local()
    refuse_unless(
        placement, ("proposed",), _("Only a fresh proposal can be answered with other days.")
    )
    terms = clean_terms(terms)
    if terms.first_date < today:
        raise DomainError(_("The first date lies in the past."), field="first_date")
    if placement.vog_date is not None:
        hr.check_hours(terms.hours_per_week, placement.qualified, placement.qualification_route)
    message = limited(message, "message")
    lock_professional(placement.professional)
    check_clash(placement.professional, terms, exclude_id=placement.id)
    move(
        placement,
        ("proposed",),
        "countered",
        _("Only a fresh proposal can be answered with other days."),
        hours_per_week=terms.hours_per_week,
        weekdays=terms.weekdays,
        start_time=terms.start_time,
        end_time=terms.end_time,
        first_date=terms.first_date,
        last_date=terms.last_date,
        counter_message=message,
        busy=BUSY,
    )
    emit(
        event_for(
            ev.PlacementCountered, placement, actor, message=message, **terms_payload(placement)
        ),
        actor,
    )
    return placement


def accept(actor: User, placement: Placement) -> Placement:
    """The awaited side says yes: a proposal or a counter becomes agreed."""
    if placement.status == "agreed":
        return placement
    refuse_unless(placement, OPEN, _("Only an open proposal can be accepted."))
    hr.check_ready_to_start(placement)
    move(
        placement,
        OPEN,
        "agreed",
        _("Only an open proposal can be accepted."),
        agreed_at=utcnow(),
        busy=BUSY,
    )
    emit(
        event_for(
            ev.PlacementAgreed,
            placement,
            actor,
            first_date=placement.first_date.isoformat(),
            last_date=placement.last_date.isoformat(),
        ),
        actor,
    )
    return placement


def decline(actor: User, placement: Placement, reason: str) -> Placement:
    refuse_unless(placement, OPEN, _("Only an open proposal can be declined."))
    reason = limited(reason, "reason")
    if not reason:
        raise DomainError(_("Give a reason: the other side will read it."), field="reason")
    move(
        placement,
        OPEN,
        "declined",
        _("Only an open proposal can be declined."),
        decline_reason=reason,
        busy=BUSY,
    )
    emit(event_for(ev.PlacementDeclined, placement, actor, reason=reason), actor)
    return placement


def withdraw(actor: User, placement: Placement, reason: str = "") -> Placement:
    refuse_unless(placement, OPEN, _("Only an open proposal can be withdrawn."))
    reason = limited(reason, "reason")
    move(
        placement,
        OPEN,
        "withdrawn",
        _("Only an open proposal can be withdrawn."),
        decline_reason=reason,
        busy=BUSY,
    )
    emit(event_for(ev.PlacementWithdrawn, placement, actor, reason=reason), actor)
    return placement


def end_early(
    actor: User,
    placement: Placement,
    reason: str,
    ended_on: date | None = None,
    today: date | None = None,
) -> Placement:
    """An agreed placement stops before its last date; `ended_on` is the last day
    that keeps its lesson (default today). Lessons after it disappear."""
    today = today or today_local()
    refuse_unless(placement, ("agreed",), _("Only an agreed placement can be ended."))
    reason = limited(reason, "reason")
    if not reason:
        raise DomainError(_("Give a reason: the other side will read it."), field="reason")
    ended_on = ended_on or today
    if not isinstance(ended_on, date):
        raise DomainError(_("Give a date."), field="ended_on")
    if ended_on < today:
        raise DomainError(_("A placement cannot end in the past."), field="ended_on")
    if ended_on >= placement.last_date:
        raise DomainError(
            _("This date is not before the last date: the placement ends then anyway."),
            field="ended_on",
        )
    move(
        placement,
        ("agreed",),
        "ended",
        _("Only an agreed placement can be ended."),
        ended_on=ended_on,
        end_reason=reason,
        ended_early=True,
        busy=BUSY,
    )
    emit(
        event_for(
            ev.PlacementEnded,
            placement,
            actor,
            ended_on=ended_on.isoformat(),
            reason=reason,
            early=True,
        ),
        actor,
    )
    return placement


def finish_ended(today: date | None = None) -> list[Placement]:
    """Agreed placements whose last date has passed become ended (a daily job or
    `flask placements finish`). Safe to run twice: the second run finds none."""
    today = today or today_local()
    done = []
    for placement in db.session.scalars(
        select(Placement)
        .where(Placement.status == "agreed", Placement.last_date < today)
        .order_by(Placement.id)
    ).all():
        try:
            move(
                placement,
                ("agreed",),
                "ended",
                "",
                ended_on=placement.last_date,
                ended_early=False,
                busy=BUSY,
            )
        except DomainError:
            continue  # ended early by someone meanwhile
        emit(
            event_for(
                ev.PlacementEnded,
                placement,
                None,
                ended_on=placement.last_date.isoformat(),
                early=False,
            )
        )
        done.append(placement)
    return done


def record_hr(
    actor: User,
    placement: Placement,
    *,
    vog_date: date | None,
    qualified: bool,
    supervisor: User | None,
    route: str = "",
    today: date | None = None,
) -> Placement:
    """The school records (or corrects) the facts its HR asks for."""
    today = today or today_local()
    refuse_unless(
        placement,
        CLAIMING,
        _("Only a placement still to be agreed or agreed can record these facts."),
    )
    if vog_date is None:
        raise DomainError(_("Give the date of the VOG."), field="vog_date")
    hr.check_vog(vog_date, placement.first_date, today)
    qualified = bool(qualified)
    route = limited(route, "qualification_route", LINE)
    if supervisor is not None and not is_member_of(supervisor, placement.school):
        raise DomainError(_("Choose a teacher of the school."), field="supervisor_id")
    if not qualified and supervisor is None:
        raise DomainError(
            _("Without a teaching qualification a teacher of the school supervises."),
            field="supervisor_id",
        )
    over_limit = not qualified and placement.hours_per_week > hr.unqualified_hours()
    if over_limit and not route:
        raise DomainError(
            ngettext(
                "More than %(num)d hour a week without a qualification: record the route to one.",
                "More than %(num)d hours a week without a qualification: record the route to one.",
                hr.unqualified_hours(),
            ),
            field="qualification_route",
        )
    placement.vog_date = vog_date
    placement.qualified = qualified
    placement.supervisor_id = supervisor.id if supervisor is not None else None
    placement.qualification_route = route if over_limit else ""
    placement.qualification_deadline = (
        hr.qualification_deadline(placement.first_date) if over_limit else None
    )
    placement.updated_at = utcnow()
    db.session.flush()
    emit(
        event_for(
            ev.PlacementHrRecorded,
            placement,
            actor,
            vog_date=vog_date.isoformat(),
            qualified=qualified,
            qualification_deadline=(
                placement.qualification_deadline.isoformat()
                if placement.qualification_deadline
                else ""
            ),
        ),
        actor,
    )
    return placement
