"""Operations on activities and their slots.

Kept as one module: an activity and its slots change together (publishing
needs a slot, a slot follows its activity's rules and the holidays)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import update

from app import text, vocabulary
from app.accounts.validation import normalise_postcode
from app.catalogue.models import Activity, Slot
from app.curriculum import service as curriculum
from app.errors import DomainError
from app.events import emit
from app.events.types import (
    ActivityArchived,
    ActivityChanged,
    ActivityPublished,
    SlotAdded,
    SlotCancelled,
    SlotRescheduled,
)
from app.extensions import db
from app.holidays.service import holiday_dates, holidays_overlapping
from app.timeutil import LOCAL_TZ, local_to_utc, to_local, utcnow

ACTIVITY_FIELDS = (
    "kind",
    "title",
    "description",
    "sectors",
    "profiles",
    "years",
    "paths",
    "venue",
    "address",
    "postcode",
    "city",
    "latitude",
    "longitude",
    "duration_minutes",
    "max_group_size",
    "min_notice_days",
    "requires_approval",
    "contact_id",
)


@dataclass
class Outcome:
    """What a service made, and warnings for the person (not refusals)."""

    value: object
    warnings: list[str] = field(default_factory=list)


def _check_vocabulary(values: dict) -> None:
    checks = {
        "kind": vocabulary.ACTIVITY_KINDS,
        "venue": vocabulary.VENUES,
    }
    for name, words in checks.items():
        if name in values and values[name] not in words:
            raise DomainError(_("Choose one of the options."), field=name)
    sets = {
        "sectors": vocabulary.SECTORS,
        "profiles": vocabulary.PROFILES,
        "years": vocabulary.YEARS,
        "paths": vocabulary.PATHS,
    }
    for name, words in sets.items():
        if name in values and not set(values[name]) <= set(words):
            raise DomainError(_("Choose one of the options."), field=name)


# Upper bounds keep numbers inside the database's integer columns and catch typos
# (a group of 3000); nothing in the field comes near them.
MAX_GROUP_SIZE = 1000
MAX_DURATION_MINUTES = 14 * 24 * 60
MAX_NOTICE_DAYS = 365
MAX_CAPACITY = 10000
TEXT_LIMITS = {
    "title": text.LINE,
    "address": text.LINE,
    "city": text.SHORT_LINE,
    "description": text.LONG_TEXT,
}


def _validate_activity(activity: Activity) -> None:
    if activity.kind not in vocabulary.ACTIVITY_KINDS:
        raise DomainError(_("Choose one of the options."), field="kind")
    if not (activity.title or "").strip():
        raise DomainError(_("Give the activity a title."), field="title")
    for name, limit in TEXT_LIMITS.items():
        if len(getattr(activity, name) or "") > limit:
            raise DomainError(_("At most %(n)d characters.", n=limit), field=name)
    if not activity.years:
        raise DomainError(_("Choose at least one school year."), field="years")
    if not activity.paths:
        raise DomainError(_("Choose at least one learning path."), field="paths")
    if not activity.max_group_size or activity.max_group_size < 1:
        raise DomainError(_("The largest group is at least one student."), field="max_group_size")
    if activity.max_group_size > MAX_GROUP_SIZE:
        raise DomainError(
            _("The largest group is at most %(n)d students.", n=MAX_GROUP_SIZE),
            field="max_group_size",
        )
    if activity.min_notice_days is None or activity.min_notice_days < 0:
        raise DomainError(_("The minimum notice cannot be negative."), field="min_notice_days")
    if activity.min_notice_days > MAX_NOTICE_DAYS:
        raise DomainError(
            _("The minimum notice is at most %(n)d days.", n=MAX_NOTICE_DAYS),
            field="min_notice_days",
        )
    if not activity.duration_minutes or activity.duration_minutes < 1:
        raise DomainError(_("The duration is at least one minute."), field="duration_minutes")
    if activity.duration_minutes > MAX_DURATION_MINUTES:
        raise DomainError(_("The duration is at most two weeks."), field="duration_minutes")


def _check_contact(company, values: dict) -> None:
    """The contact person is one of the company's own people: anyone else's
    name and phone number must not end up on the activity."""
    contact_id = values.get("contact_id")
    if contact_id is not None and not any(m.user_id == contact_id for m in company.memberships):
        raise DomainError(_("Choose someone of your own organisation."), field="contact_id")


def _check_postcode(values: dict) -> None:
    if values.get("postcode"):
        try:
            values["postcode"] = normalise_postcode(values["postcode"])
        except ValueError as error:
            raise DomainError(str(error), field="postcode") from error


def _apply(activity: Activity, values: dict) -> None:
    values = dict(values)
    for name in ("title", "address", "city"):
        if isinstance(values.get(name), str):
            values[name] = values[name].strip()
    _check_vocabulary(values)
    _check_contact(activity.company, values)
    _check_postcode(values)
    for name in ACTIVITY_FIELDS:
        if name in values:
            value = values[name]
            if name in ("sectors", "profiles", "years", "paths"):
                value = frozenset(value or ())
            setattr(activity, name, value)
    company = activity.company
    if activity.venue == "company" and not activity.address:
        activity.address = company.address
        activity.postcode, activity.city = company.postcode, company.city
    if activity.latitude is None or activity.longitude is None:
        activity.latitude, activity.longitude = company.latitude, company.longitude
    if not activity.sectors:
        activity.sectors = company.sectors


def create_activity(company, values: dict, actor) -> Activity:
    # The columns' defaults only arrive at flush; _apply and the checks need them now.
    activity = Activity(
        company=company,
        status="draft",
        venue="company",
        description="",
        duration_minutes=120,
        max_group_size=30,
        min_notice_days=7,
        requires_approval=True,
    )
    _apply(activity, values)
    _validate_activity(activity)
    db.session.add(activity)
    db.session.flush()
    _apply_tags(activity, values)
    return activity


def _apply_tags(activity: Activity, values: dict) -> None:
    """values["tags"]: {dimension: codes} for the dimensions to replace. A code
    of another profile than the activity's is allowed: a visit for PIE classes
    can serve MVI's ICT module too."""
    if values.get("tags") is not None:
        curriculum.set_tags(activity.id, values["tags"])


