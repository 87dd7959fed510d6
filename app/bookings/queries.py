"""Reading bookings for the pages that list them: a school's bookings in tabs
with filters and pages, and what the home pages count.

Every list fetches one row more than it shows, to know whether there is a next
page, and counts only what a page shows (a to-do says "3", or "20+" when
there are more than it lists), so a page costs the same whatever the school's
or company's history holds.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select, tuple_
from sqlalchemy.orm import joinedload

from app.accounts.models import Organisation
from app.bookings import waiting_list
from app.bookings.models import WAITING, Booking
from app.catalogue.models import Activity, Slot
from app.extensions import db
from app.timeutil import LOCAL_TZ, local_to_utc, to_local, utcnow

PER_PAGE = 20
MAX_PAGE = 1_000
# What "Mijn boekingen" filters by: the tab, a state, a period.
TABS = ("upcoming", "past")
PERIODS = {"upcoming": ("week", "month", "all"), "past": ("month", "year", "all")}


def _with_details(query):
    """What a list of bookings shows, loaded with the bookings (no query per row)."""
    return query.options(
        joinedload(Booking.slot).joinedload(Slot.activity).joinedload(Activity.company),
        joinedload(Booking.school),
        joinedload(Booking.teacher),
    )


@dataclass(frozen=True)
class ListFilters:
    """The filters of a school's booking list; each is a query-string parameter."""

    tab: str = "upcoming"
    state: str = ""
    period: str = "all"
    page: int = 1

    @classmethod
    def from_args(cls, args, states) -> ListFilters:
        tab = args.get("tab") if args.get("tab") in TABS else "upcoming"
        state = args.get("state") if args.get("state") in states else ""
        period = args.get("period") if args.get("period") in PERIODS[tab] else "all"
        try:
            page = min(max(int(args.get("page", 1)), 1), MAX_PAGE)
        except ValueError:
            page = 1
        return cls(tab, state, period, page)

    def to_args(self, **changes) -> dict:
        values = {
            "tab": self.tab,
            "state": self.state,
            "period": self.period,
            "page": self.page,
            **changes,
        }
        defaults = {"tab": "upcoming", "state": "", "period": "all", "page": 1}
        return {k: v for k, v in values.items() if v != defaults[k]}


@dataclass
class BookingPage:
    bookings: list[Booking]
    page: int
    has_next: bool


def _local_midnight(day: date) -> datetime:
    return local_to_utc(datetime.combine(day, time.min, LOCAL_TZ))


def school_bookings_page(
    schools: list[Organisation],
    filters: ListFilters,
    per_page: int | None = None,
    now: datetime | None = None,
) -> BookingPage:
    """One page of these schools' bookings: upcoming (slot still to end,
    soonest first) or past (latest first), of one state and in a period if
    asked."""
    if not schools:
        return BookingPage([], filters.page, False)
    now = now or utcnow()
    per_page = per_page or PER_PAGE
    query = select(Booking).join(Booking.slot).where(Booking.school_id.in_([s.id for s in schools]))
    if filters.state:
        query = query.where(Booking.status == filters.state)
    today = to_local(now).date()
    if filters.tab == "upcoming":
        query = query.where(Slot.ends_at > now)
        if filters.period == "week":
            query = query.where(Slot.starts_at < _local_midnight(today + timedelta(days=7)))
        elif filters.period == "month":
            query = query.where(Slot.starts_at < _local_midnight(today + timedelta(days=31)))
        query = query.order_by(Slot.starts_at, Booking.id)
    else:
        query = query.where(Slot.ends_at <= now)
        if filters.period == "month":
            query = query.where(Slot.starts_at >= _local_midnight(today - timedelta(days=31)))
        elif filters.period == "year":
            start = date(today.year if today.month >= 8 else today.year - 1, 8, 1)
            query = query.where(Slot.starts_at >= _local_midnight(start))
        query = query.order_by(Slot.starts_at.desc(), Booking.id.desc())
    offset = (filters.page - 1) * per_page
    found = list(
        db.session.scalars(_with_details(query).offset(offset).limit(per_page + 1)).unique()
    )
    return BookingPage(found[:per_page], filters.page, len(found) > per_page)


# --- what the home pages show -----------------------------------------------------------


@dataclass(frozen=True)
class Counted:
    """A few rows to show and how many there are, up to a limit."""

    rows: list
    count: int
    more: bool  # more than `count`


def _counted(query, show: int, limit: int = 20) -> Counted:
    rows = list(db.session.scalars(_with_details(query).limit(limit + 1)).unique())
    return Counted(rows[:show], min(len(rows), limit), len(rows) > limit)


def this_week(schools: list[Organisation], now: datetime | None = None, show: int = 5) -> Counted:
    """The schools' bookings that take place in the coming seven days."""
    now = now or utcnow()
    if not schools:
        return Counted([], 0, False)
    until = _local_midnight(to_local(now).date() + timedelta(days=7))
    return _counted(
        select(Booking)
        .join(Booking.slot)
        .where(
            Booking.school_id.in_([s.id for s in schools]),
            Booking.status.in_(("requested", "confirmed")),
            Slot.ends_at > now,
            Slot.starts_at < until,
        )
        .order_by(Slot.starts_at, Booking.id),
        show,
    )


def next_bookings(
    schools: list[Organisation], now: datetime | None = None, show: int = 5
) -> list[Booking]:
    """The schools' next bookings that are on (requested or confirmed)."""
    if not schools:
        return []
    now = now or utcnow()
    return list(
        db.session.scalars(
            _with_details(
                select(Booking)
                .join(Booking.slot)
                .where(
                    Booking.school_id.in_([s.id for s in schools]),
                    Booking.status.in_(("requested", "confirmed")),
                    Slot.ends_at > now,
                )
                .order_by(Slot.starts_at, Booking.id)
            ).limit(show)
        ).unique()
    )


