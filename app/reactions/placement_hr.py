"""Reminders about a placement's HR facts, planned when the school records
them (PlacementHrRecorded), as mail rows due later (docs/decisions/0004):

- four weeks before the VOG is too old to start a placement with: a
  follow-up placement needs a new one;
- six months and one month before the deadline of the route to a teaching
  qualification.

To both sides; recording the facts again replaces the unsent ones.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from flask_babel import LazyString, format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select

from app.events import types as ev
from app.extensions import db
from app.notifications.models import OutgoingMail
from app.notifications.service import notify
from app.placements.models import Placement
from app.placements.service import hr
from app.reactions.placement_mail import placement_path, side_members
from app.timeutil import local_to_utc, utcnow

VOG_NOTICE = timedelta(weeks=4)
DEADLINE_NOTICES = (180, 30)  # days before the qualification deadline


def _morning(day: date) -> datetime:
    return local_to_utc(datetime.combine(day, time(8, 0)))


def _withdraw(placement: Placement) -> None:
    now = utcnow()
    # Through the session, which may hold these rows from planning them.
    for row in db.session.scalars(
        select(OutgoingMail).where(
            or_(
                OutgoingMail.dedupe_key.like(f"vog:{placement.id}:%"),
                OutgoingMail.dedupe_key.like(f"qualify:{placement.id}:%"),
            ),
            OutgoingMail.status == "pending",
            or_(OutgoingMail.lease_until.is_(None), OutgoingMail.lease_until < now),
        )
    ):
        db.session.delete(row)
    db.session.flush()


def _remind(placement: Placement, key: str, due: datetime, until: datetime, subject, news):
    if due <= utcnow():
        return
    people = side_members(placement, "school") + side_members(placement, "company")
    seen = set()
    for person in people:
        if person.id in seen:
            continue
        seen.add(person.id)
        notify(
            person,
            "placement_update",
            subject=subject,
            link_path=placement_path(placement),
            dedupe_key=f"{key}:{person.id}",
            in_app=False,
            due_at=due,
            expires_at=until,
            placement=placement,
            professional=placement.professional,
            school=placement.school,
            company=placement.company,
            news=news,
        )


def plan_hr_reminders(event: ev.PlacementHrRecorded) -> None:
    placement = db.session.get(Placement, event.placement_id)
    _withdraw(placement)
    name = placement.professional.name
    if placement.vog_date is not None:
        lapses = hr.vog_lapses_on(placement.vog_date)
        _remind(
            placement,
            f"vog:{placement.id}:{placement.vog_date.isoformat()}",
            _morning(lapses - VOG_NOTICE),
            _morning(lapses),
            lambda: _l("The VOG of %(name)s is nearly too old", name=name),
            LazyString(
                lambda: _(
                    "From %(date)s the VOG of %(name)s is too old to start a placement "
                    "with: a follow-up placement needs a new one.",
                    date=format_date(lapses, "full"),
                    name=name,
                )
            ),
        )
    deadline = placement.qualification_deadline
    if deadline is not None:
        for days in DEADLINE_NOTICES:
            _remind(
                placement,
                f"qualify:{placement.id}:{deadline.isoformat()}:{days}",
                _morning(deadline - timedelta(days=days)),
                _morning(deadline),
                lambda: _l("Teaching qualification due: %(name)s", name=name),
                LazyString(
                    lambda: _(
                        "%(name)s teaches more hours than allowed without a teaching "
                        "qualification and has to qualify by %(date)s (route: %(route)s).",
                        name=name,
                        date=format_date(deadline, "full"),
                        route=placement.qualification_route,
                    )
                ),
            )
