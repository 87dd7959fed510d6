"""The company's and the coordinator's view: one VEVENT per slot (uid
slot-<id>@<host>) that lists its booked groups. Its SEQUENCE is the slot's
revision plus, for every booking of the slot, that booking's revision + 1: a
sum of counters that only rise, so it rises with every change people see on
the event and never falls (docs/INTEROP-RULES.md, rule 2)."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from functools import lru_cache

from sqlalchemy import or_, select

from app.bookings.models import WAITING, Booking
from app.calendar.content.common import (
    BOOKING_FIELDS,
    CANCELLED_DAYS,
    COMPANY,
    EVENT_MEMO_SIZE,
    GROUP_STATES,
    PAST_DAYS,
    SCHOOL,
    SECTOR_BITS,
    VISIBLE_ACTIVITIES,
    Links,
    Words,
    address_line,
    categories,
    group_text,
    latest,
    records,
    redact,
)
from app.calendar.ics import CalendarEvent
from app.catalogue.models import Activity, Slot

# A slot's own columns; its activity's are read once per activity (an
# activity has many slots, and reading its columns again for each slot was
# a third of a large feed's query time).
SLOT_COLUMNS = (
    Slot.id,
    Slot.starts_at,
    Slot.ends_at,
    Slot.status,
    Slot.cancel_reason,
    Slot.capacity,
    Slot.taken,
    Slot.revision,
    Slot.created_at,
    Slot.updated_at,
    Slot.activity_id,
)


ACTIVITY_COLUMNS = (
    Activity.id,
    Activity.title,
    Activity.kind,
    Activity.venue,
    Activity.address,
    Activity.postcode,
    Activity.city,
    SECTOR_BITS,
    Activity.updated_at,
    COMPANY.name.label("company_name"),
)


SLOT_BOOKING_COLUMNS = (Booking.slot_id, *BOOKING_FIELDS)


def slot_query(*conditions, as_of: datetime | None, visible_only: bool = True):
    query = (
        select(*SLOT_COLUMNS)
        .join(Activity, Slot.activity_id == Activity.id)
        .join(COMPANY, Activity.company_id == COMPANY.id)
        .where(*conditions)
    )
    if visible_only:
        query = query.where(Activity.status.in_(VISIBLE_ACTIVITIES))
    if as_of is not None:
        query = query.where(
            Slot.ends_at >= as_of - timedelta(days=PAST_DAYS),
            or_(
                Slot.status == "open",
                Slot.cancelled_at >= as_of - timedelta(days=CANCELLED_DAYS),
            ),
        )
    return query


def slot_rows(*conditions, as_of: datetime | None, visible_only: bool = True):
    """Slots with their activity and bookings: [(slot, activity, (bookings...))],
    in three queries."""
    query = slot_query(*conditions, as_of=as_of, visible_only=visible_only)
    slots = records(query.order_by(Slot.starts_at, Slot.id))
    if not slots:
        return []
    activities = {
        row.id: row
        for row in records(
            select(*ACTIVITY_COLUMNS)
            .join(COMPANY, Activity.company_id == COMPANY.id)
            .where(Activity.id.in_(query.with_only_columns(Slot.activity_id).distinct()))
        )
    }
    ids = query.with_only_columns(Slot.id).scalar_subquery()
    bookings = defaultdict(list)
    for row in records(
        select(*SLOT_BOOKING_COLUMNS)
        .join(SCHOOL, Booking.school_id == SCHOOL.id)
        .where(Booking.slot_id.in_(ids))
        .order_by(Booking.slot_id, Booking.created_at, Booking.id)
    ):
        bookings[row.slot_id].append(row)
    return [
        (slot, activities[slot.activity_id], tuple(bookings.get(slot.id, ()))) for slot in slots
    ]


@lru_cache(maxsize=EVENT_MEMO_SIZE)
def slot_event(
    row, activity, bookings: tuple, wording: Words, links: Links, *, view: str
) -> CalendarEvent:
    """view: "company" (the other party is the schools), "coordinator" (the
    company, with the schools in the description) or "public" (no groups)."""
    title, company = redact(activity.title), redact(activity.company_name)
    groups = [b for b in bookings if b.status in GROUP_STATES]
    # Offered a freed place, a group still waits for its answer (bookings.waiting_list).
    waiting = sum(1 for b in bookings if b.status in WAITING)
    if row.status == "cancelled":
        status = "CANCELLED"
    elif any(b.status in ("confirmed", "completed") for b in groups):
        status = "CONFIRMED"
    else:
        status = "TENTATIVE"
    schools = list(dict.fromkeys(redact(b.school_name) for b in groups))
    if view == "company" and schools:
        summary = f"{title} · {', '.join(schools)}"
    elif view == "company":
        summary = title
    else:
        summary = f"{title} · {company}"
    if status == "CANCELLED":
        summary = wording.cancelled_prefix % {"summary": summary}
    if activity.venue == "online":
        location = wording.venues["online"]
    elif activity.venue == "school":
        places = {(b.school_address, b.school_postcode, b.school_city) for b in groups}
        location = (
            address_line(*places.pop())
            if len(places) == 1 and view != "public"
            else wording.at_school
        )
    else:
        location = address_line(activity.address, activity.postcode, activity.city)
    url = links.activity(activity.id)
    lines = [wording.kinds.get(activity.kind, activity.kind)]
    if view != "company":
        lines.append(wording.company % {"name": company})
    if row.status == "cancelled" and row.cancel_reason:
        lines.append(wording.slot_cancelled % {"reason": redact(row.cancel_reason)})
    lines.append(wording.places % {"taken": row.taken, "capacity": row.capacity})
    if view != "public":
        if groups:
            lines.append(wording.groups)
            for b in groups:
                lines.append(
                    f"- {redact(b.school_name)}: {group_text(wording, b)} "
                    f"({wording.booking_states[b.status]})"
                )
        else:
            lines.append(wording.no_groups)
        if waiting:
            lines.append(wording.waiting % {"n": waiting})
    lines += ["", wording.more_info % {"url": url}]
    return CalendarEvent(
        uid=f"slot-{row.id}@{links.uid_host}",
        sequence=row.revision + sum(b.revision + 1 for b in bookings),
        stamp=latest(
            row.created_at,
            row.updated_at,
            activity.updated_at,
            *(b.updated_at for b in bookings),
            *(b.created_at for b in bookings),
        ),
        starts_at=row.starts_at,
        ends_at=row.ends_at,
        summary=summary,
        status=status,
        description="\n".join(lines),
        location=redact(location),
        url=url,
        categories=categories(wording, activity.kind, activity.sector_bits),
    )