def update_activity(activity: Activity, values: dict, actor) -> Activity:
    if activity.status == "archived":
        raise DomainError(_("An archived activity cannot be changed."), code="archived")
    _apply(activity, values)
    _validate_activity(activity)
    activity.updated_at = utcnow()
    db.session.flush()
    _apply_tags(activity, values)
    emit(ActivityChanged(activity_id=activity.id, company_id=activity.company_id), actor)
    return activity


def publish_activity(activity: Activity, actor) -> None:
    if not activity.company.is_approved:
        raise DomainError(
            _("Your organisation can publish once a coordinator has approved it."),
            code="not_approved",
        )
    if activity.status == "published":
        return
    _validate_activity(activity)
    activity.status = "published"
    activity.published_at = activity.published_at or utcnow()
    activity.updated_at = utcnow()
    db.session.flush()
    emit(ActivityPublished(activity_id=activity.id, company_id=activity.company_id), actor)


def archive_activity(activity: Activity, actor) -> None:
    if activity.status == "archived":
        return
    activity.status = "archived"
    activity.updated_at = utcnow()
    db.session.flush()
    emit(ActivityArchived(activity_id=activity.id, company_id=activity.company_id), actor)


def restore_activity(activity: Activity, actor) -> None:
    """Undoes archiving: back in the catalogue if it was published before,
    otherwise a draft again."""
    if activity.status != "archived":
        return
    activity.status = "published" if activity.published_at else "draft"
    activity.updated_at = utcnow()
    db.session.flush()
    if activity.status == "published":
        emit(ActivityPublished(activity_id=activity.id, company_id=activity.company_id), actor)


# --- slots --------------------------------------------------------------------------


def _holiday_warning(activity: Activity, starts_at: datetime) -> list[str]:
    day = to_local(starts_at).date()
    found = holidays_overlapping(activity.company.holiday_region, day, day)
    if not found:
        return []
    return [
        _(
            "%(date)s falls in the %(holiday)s of region %(region)s: schools there cannot book it.",
            date=day.strftime("%d-%m-%Y"),
            holiday=found[0].name,
            region=activity.company.holiday_region,
        )
    ]


def _check_slot_times(starts_at: datetime, ends_at: datetime, capacity: int) -> None:
    if ends_at <= starts_at:
        raise DomainError(_("The end lies before the start."), field="ends_at")
    if starts_at <= utcnow():
        raise DomainError(_("A slot cannot start in the past."), field="starts_at")
    if capacity is None or capacity < 1:
        raise DomainError(_("The capacity is at least one student."), field="capacity")
    if capacity > MAX_CAPACITY:
        raise DomainError(
            _("The capacity is at most %(n)d students.", n=MAX_CAPACITY), field="capacity"
        )


def add_slot(
    activity: Activity,
    starts_at: datetime,
    ends_at: datetime,
    capacity: int,
    actor,
    *,
    series_key: str | None = None,
) -> Outcome:
    """starts_at and ends_at are naive UTC."""
    if activity.status == "archived":
        raise DomainError(_("An archived activity gets no new slots."), code="archived")
    _check_slot_times(starts_at, ends_at, capacity)
    slot = Slot(
        activity=activity,
        starts_at=starts_at,
        ends_at=ends_at,
        capacity=capacity,
        series_key=series_key,
    )
    db.session.add(slot)
    db.session.flush()
    emit(
        SlotAdded(
            slot_id=slot.id,
            activity_id=activity.id,
            starts_at=starts_at.isoformat(),
            capacity=capacity,
        ),
        actor,
    )
    return Outcome(slot, _holiday_warning(activity, starts_at))


MAX_SERIES = 60


