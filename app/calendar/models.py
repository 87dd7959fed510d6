from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import Organisation, User
from app.extensions import db
from app.timeutil import utcnow

KINDS = ("personal", "organisation", "filtered")


class CalendarFeed(db.Model):
    """A subscribable calendar (GET /calendar/<token>.ics).

    The token is not stored: it is an HMAC of the feed's id and `token_nonce`
    under the secret key (calendar.service.feed_token), checked with
    hmac.compare_digest. The page can show the link again at any time, a leaked
    database alone opens no feed, and rotating draws a new nonce, after which
    the old link is 404.

    `version` rises with every change of what the feed shows (the event
    handlers in app/reactions/calendar_feeds.py); the ETag is made from
    it. `last_modified` is whole seconds since the epoch (UTC): HTTP dates
    have that resolution, and an integer lets one UPDATE move it forward by at
    least a second (`CASE WHEN last_modified >= :now THEN last_modified + 1`)
    on SQLite and PostgreSQL alike, so it never moves backwards and two
    versions never share a Last-Modified (Apple revalidates by date only)."""

    __tablename__ = "calendar_feed"

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(12))
    # The school or company of an organisation feed.
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    # A coordinator's filters: {"regions": [...], "sectors": [...], "profiles": [...],
    # "kinds": [...], "schools": [ids], "companies": [ids]}; an empty list means any.
    filters: Mapped[dict] = mapped_column(JSON, default=dict)
    name: Mapped[str] = mapped_column(String(100))
    token_nonce: Mapped[str] = mapped_column(String(32))
    version: Mapped[int] = mapped_column(default=1)
    last_modified: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    rotated_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    owner: Mapped[User] = relationship()
    organisation: Mapped[Organisation | None] = relationship()

    __table_args__ = (
        CheckConstraint("kind IN ('personal', 'organisation', 'filtered')", name="kind"),
        CheckConstraint(
            "(kind = 'organisation') = (organisation_id IS NOT NULL)", name="organisation_feed"
        ),
        CheckConstraint("version > 0", name="version_positive"),
        Index("ix_calendar_feed_kind_revoked", "kind", "revoked_at"),
    )

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def last_modified_at(self) -> datetime:
        """As a naive UTC datetime, like every other instant in the database."""
        return datetime.fromtimestamp(self.last_modified, UTC).replace(tzinfo=None)

    def __repr__(self) -> str:
        return f"<CalendarFeed {self.id} {self.kind} v{self.version}>"
