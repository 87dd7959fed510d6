"""Calendar feeds: creating, rotating and revoking them, reading one by its
token, what it shows, and raising its version when that changes.

A feed's bytes are a function of the data and of its version: the window of
past and cancelled items is measured from the feed's own Last-Modified, not
from the clock, so the same version always gives the same bytes and the
ETag can be made from the version alone (INTEROP.md rule 8). Rendered
bodies are kept per worker, keyed by feed, token nonce, version and the
owner's memberships and language, so a repeated request costs one small
query and no serialising; after a change, only the events whose rows changed
are built and serialised again (content.py and ics.py memoise them).
"""

from __future__ import annotations

import gc
import hashlib
import hmac
import json
import secrets
import threading
import weakref
from collections import OrderedDict
from collections.abc import Iterable
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import (
    Boolean,
    DateTime,
    Integer,
    String,
    and_,
    case,
    column,
    or_,
    select,
    text,
    update,
)

from app import fast_reads, vocabulary
from app.accounts.models import Membership, Organisation, User
from app.bookings.models import Booking
from app.calendar import content, ics
from app.calendar.models import KINDS, CalendarFeed
from app.calendar.permissions import (
    FEED_ORGANISATION_KINDS,
    can_create_filtered_feed,
    can_subscribe_to_organisation,
)
from app.catalogue.models import Activity, Slot
from app.errors import DomainError
from app.extensions import db
from app.locales import speaking
from app.placements.models import Placement
from app.timeutil import utcnow

# The roles of a company membership whose personal feed shows the company's slots.
MANAGING_ROLES = ("contact", "administrator")
NAME_LENGTH = 100
MAX_FILTER_VALUES = 200
# Rendered feed bodies kept per worker process, in bytes.
BODY_CACHE_BYTES = 64 * 1024 * 1024
_TOKEN_LENGTH = 40


def _epoch(instant) -> int:
    return int(instant.replace(tzinfo=UTC).timestamp())


# --- tokens -------------------------------------------------------------------------------


def _mac(feed_id: int, nonce: str) -> str:
    key = current_app.config["SECRET_KEY"]
    return _mac_under(key.encode() if isinstance(key, str) else key, feed_id, nonce)


# Every poll checks a MAC; the same feed is polled again and again.
@lru_cache(maxsize=4096)
def _mac_under(key: bytes, feed_id: int, nonce: str) -> str:
    message = f"calendar-feed:{feed_id}:{nonce}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:_TOKEN_LENGTH]


def feed_token(feed: CalendarFeed) -> str:
    """`<id>-<40 hex digits>`: the id finds the row, the 160-bit MAC proves the
    link was made here for the feed's current nonce (rule 10)."""
    return f"{feed.id}-{_mac(feed.id, feed.token_nonce)}"


@dataclass(frozen=True)
class FeedState:
    """What serving a feed needs of its row, read without the ORM."""

    id: int
    owner_id: int
    kind: str
    organisation_id: int | None
    filters: dict
    name: str
    token_nonce: str
    version: int
    last_modified: int

    @property
    def last_modified_at(self):
        return datetime.fromtimestamp(self.last_modified, UTC).replace(tzinfo=None)


# A calendar client polls; every poll is this one statement (the feed, its
# owner and the owner's memberships), on the shared read engine
# (app/fast_reads.py): one round trip, no transaction, no ORM. Through the
# session it would cost a check-out with a ping, BEGIN and ROLLBACK besides,
# which on PostgreSQL was most of a 304's time.
_OPEN_FEED_SQL = (
    # The filters as text on both databases: the rows are a cache key below.
    "SELECT f.id, f.owner_id, f.kind, f.organisation_id, CAST(f.filters AS TEXT), f.name, "
    "f.token_nonce, "
    "f.version, f.last_modified, f.revoked_at, u.active, u.locale, "
    "m.organisation_id AS member_of, m.role, o.kind AS member_kind, "
    "o.status AS member_status "
    'FROM calendar_feed f JOIN "user" u ON u.id = f.owner_id '
    "LEFT JOIN membership m ON m.user_id = u.id "
    "LEFT JOIN organisation o ON o.id = m.organisation_id "
    "WHERE f.id = %(id)s ORDER BY m.organisation_id, m.role"
)
# The same through the session, when the read engine cannot answer.
_OPEN_FEED = text(_OPEN_FEED_SQL.replace("%(id)s", ":id")).columns(
    column("id", Integer),
    column("owner_id", Integer),
    column("kind", String),
    column("organisation_id", Integer),
    column("filters", String),
    column("name", String),
    column("token_nonce", String),
    column("version", Integer),
    column("last_modified", Integer),
    column("revoked_at", DateTime),
    column("active", Boolean),
    column("locale", String),
    column("member_of", Integer),
    column("role", String),
    column("member_kind", String),
    column("member_status", String),
)


