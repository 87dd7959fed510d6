"""What a calendar shows: database rows turned into ics.CalendarEvent values.

Three points of view:
- school: one VEVENT per booking (uid booking-<id>@<host>), SEQUENCE = the
  booking's revision;
- company and coordinator: one VEVENT per slot (uid slot-<id>@<host>) that
  lists its booked groups. Its SEQUENCE is the slot's revision plus, for every
  booking of the slot, that booking's revision + 1: a sum of counters that
  only rise, so it rises with every change people see on the event (a group
  booked, confirmed, cancelled) and never falls (docs/INTEROP-RULES.md, rule 2).

And in all of them, for the school, the company and coordinators: a
hybrid teacher's placement as one recurring VEVENT (uid placement-<id>@<host>)
with an override per moved or cancelled lesson (rule 11; placement_events).

DTSTAMP and LAST-MODIFIED are the latest `updated_at` of the rows an event is
made of, so unchanged data give identical bytes (rule 8). Feeds carry no
e-mail addresses or phone numbers, not even typed into a title or a reason
(rule 10): free text goes through `redact`.

Rows are read with Core selects of the columns needed: loading 10,000 ORM
objects with their relationships would take longer than the rest of a feed.

One module per point of view (bookings, slots, placements), the filters of a
coordinator's feed (filters), and what they share (common). This module is
their public face.
"""

from app.calendar.content.bookings import (
    BOOKING_COLUMNS,
    booking_event,
    booking_rows,
)
from app.calendar.content.common import (
    BOOKING_ENDPOINTS,
    CANCELLED_DAYS,
    COMPANY,
    DEFAULT_BASE_URL,
    DEFAULT_UID_HOST,
    EVENT_MEMO_SIZE,
    FEED_KINDS,
    GROUP_STATES,
    PAST_DAYS,
    PLACEMENT_ENDPOINT,
    PLACEMENT_KIND,
    PLACEMENT_STATES,
    REDACTED,
    SCHOOL,
    SECTOR_BITS,
    VISIBLE_ACTIVITIES,
    Links,
    Words,
    address_line,
    base_url,
    categories,
    group_text,
    latest,
    records,
    redact,
    sector_codes,
    uid_host,
    words,
)
from app.calendar.content.filters import (
    FILTER_KEYS,
    filter_conditions,
    has_any_flag,
    placement_filter_conditions,
)
from app.calendar.content.placements import (
    CHANGE_COLUMNS,
    PLACEMENT_COLUMNS,
    placement_events,
    placement_query,
    placement_rows,
)
from app.calendar.content.slots import (
    ACTIVITY_COLUMNS,
    SLOT_BOOKING_COLUMNS,
    SLOT_COLUMNS,
    slot_event,
    slot_query,
    slot_rows,
)

__all__ = [
    "ACTIVITY_COLUMNS",
    "BOOKING_COLUMNS",
    "BOOKING_ENDPOINTS",
    "CANCELLED_DAYS",
    "CHANGE_COLUMNS",
    "COMPANY",
    "DEFAULT_BASE_URL",
    "DEFAULT_UID_HOST",
    "EVENT_MEMO_SIZE",
    "FEED_KINDS",
    "FILTER_KEYS",
    "GROUP_STATES",
    "Links",
    "PAST_DAYS",
    "PLACEMENT_COLUMNS",
    "PLACEMENT_ENDPOINT",
    "PLACEMENT_KIND",
    "PLACEMENT_STATES",
    "REDACTED",
    "SCHOOL",
    "SECTOR_BITS",
    "SLOT_BOOKING_COLUMNS",
    "SLOT_COLUMNS",
    "VISIBLE_ACTIVITIES",
    "Words",
    "address_line",
    "base_url",
    "booking_event",
    "booking_rows",
    "categories",
    "filter_conditions",
    "group_text",
    "has_any_flag",
    "latest",
    "placement_events",
    "placement_filter_conditions",
    "placement_query",
    "placement_rows",
    "records",
    "redact",
    "sector_codes",
    "slot_event",
    "slot_query",
    "slot_rows",
    "uid_host",
    "words",
]
