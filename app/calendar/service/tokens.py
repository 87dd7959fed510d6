"""Feed tokens, and opening a feed by its token: the one read every poll of a
calendar client makes (app/calendar/serving.py answers it before Flask)."""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache

from flask import current_app, url_for
from sqlalchemy import Integer, Text, bindparam, cast, select

from app import fast_reads
from app.accounts.models import Membership, Organisation, User
from app.calendar.models import CalendarFeed
from app.calendar.service.viewers import Viewer, coordinates_region, viewer_from
from app.extensions import db

_TOKEN_LENGTH = 40


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
_FEED = CalendarFeed.__table__
_OWNER = User.__table__
_MEMBERSHIP = Membership.__table__
_MEMBER_OF = Organisation.__table__
OPEN_FEED = (
    select(
        _FEED.c.id,
        _FEED.c.owner_id,
        _FEED.c.kind,
        _FEED.c.organisation_id,
        # The filters as text on both databases: the rows are a cache key below.
        cast(_FEED.c.filters, Text).label("filters"),
        _FEED.c.name,
        _FEED.c.token_nonce,
        _FEED.c.version,
        _FEED.c.last_modified,
        _FEED.c.revoked_at,
        _OWNER.c.active,
        _OWNER.c.locale,
        _MEMBERSHIP.c.organisation_id.label("member_of"),
        _MEMBERSHIP.c.role,
        _MEMBER_OF.c.kind.label("member_kind"),
        _MEMBER_OF.c.status.label("member_status"),
    )
    .select_from(
        _FEED.join(_OWNER, _OWNER.c.id == _FEED.c.owner_id)
        .outerjoin(_MEMBERSHIP, _MEMBERSHIP.c.user_id == _OWNER.c.id)
        .outerjoin(_MEMBER_OF, _MEMBER_OF.c.id == _MEMBERSHIP.c.organisation_id)
    )
    .where(_FEED.c.id == bindparam("id", type_=Integer))
    .order_by(_MEMBERSHIP.c.organisation_id, _MEMBERSHIP.c.role)
)


def _feed_rows(feed_id: int) -> tuple:
    rows = fast_reads.fetch_all(OPEN_FEED, {"id": feed_id}, what="calendar feed poll")
    if rows is None:
        rows = db.session.execute(OPEN_FEED, {"id": feed_id}).all()
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
    coordinator = any(coordinates_region(r[13], r[14], r[15]) for r in rows)
    viewer = viewer_from(state, bool(active), locale, memberships, coordinator)
    return expected, ((state, viewer) if viewer is not None else None)


def feed_for_token(token: str) -> CalendarFeed | None:
    """The feed row a live token opens (see open_feed), as an ORM object."""
    opened = open_feed(token)
    return db.session.get(CalendarFeed, opened[0].id) if opened is not None else None


def feed_urls(feed: CalendarFeed, base: str) -> tuple[str, str]:
    """The https link (Outlook, Google) and the webcal:// link (Apple and
    anything else that subscribes when clicked, rule 9)."""
    path = url_for("calendar.feed", token=feed_token(feed))
    https = base.rstrip("/") + path
    webcal = "webcal://" + https.split("://", 1)[1]
    return https, webcal