def add_slot_series(
    activity: Activity,
    *,
    first_day: date,
    last_day: date,
    weekdays: set[int],
    start: time,
    end: time,
    capacity: int,
    actor,
    skip_holidays: bool = True,
) -> Outcome:
    """One slot on each chosen weekday (0 = Monday) between first_day and last_day,
    at the same local wall-clock times, skipping the company region's holidays."""
    if last_day < first_day:
        raise DomainError(_("The last day lies before the first day."), field="last_day")
    if not weekdays:
        raise DomainError(_("Choose at least one weekday."), field="weekdays")
    if end <= start:
        raise DomainError(_("The end lies before the start."), field="end")
    region = activity.company.holiday_region
    skipped = holiday_dates(region, first_day, last_day) if skip_holidays else set()
    days = []
    day = first_day
    while day <= last_day:
        if day.weekday() in weekdays and day not in skipped:
            days.append(day)
        day += timedelta(days=1)
    if not days:
        raise DomainError(
            _("No date in this period falls on the chosen weekdays."), field="weekdays"
        )
    if len(days) > MAX_SERIES:
        raise DomainError(_("A series has at most %(n)d slots.", n=MAX_SERIES), field="last_day")
    key = secrets.token_hex(8)
    slots = []
    warnings: list[str] = []
    for day in days:
        starts_at = local_to_utc(datetime.combine(day, start, tzinfo=LOCAL_TZ))
        ends_at = local_to_utc(datetime.combine(day, end, tzinfo=LOCAL_TZ))
        outcome = add_slot(activity, starts_at, ends_at, capacity, actor, series_key=key)
        slots.append(outcome.value)
        # Only when holidays are not skipped can a slot land in one.
        warnings.extend(outcome.warnings)
    skipped_in_series = sorted(d for d in skipped if d.weekday() in weekdays)
    if skipped_in_series:
        warnings.append(
            ngettext(
                "%(n)d date in the school holidays was skipped.",
                "%(n)d dates in the school holidays were skipped.",
                len(skipped_in_series),
                n=len(skipped_in_series),
            )
        )
    return Outcome(slots, warnings)


def reschedule_slot(
    slot: Slot,
    actor,
    *,
    starts_at: datetime | None = None,
    ends_at: datetime | None = None,
    capacity: int | None = None,
    reason: str = "",
) -> Outcome:
    """Moves a slot and/or changes its capacity; every booking follows."""
    if slot.is_cancelled:
        raise DomainError(_("This slot is cancelled."), code="cancelled")
    new_start = starts_at or slot.starts_at
    length = slot.ends_at - slot.starts_at
    new_end = ends_at or (new_start + length if starts_at else slot.ends_at)
    new_capacity = slot.capacity if capacity is None else capacity
    moved = new_start != slot.starts_at or new_end != slot.ends_at
    if moved:
        _check_slot_times(new_start, new_end, new_capacity)
    elif new_end <= new_start:
        raise DomainError(_("The end lies before the start."), field="ends_at")
    if new_capacity is None or new_capacity < 1:
        raise DomainError(_("The capacity is at least one student."), field="capacity")
    if new_capacity > MAX_CAPACITY:
        raise DomainError(
            _("The capacity is at most %(n)d students.", n=MAX_CAPACITY), field="capacity"
        )
    if not moved and new_capacity == slot.capacity:
        # Nothing people would notice: no event, no new revision for calendars.
        return Outcome(slot, [])
    if new_capacity != slot.capacity:
        # Conditional, like taking places: never below what bookings hold now.
        changed = db.session.execute(
            update(Slot)
            .where(Slot.id == slot.id, Slot.taken <= new_capacity)
            .values(capacity=new_capacity)
            .execution_options(synchronize_session=False)
        ).rowcount
        if not changed:
            db.session.refresh(slot)
            raise DomainError(
                ngettext(
                    "Bookings hold %(n)d place; the capacity cannot be lower.",
                    "Bookings hold %(n)d places; the capacity cannot be lower.",
                    slot.taken,
                    n=slot.taken,
                ),
                field="capacity",
            )
        db.session.refresh(slot)
    old_start = slot.starts_at
    slot.starts_at, slot.ends_at = new_start, new_end
    slot.revision += 1
    slot.updated_at = utcnow()
    db.session.flush()
    emit(
        SlotRescheduled(
            slot_id=slot.id,
            activity_id=slot.activity_id,
            old_starts_at=old_start.isoformat(),
            new_starts_at=new_start.isoformat(),
            new_ends_at=new_end.isoformat(),
            capacity=slot.capacity,
            reason=reason or "",
        ),
        actor,
    )
    return Outcome(slot, _holiday_warning(slot.activity, new_start) if moved else [])


def cancel_slot(slot: Slot, reason: str, actor) -> Slot:
    """Cancels a slot; its bookings are cancelled by the SlotCancelled handler."""
    if slot.is_cancelled:
        return slot
    reason = text.limited(reason, "reason")
    if not reason:
        raise DomainError(_("Give a reason: the schools will read it."), field="reason")
    now = utcnow()
    slot.status = "cancelled"
    slot.cancel_reason = reason
    slot.cancelled_at = now
    slot.revision += 1
    slot.updated_at = now
    db.session.flush()
    emit(
        SlotCancelled(slot_id=slot.id, activity_id=slot.activity_id, reason=slot.cancel_reason),
        actor,
    )
    return slot
