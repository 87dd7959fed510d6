"""Who reads a feed: its owner as the feed sees them now, through their
memberships, so that someone who leaves an organisation stops seeing its
calendar, and a feed its owner may no longer read opens nothing."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from sqlalchemy import (
    select,
)

from app.accounts.models import Membership, Organisation, User
from app.calendar import content
from app.calendar.models import CalendarFeed
from app.calendar.permissions import (
    FEED_ORGANISATION_KINDS,
)
from app.extensions import db

# The roles of a company membership whose personal feed shows the company's slots.
MANAGING_ROLES = ("contact", "administrator")


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


def coordinates_region(role: str | None, kind: str | None, status: str | None) -> bool:
    """As User.is_coordinator: a coordinator's or administrator's membership
    of an approved network."""
    return kind == "network" and status == "approved" and role in ("coordinator", "administrator")


def viewer_from(
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
    coordinator = any(coordinates_region(r.role, r.kind, r.status) for r in rows)
    return viewer_from(feed, rows[0].active, rows[0].locale, memberships, coordinator)
