"""Raising the version of every feed a change shows in, so that its ETag and
Last-Modified move (docs/INTEROP-RULES.md, rules 2, 3 and 8). The reactions
in app/reactions/calendar_feeds.py call these."""

from __future__ import annotations

import weakref
from collections.abc import Iterable

from sqlalchemy import (
    and_,
    case,
    or_,
    select,
    update,
)

from app.accounts.models import Membership
from app.bookings.models import Booking
from app.calendar import content
from app.calendar.models import CalendarFeed
from app.calendar.service.viewers import MANAGING_ROLES
from app.catalogue.models import Activity, Slot
from app.extensions import db
from app.placements.models import Placement
from app.timeutil import epoch_seconds, utcnow

# Feeds already raised in a transaction: one change of many rows (a slot
# cancelled with its bookings) raises each feed once, so Last-Modified does
# not run ahead of the clock by a second per event.
_raised: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def bump_versions(feed_ids: Iterable[int]) -> set[int]:
    """Raises the version of these live feeds and moves Last-Modified to now,
    or a second past its old value if that is not earlier: it never goes
    back and never repeats. One UPDATE, evaluated by the database against the
    row as it is when the lock is taken, so concurrent changes each count."""
    session = db.session()
    transaction = session.get_nested_transaction() or session.get_transaction()
    done = _raised.setdefault(transaction, set()) if transaction is not None else set()
    ids = set(feed_ids) - done
    if not ids:
        return set()
    now = epoch_seconds(utcnow())
    db.session.execute(
        update(CalendarFeed)
        .where(CalendarFeed.id.in_(sorted(ids)), CalendarFeed.revoked_at.is_(None))
        .values(
            version=CalendarFeed.version + 1,
            last_modified=case(
                (CalendarFeed.last_modified >= now, CalendarFeed.last_modified + 1), else_=now
            ),
        )
        .execution_options(synchronize_session=False)
    )
    for instance in list(db.session.identity_map.values()):
        if isinstance(instance, CalendarFeed) and instance.id in ids:
            db.session.expire(instance, ["version", "last_modified"])
    done |= ids
    return ids


def affected_feeds(
    *,
    slot_ids: Iterable[int] = (),
    school_ids: Iterable[int] = (),
    company_ids: Iterable[int] = (),
    user_ids: Iterable[int] = (),
    schools_changed: Iterable[int] = (),
    activity_attributes_changed: bool = False,
) -> set[int]:
    """The live feeds that show any of these slots or bookings, computed from
    what the event names rather than by rendering feeds:
    - organisation feeds of the schools and companies involved;
    - personal feeds of the teachers and bookers involved and of the people
      who run the company;
    - filtered feeds whose filters match one of the slots now, or may have
      matched before the change (their school filter names a school whose
      booking changed; their sector, profile or kind filter when the
      activity's own attributes changed)."""
    slot_ids, school_ids, company_ids = set(slot_ids), set(school_ids), set(company_ids)
    user_ids, schools_changed = set(user_ids) - {None}, set(schools_changed)
    found: set[int] = set()
    conditions = []
    organisations = school_ids | company_ids
    if organisations:
        conditions.append(
            and_(
                CalendarFeed.kind == "organisation",
                CalendarFeed.organisation_id.in_(sorted(organisations)),
            )
        )
    owners = []
    if user_ids:
        owners.append(CalendarFeed.owner_id.in_(sorted(user_ids)))
    if company_ids:
        owners.append(
            CalendarFeed.owner_id.in_(
                select(Membership.user_id).where(
                    Membership.organisation_id.in_(sorted(company_ids)),
                    Membership.role.in_(MANAGING_ROLES),
                )
            )
        )
    if owners:
        conditions.append(and_(CalendarFeed.kind == "personal", or_(*owners)))
    if conditions:
        found |= set(
            db.session.scalars(
                select(CalendarFeed.id).where(CalendarFeed.revoked_at.is_(None), or_(*conditions))
            )
        )
    filtered = db.session.execute(
        select(CalendarFeed.id, CalendarFeed.filters).where(
            CalendarFeed.kind == "filtered", CalendarFeed.revoked_at.is_(None)
        )
    ).all()
    for feed_id, filters in filtered:
        filters = filters or {}
        if schools_changed & set(filters.get("schools") or ()):
            found.add(feed_id)
        elif activity_attributes_changed and any(
            filters.get(key) for key in ("sectors", "profiles", "kinds")
        ):
            found.add(feed_id)
        elif (
            slot_ids
            and db.session.scalar(
                content.slot_query(
                    Slot.id.in_(sorted(slot_ids)), *content.filter_conditions(filters), as_of=None
                )
                .with_only_columns(Slot.id)
                .limit(1)
            )
            is not None
        ):
            found.add(feed_id)
    return found