def _feed_rows(feed_id: int) -> tuple:
    rows = fast_reads.fetch_all(_OPEN_FEED_SQL, {"id": feed_id}, what="calendar feed poll")
    if rows is None:
        rows = db.session.execute(_OPEN_FEED, {"id": feed_id}).all()
    return tuple(tuple(row) for row in rows)


def open_feed(token: str) -> tuple[FeedState, Viewer] | None:
    """The live feed a token opens and the owner as the feed sees them, or
    None: unknown, malformed, rotated and revoked tokens, and feeds whose
    owner may no longer read them, are all the same None. The MAC is
    compared in constant time."""
    feed_id, _sep, given = (token or "").partition("-")
    rows = ()
    if feed_id.isdigit() and len(feed_id) <= 12 and len(given) == _TOKEN_LENGTH:
        rows = _feed_rows(int(feed_id))
    if not rows:
        hmac.compare_digest(b"0" * _TOKEN_LENGTH, given.encode("utf-8", "replace"))
        return None
    key = current_app.config["SECRET_KEY"]
    expected, opened = _opened(rows, key.encode() if isinstance(key, str) else key)
    if not hmac.compare_digest(expected, given.encode("utf-8", "replace")):
        return None
    return opened


# A client polls the same feed again and again, and the rows come back the
# same until something changes: what they mean is worked out once.
@lru_cache(maxsize=4096)
def _opened(rows: tuple, key: bytes) -> tuple[bytes, tuple[FeedState, Viewer] | None]:
    """The MAC a token for these rows must carry, and what the token opens."""
    (
        id_,
        owner_id,
        kind,
        organisation_id,
        filters,
        name,
        nonce,
        version,
        last_modified,
        revoked,
        active,
        locale,
    ) = rows[0][:12]
    expected = _mac_under(key, id_, nonce).encode()
    if revoked is not None:
        return expected, None
    state = FeedState(
        id_,
        owner_id,
        kind,
        organisation_id,
        json.loads(filters or "{}") or {},
        name,
        nonce,
        version,
        last_modified,
    )
    memberships = tuple((r[12], r[13], r[14]) for r in rows if r[12] is not None)
    coordinator = any(_coordinates_region(r[13], r[14], r[15]) for r in rows)
    viewer = _viewer(state, bool(active), locale, memberships, coordinator)
    return expected, ((state, viewer) if viewer is not None else None)


def feed_for_token(token: str) -> CalendarFeed | None:
    """The feed row a live token opens (see open_feed), as an ORM object."""
    opened = open_feed(token)
    return db.session.get(CalendarFeed, opened[0].id) if opened is not None else None


def feed_urls(feed: CalendarFeed, base: str) -> tuple[str, str]:
    """The https link (Outlook, Google) and the webcal:// link (Apple and
    anything else that subscribes when clicked, rule 9)."""
    from flask import url_for

    path = url_for("calendar.feed", token=feed_token(feed))
    https = base.rstrip("/") + path
    webcal = "webcal://" + https.split("://", 1)[1]
    return https, webcal


# --- creating, rotating, revoking -------------------------------------------------------------


def _clean_filters(filters: dict | None) -> dict:
    filters = filters or {}
    unknown = set(filters) - set(content.FILTER_KEYS)
    if unknown:
        raise DomainError(_("Unknown filter."), field=sorted(unknown)[0])
    codes = {
        "regions": vocabulary.HOLIDAY_REGIONS,
        "sectors": vocabulary.SECTORS,
        "profiles": vocabulary.PROFILES,
        "kinds": content.FEED_KINDS,
    }
    clean: dict[str, list] = {}
    for key in content.FILTER_KEYS:
        values = list(dict.fromkeys(filters.get(key) or ()))
        if len(values) > MAX_FILTER_VALUES:
            raise DomainError(_("Choose fewer values."), field=key)
        if key in codes:
            if not set(values) <= set(codes[key]):
                raise DomainError(_("Choose one of the options."), field=key)
            values = [code for code in codes[key] if code in values]
        elif values:
            kind = "school" if key == "schools" else "company"
            try:
                ids = sorted({int(v) for v in values})
            except (TypeError, ValueError) as error:
                raise DomainError(_("Choose one of the options."), field=key) from error
            found = set(
                db.session.scalars(
                    select(Organisation.id).where(
                        Organisation.id.in_(ids), Organisation.kind == kind
                    )
                )
            )
            if found != set(ids):
                raise DomainError(_("Choose one of the options."), field=key)
            values = ids
        clean[key] = values
    return clean


