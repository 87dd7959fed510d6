"""Creating, rotating and revoking feeds, and listing a person's feeds."""

from __future__ import annotations

import secrets

from flask_babel import gettext as _
from sqlalchemy import (
    select,
)

from app import vocabulary
from app.accounts.models import Organisation, User
from app.calendar import content
from app.calendar.models import KINDS, CalendarFeed
from app.calendar.permissions import (
    FEED_ORGANISATION_KINDS,
    can_create_filtered_feed,
    can_subscribe_to_organisation,
)
from app.errors import DomainError
from app.extensions import db
from app.timeutil import epoch_seconds, utcnow

NAME_LENGTH = 100


MAX_FILTER_VALUES = 200


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
        last_modified=epoch_seconds(now),
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