def _bookings_of_slots(slot_ids) -> list:
    if not slot_ids:
        return []
    return db.session.execute(
        select(Booking.school_id, Booking.teacher_id, Booking.booked_by_id).where(
            Booking.slot_id.in_(sorted(slot_ids))
        )
    ).all()


def bump_for_booking(booking_id: int, company_id: int) -> set[int]:
    booking = db.session.get(Booking, booking_id)
    return bump_versions(
        affected_feeds(
            slot_ids={booking.slot_id},
            school_ids={booking.school_id},
            company_ids={company_id},
            user_ids={booking.teacher_id, booking.booked_by_id},
            schools_changed={booking.school_id},
        )
    )


def bump_for_slots(
    slot_ids: Iterable[int], *, activity_attributes_changed: bool = False
) -> set[int]:
    slot_ids = set(slot_ids)
    if not slot_ids:
        return set()
    company_ids = set(
        db.session.scalars(
            select(Activity.company_id)
            .join(Slot, Slot.activity_id == Activity.id)
            .where(Slot.id.in_(sorted(slot_ids)))
        )
    )
    bookings = _bookings_of_slots(slot_ids)
    schools = {b.school_id for b in bookings}
    return bump_versions(
        affected_feeds(
            slot_ids=slot_ids,
            school_ids=schools,
            company_ids=company_ids,
            user_ids={u for b in bookings for u in (b.teacher_id, b.booked_by_id)},
            schools_changed=schools,
            activity_attributes_changed=activity_attributes_changed,
        )
    )


def bump_for_activity(activity_id: int, company_id: int, *, attributes_changed: bool) -> set[int]:
    slot_ids = set(db.session.scalars(select(Slot.id).where(Slot.activity_id == activity_id)))
    if not slot_ids:
        # No slot, nothing any calendar shows; but the company's own feeds
        # are cheap to raise and stay right if that rule ever changes.
        return bump_versions(affected_feeds(company_ids={company_id}))
    return bump_for_slots(slot_ids, activity_attributes_changed=attributes_changed)


def bump_for_placement(placement_id: int, school_id: int, company_id: int) -> set[int]:
    """The feeds that show this placement: its school's and company's
    organisation feeds, the personal feeds of the school's people and of the
    company's contacts, and the filtered feeds that match it."""
    members = select(Membership.user_id).where(
        or_(
            Membership.organisation_id == school_id,
            and_(Membership.organisation_id == company_id, Membership.role.in_(MANAGING_ROLES)),
        )
    )
    found = set(
        db.session.scalars(
            select(CalendarFeed.id).where(
                CalendarFeed.revoked_at.is_(None),
                or_(
                    and_(
                        CalendarFeed.kind == "organisation",
                        CalendarFeed.organisation_id.in_((school_id, company_id)),
                    ),
                    and_(CalendarFeed.kind == "personal", CalendarFeed.owner_id.in_(members)),
                ),
            )
        )
    )
    filtered = db.session.execute(
        select(CalendarFeed.id, CalendarFeed.filters).where(
            CalendarFeed.kind == "filtered", CalendarFeed.revoked_at.is_(None)
        )
    ).all()
    for feed_id, filters in filtered:
        if (
            db.session.scalar(
                content.placement_query(
                    Placement.id == placement_id,
                    *content.placement_filter_conditions(filters or {}),
                    as_of=None,
                )
                .with_only_columns(Placement.id)
                .limit(1)
            )
            is not None
        ):
            found.add(feed_id)
    return bump_versions(found)


def bump_for_organisation(organisation_id: int, kind: str) -> set[int]:
    """An organisation's name or address reads in the events of its activities
    (a company) or of its bookings (a school)."""
    if kind == "company":
        slots = (
            select(Slot.id)
            .join(Activity, Activity.id == Slot.activity_id)
            .where(Activity.company_id == organisation_id)
        )
    else:
        slots = select(Booking.slot_id).where(Booking.school_id == organisation_id)
    ids = {organisation_id}
    return bump_for_slots(set(db.session.scalars(slots))) | bump_versions(
        affected_feeds(
            school_ids=ids if kind == "school" else (),
            company_ids=ids if kind == "company" else (),
        )
    )


def bump_for_member(user_id: int) -> set[int]:
    """A new membership changes what the person's own feeds show."""
    return bump_versions(
        db.session.scalars(
            select(CalendarFeed.id).where(
                CalendarFeed.owner_id == user_id, CalendarFeed.revoked_at.is_(None)
            )
        )
    )