def _default_name(kind: str, organisation: Organisation | None) -> str:
    if kind == "organisation" and organisation is not None:
        return organisation.name[:NAME_LENGTH]
    if kind == "filtered":
        return _("Techniekpoort: selection")
    return _("Techniekpoort: my calendar")


def create_feed(
    owner: User,
    *,
    kind: str,
    name: str = "",
    organisation: Organisation | None = None,
    filters: dict | None = None,
) -> CalendarFeed:
    if kind not in KINDS:
        raise DomainError(_("Choose one of the options."), field="kind")
    if kind == "organisation":
        if organisation is None:
            raise DomainError(_("Choose an organisation."), field="organisation_id")
        if not can_subscribe_to_organisation(owner, organisation):
            raise DomainError(
                _("Choose a school or company you are a member of."), field="organisation_id"
            )
    else:
        organisation = None
    if kind == "filtered":
        if not can_create_filtered_feed(owner):
            raise DomainError(_("Only coordinators make filtered calendars."), field="kind")
        filters = _clean_filters(filters)
    else:
        filters = {}
    name = (name or "").strip() or _default_name(kind, organisation)
    if len(name) > NAME_LENGTH:
        raise DomainError(_("At most %(n)d characters.", n=NAME_LENGTH), field="name")
    now = utcnow()
    feed = CalendarFeed(
        owner=owner,
        kind=kind,
        organisation=organisation,
        filters=filters,
        name=name,
        token_nonce=secrets.token_hex(16),
        version=1,
        last_modified=_epoch(now),
        created_at=now,
    )
    db.session.add(feed)
    db.session.flush()
    return feed


def rotate_feed(feed: CalendarFeed) -> CalendarFeed:
    """A new link; the old one is 404 from now on. The content stays the same."""
    if feed.is_revoked:
        raise DomainError(_("This calendar link is revoked."), code="revoked")
    feed.token_nonce = secrets.token_hex(16)
    feed.rotated_at = utcnow()
    db.session.flush()
    return feed


def revoke_feed(feed: CalendarFeed) -> CalendarFeed:
    if not feed.is_revoked:
        feed.revoked_at = utcnow()
        db.session.flush()
    return feed


def feeds_of(user: User) -> list[CalendarFeed]:
    return list(
        db.session.scalars(
            select(CalendarFeed)
            .where(CalendarFeed.owner_id == user.id, CalendarFeed.revoked_at.is_(None))
            .order_by(CalendarFeed.created_at, CalendarFeed.id)
        )
    )


def organisations_for_feeds(user: User) -> list[Organisation]:
    return [o for o in user.organisations() if o.kind in FEED_ORGANISATION_KINDS]


# --- who reads a feed ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Viewer:
    """The owner of a feed as the feed sees them now: what it shows is read
    through these memberships, so someone who leaves an organisation stops
    seeing its calendar."""

    user_id: int
    locale: str
    memberships: tuple[tuple[int, str, str], ...]  # (organisation id, role, organisation kind)
    # User.is_coordinator, read from the same rows.
    is_coordinator: bool = False

    def organisation_ids(self, kind: str, roles: Iterable[str] | None = None) -> list[int]:
        return sorted(
            {
                org
                for org, role, org_kind in self.memberships
                if org_kind == kind and (roles is None or role in roles)
            }
        )

    def fingerprint(self) -> str:
        """What, besides the version, the bytes depend on."""
        return _fingerprint(
            (
                self.locale,
                self.memberships,
                self.is_coordinator,
                content.base_url(),
                content.uid_host(),
            )
        )


@lru_cache(maxsize=4096)
def _fingerprint(seen: tuple) -> str:
    return hashlib.sha256(repr(seen).encode()).hexdigest()[:12]


def _coordinates_region(role: str | None, kind: str | None, status: str | None) -> bool:
    """As User.is_coordinator: a coordinator's or administrator's membership
    of an approved network."""
    return kind == "network" and status == "approved" and role in ("coordinator", "administrator")