@dataclass(frozen=True)
class Waiting:
    booking: Booking
    position: int  # 1 is the next group to move up when places free
    of: int


def waiting_positions(
    schools: list[Organisation], now: datetime | None = None, show: int = 10
) -> list[Waiting]:
    """The schools' groups on a waiting list, each with its place in the
    queue (by the region's rule: bookings.waiting_list)."""
    if not schools:
        return []
    now = now or utcnow()
    bookings = list(
        db.session.scalars(
            _with_details(
                select(Booking)
                .join(Booking.slot)
                .where(
                    Booking.school_id.in_([s.id for s in schools]),
                    Booking.status == "waitlisted",
                    Slot.starts_at > now,
                )
                .order_by(Slot.starts_at, Booking.id)
            ).limit(show)
        ).unique()
    )
    places = [(b, waiting_list.place_in_line(b)) for b in bookings]
    return [Waiting(b, place.position, place.of) for b, place in places]


def awaiting_answer(
    companies: list[Organisation], now: datetime | None = None, show: int = 5
) -> Counted:
    """Bookings for these companies' activities that wait for their answer."""
    if not companies:
        return Counted([], 0, False)
    now = now or utcnow()
    return _counted(
        select(Booking)
        .join(Booking.slot)
        .join(Slot.activity)
        .where(
            Activity.company_id.in_([c.id for c in companies]),
            Booking.status == "requested",
            Slot.ends_at > now,
        )
        .order_by(Slot.starts_at, Booking.id),
        show,
    )


def upcoming_visits(
    companies: list[Organisation], now: datetime | None = None, show: int = 5
) -> list[Booking]:
    """The confirmed groups that come to (or are visited by) these companies next."""
    if not companies:
        return []
    now = now or utcnow()
    return list(
        db.session.scalars(
            _with_details(
                select(Booking)
                .join(Booking.slot)
                .join(Slot.activity)
                .where(
                    Activity.company_id.in_([c.id for c in companies]),
                    Booking.status == "confirmed",
                    Slot.ends_at > now,
                )
                .order_by(Slot.starts_at, Booking.id)
            ).limit(show)
        ).unique()
    )


# --- the company's incoming bookings ----------------------------------------------------

# The lists of the incoming page, in the order it shows them, and the states
# each holds: the waiting list also shows the groups offered a freed place
# (they hold it until they answer, app/bookings/waiting_list.py).
INCOMING_LISTS = {
    "requested": ("requested",),
    "confirmed": ("confirmed",),
    "waitlisted": WAITING,
}
INCOMING_STATES = tuple(INCOMING_LISTS)


@dataclass(frozen=True)
class IncomingList:
    """The first bookings of one list of the incoming page (or those after
    `after`), how many the list holds in all, and whether more follow."""

    bookings: list[Booking]
    count: int
    has_next: bool


def _incoming(companies: list[Organisation], now: datetime):
    return (
        select(Booking)
        .join(Booking.slot)
        .join(Slot.activity)
        .where(Activity.company_id.in_([c.id for c in companies]), Slot.ends_at > now)
    )


def incoming_counts(companies: list[Organisation], now: datetime | None = None) -> dict[str, int]:
    """How many bookings each list of the incoming page holds: one statement."""
    counts = dict.fromkeys(INCOMING_STATES, 0)
    if not companies:
        return counts
    list_of = {status: name for name, states in INCOMING_LISTS.items() for status in states}
    query = (
        _incoming(companies, now or utcnow())
        .with_only_columns(Booking.status, func.count())
        .where(Booking.status.in_(list_of))
        .group_by(Booking.status)
    )
    for status, count in db.session.execute(query).tuples():
        counts[list_of[status]] += count
    return counts


def incoming_lists(
    companies: list[Organisation],
    *,
    state: str | None = None,
    after: int | None = None,
    per_list: int | None = None,
    now: datetime | None = None,
) -> dict[str, IncomingList]:
    """A company's bookings still to be answered or to happen, by state
    (requested, confirmed, waitlisted), each soonest slot first, the first
    `per_list` of each. With `state` and `after` (a booking's id), that list
    continues after that booking (keyset: the slot's start, the booking's
    creation, its id), however long the company's history is. A statement per
    list and one for the counts, whatever the lists hold."""
    now = now or utcnow()
    per_list = per_list or PER_PAGE
    counts = incoming_counts(companies, now)
    found: dict[str, IncomingList] = {}
    cursor = None
    if state in INCOMING_STATES and after is not None:
        cursor = db.session.execute(
            _incoming(companies, now)
            .with_only_columns(Slot.starts_at, Booking.created_at, Booking.id)
            .where(Booking.id == after, Booking.status.in_(INCOMING_LISTS[state]))
        ).first()
    for name in INCOMING_STATES:
        if not counts[name]:
            found[name] = IncomingList([], 0, False)
            continue
        query = _incoming(companies, now).where(Booking.status.in_(INCOMING_LISTS[name]))
        if cursor is not None and name == state:
            query = query.where(tuple_(Slot.starts_at, Booking.created_at, Booking.id) > cursor)
        query = query.order_by(Slot.starts_at, Booking.created_at, Booking.id)
        rows = list(db.session.scalars(_with_details(query).limit(per_list + 1)).unique())
        found[name] = IncomingList(rows[:per_list], counts[name], len(rows) > per_list)
    return found
