"""The school's view: one VEVENT per booking (uid booking-<id>@<host>),
SEQUENCE = the booking's revision."""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import lru_cache

from sqlalchemy import and_, or_, select

from app.bookings.models import Booking
from app.calendar.content.common import (
    BOOKING_FIELDS,
    CANCELLED_DAYS,
    COMPANY,
    EVENT_MEMO_SIZE,
    GROUP_STATES,
    PAST_DAYS,
    SCHOOL,
    SECTOR_BITS,
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

BOOKING_COLUMNS = (
    *BOOKING_FIELDS,
    Booking.decline_reason,
    Booking.cancel_reason,
    Booking.cancelled_by,
    Slot.starts_at,
    Slot.ends_at,
    Slot.updated_at.label("slot_updated_at"),
    Activity.id.label("activity_id"),
    Activity.title,
    Activity.kind,
    Activity.venue,
    Activity.address,
    Activity.postcode,
    Activity.city,
    SECTOR_BITS,
    Activity.updated_at.label("activity_updated_at"),
    COMPANY.name.label("company_name"),
)


def booking_rows(*conditions, as_of: datetime | None):
    """Bookings with everything their event shows. With `as_of`, only what a
    feed keeps at that moment: not older than PAST_DAYS, and cancelled or
    declined ones for CANCELLED_DAYS."""
    query = (
        select(*BOOKING_COLUMNS)
        .join(Slot, Booking.slot_id == Slot.id)
        .join(Activity, Slot.activity_id == Activity.id)
        .join(COMPANY, Activity.company_id == COMPANY.id)
        .join(SCHOOL, Booking.school_id == SCHOOL.id)
        .where(*conditions)
    )
    if as_of is not None:
        query = query.where(
            Slot.ends_at >= as_of - timedelta(days=PAST_DAYS),
            or_(
                Booking.status.in_(GROUP_STATES),
                and_(
                    Booking.status.in_(("cancelled", "declined")),
                    Booking.updated_at >= as_of - timedelta(days=CANCELLED_DAYS),
                ),
            ),
        )
    return records(query.order_by(Slot.starts_at, Booking.id))


@lru_cache(maxsize=EVENT_MEMO_SIZE)
def booking_event(
    row,
    wording: Words,
    links: Links,
    *,
    side: str = "school",
    redacted: bool = True,
    contact: str = "",
) -> CalendarEvent:
    """side: whose calendar this is; the summary names the other party. A
    download for a party of the booking may add `contact` (never a feed)."""
    clean = redact if redacted else (lambda text: text)
    title, company, school = clean(row.title), clean(row.company_name), clean(row.school_name)
    status = {"requested": "TENTATIVE", "confirmed": "CONFIRMED", "completed": "CONFIRMED"}.get(
        row.status, "CANCELLED"
    )
    summary = f"{title} · {company if side == 'school' else school}"
    if status == "CANCELLED":
        summary = wording.cancelled_prefix % {"summary": summary}
    if row.venue == "school":
        location = address_line(row.school_address, row.school_postcode, row.school_city)
    elif row.venue == "online":
        location = wording.venues["online"]
    else:
        location = address_line(row.address, row.postcode, row.city)
    url = links.booking(row.id, row.activity_id)
    lines = [
        wording.kinds.get(row.kind, row.kind),
        wording.group_line % {"group": group_text(wording, row)},
        wording.company % {"name": company}
        if side == "school"
        else wording.school % {"name": school},
    ]
    if row.status == "cancelled" and row.cancel_reason:
        by_company = row.cancelled_by == "company"
        template = wording.cancelled_by_company if by_company else wording.cancelled_by_school
        lines.append(template % {"reason": clean(row.cancel_reason)})
    elif row.status == "declined" and row.decline_reason:
        lines.append(wording.declined % {"reason": clean(row.decline_reason)})
    else:
        lines.append(wording.booking_states.get(row.status, row.status))
    if contact:
        lines.append(contact)
    lines += ["", wording.more_info % {"url": url}]
    return CalendarEvent(
        uid=f"booking-{row.id}@{links.uid_host}",
        sequence=row.revision,
        stamp=latest(row.created_at, row.updated_at, row.slot_updated_at, row.activity_updated_at),
        starts_at=row.starts_at,
        ends_at=row.ends_at,
        summary=summary,
        status=status,
        description="\n".join(lines),
        location=clean(location),
        url=url,
        categories=categories(wording, row.kind, row.sector_bits),
    )