def _viewer(
    feed, active: bool, locale: str | None, memberships, coordinator: bool
) -> Viewer | None:
    """None when the owner may no longer read this feed: deactivated, no
    longer a member of the feed's organisation, no longer a coordinator."""
    if not active:
        return None
    viewer = Viewer(feed.owner_id, locale or "nl", tuple(memberships), coordinator)
    if feed.kind == "organisation" and feed.organisation_id not in {
        org for org, _role, kind in viewer.memberships if kind in FEED_ORGANISATION_KINDS
    }:
        return None
    if feed.kind == "filtered" and not viewer.is_coordinator:
        return None
    return viewer


def viewer_of(feed: CalendarFeed) -> Viewer | None:
    rows = db.session.execute(
        select(
            User.active,
            User.locale,
            Membership.organisation_id,
            Membership.role,
            Organisation.kind,
            Organisation.status,
        )
        .outerjoin(Membership, Membership.user_id == User.id)
        .outerjoin(Organisation, Membership.organisation_id == Organisation.id)
        .where(User.id == feed.owner_id)
        .order_by(Membership.organisation_id, Membership.role)
    ).all()
    if not rows:
        return None
    memberships = [
        (r.organisation_id, r.role, r.kind) for r in rows if r.organisation_id is not None
    ]
    coordinator = any(_coordinates_region(r.role, r.kind, r.status) for r in rows)
    return _viewer(feed, rows[0].active, rows[0].locale, memberships, coordinator)


# --- what a feed shows --------------------------------------------------------------------------


def feed_events(feed: CalendarFeed, viewer: Viewer) -> list[ics.CalendarEvent]:
    as_of = feed.last_modified_at
    w = content.words(viewer.locale)
    links = content.Links()
    events: list[ics.CalendarEvent] = []

    def bookings(*conditions):
        rows = content.booking_rows(*conditions, as_of=as_of)
        events.extend(content.booking_event(row, w, links) for row in rows)

    def slots(view: str, *conditions):
        rows = content.slot_rows(*conditions, as_of=as_of)
        events.extend(
            content.slot_event(row, activity, found, w, links, view=view)
            for row, activity, found in rows
        )

    def placements(*conditions):
        for row, changes, holidays in content.placement_rows(*conditions, as_of=as_of):
            events.extend(content.placement_events(row, changes, holidays, w, links, as_of=as_of))

    if feed.kind == "personal":
        schools = viewer.organisation_ids("school")
        if schools:
            bookings(
                Booking.school_id.in_(schools),
                or_(Booking.teacher_id == viewer.user_id, Booking.booked_by_id == viewer.user_id),
            )
        companies = viewer.organisation_ids("company", MANAGING_ROLES)
        if companies:
            slots("company", Activity.company_id.in_(companies))
        if schools or companies:
            # The hybrid teachers at one's school, or sent by one's company.
            placements(or_(Placement.school_id.in_(schools), Placement.company_id.in_(companies)))
    elif feed.kind == "organisation":
        kind = next(k for org, _r, k in viewer.memberships if org == feed.organisation_id)
        if kind == "school":
            bookings(Booking.school_id == feed.organisation_id)
            placements(Placement.school_id == feed.organisation_id)
        else:
            slots("company", Activity.company_id == feed.organisation_id)
            placements(Placement.company_id == feed.organisation_id)
    else:
        slots("coordinator", *content.filter_conditions(feed.filters or {}))
        placements(*content.placement_filter_conditions(feed.filters or {}))
    # An override shares its series' UID; the series comes first.
    events.sort(
        key=lambda e: (
            e.starts_at,
            e.uid,
            e.recurrence_id is not None,
            e.recurrence_id or e.starts_at,
        )
    )
    return events


def _filters_text(filters: dict) -> str:
    parts = []
    words = {
        "regions": (_("Region"), vocabulary.HOLIDAY_REGIONS),
        "sectors": (_("Sector"), vocabulary.SECTORS),
        "profiles": (_("Profile"), vocabulary.PROFILES),
        "kinds": (_("Kind"), content.FEED_KINDS),
    }
    for key, (label, codes) in words.items():
        if filters.get(key):
            parts.append(f"{label}: " + ", ".join(str(codes[c]) for c in filters[key]))
    for key, label in (("schools", _("School")), ("companies", _("Company"))):
        if filters.get(key):
            names = db.session.scalars(
                select(Organisation.name)
                .where(Organisation.id.in_(filters[key]))
                .order_by(Organisation.name)
            )
            parts.append(f"{label}: " + ", ".join(content.redact(n) for n in names))
    return "; ".join(parts) or _("everything")


def feed_description(feed: CalendarFeed, viewer: Viewer) -> str:
    with speaking(viewer.locale):
        if feed.kind == "personal":
            return _("Your bookings and your company's activities in Techniekpoort.")
        if feed.kind == "organisation":
            organisation = db.session.get(Organisation, feed.organisation_id)
            template = (
                _("Bookings of %(name)s in Techniekpoort.")
                if organisation.kind == "school"
                else _("Activities of %(name)s in Techniekpoort.")
            )
            return template % {"name": content.redact(organisation.name)}
        return _("Activities in Techniekpoort: %(filters)s.") % {
            "filters": _filters_text(feed.filters or {})
        }


def feed_document(feed: CalendarFeed, viewer: Viewer) -> ics.CalendarDocument:
    return ics.CalendarDocument(
        name=feed.name,
        description=feed_description(feed, viewer),
        events=tuple(feed_events(feed, viewer)),
    )


class _BodyCache:
    """Least recently used feed bodies, bounded in bytes, shared by the
    threads of one worker."""

    def __init__(self, limit: int):
        self.limit = limit
        self.size = 0
        self.items: OrderedDict[tuple, bytes] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: tuple) -> bytes | None:
        with self.lock:
            body = self.items.get(key)
            if body is not None:
                self.items.move_to_end(key)
            return body

    def put(self, key: tuple, body: bytes) -> None:
        if len(body) > self.limit:
            return
        with self.lock:
            if key in self.items:
                return
            self.items[key] = body
            self.size += len(body)
            while self.size > self.limit:
                _key, old = self.items.popitem(last=False)
                self.size -= len(old)

    def clear(self) -> None:
        with self.lock:
            self.items.clear()
            self.size = 0


body_cache = _BodyCache(BODY_CACHE_BYTES)


def feed_etag(feed: CalendarFeed, viewer: Viewer) -> str:
    """Strong: equal ETags mean identical bytes."""
    return f"{feed.version}.{viewer.fingerprint()}"


@contextmanager
def _without_cycle_collection():
    """Rendering a large feed makes hundreds of thousands of small objects
    (rows, events, strings) and no reference cycles; the cyclic garbage
    collector, set off by the allocations alone, then took a third of the
    time going through every object of the process. Reference counting
    still frees everything; the collector resumes afterwards."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def feed_body(feed: CalendarFeed, viewer: Viewer) -> bytes:
    key = (feed.id, feed.token_nonce, feed.version, viewer.fingerprint())
    body = body_cache.get(key)
    if body is None:
        with _without_cycle_collection():
            body = ics.serialize(feed_document(feed, viewer))
        body_cache.put(key, body)
    return body


# --- single downloads and mail attachments ---------------------------------------------------


def _contact_line(user: User | None) -> str:
    if user is None:
        return ""
    details = ", ".join(part for part in (user.name, user.email, user.phone) if part)
    return _("Contact: %(details)s", details=details)


def booking_ics(booking: Booking, reader: User) -> bytes:
    """One booking as .ics for a party of it (the "add to calendar" download,
    and the attachment of booking mails): with the other party's contact
    person, which a feed never carries."""
    row = content.booking_rows(Booking.id == booking.id, as_of=None)[0]
    members = {m.organisation_id for m in reader.memberships}
    side = (
        "company"
        if (booking.slot.activity.company_id in members and booking.school_id not in members)
        else "school"
    )
    locale = reader.locale or "nl"
    with speaking(locale):
        other = booking.slot.activity.contact if side == "school" else booking.teacher
        contact = _contact_line(other)
        name = _("Techniekpoort booking")
    event = content.booking_event(
        row, content.words(locale), content.Links(), side=side, redacted=False, contact=contact
    )
    return ics.serialize_events([event], name=name)


def slot_ics(slot: Slot, reader: User | None, *, view: str) -> bytes:
    """One slot as .ics; `view` "company" or "coordinator" lists its groups."""
    rows = content.slot_rows(Slot.id == slot.id, as_of=None, visible_only=False)
    row, activity, found = rows[0]
    locale = getattr(reader, "locale", None) or "nl"
    with speaking(locale):
        name = _("Techniekpoort activity")
    event = content.slot_event(
        row, activity, found, content.words(locale), content.Links(), view=view
    )
    return ics.serialize_events([event], name=name)


# --- versions ----------------------------------------------------------------------------------

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
    now = _epoch(utcnow())
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
