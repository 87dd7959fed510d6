from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app import vocabulary
from app.db_types import FlagSet
from app.extensions import db
from app.timeutil import utcnow


def hash_token(raw: str) -> str:
    """Tokens are stored as SHA-256: they are long random strings, so a slow hash
    adds nothing, and a leaked database reveals no usable token."""
    return hashlib.sha256(raw.encode()).hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(32)


class Organisation(db.Model):
    __tablename__ = "organisation"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16), default="pending")
    address: Mapped[str] = mapped_column(String(200), default="")
    postcode: Mapped[str] = mapped_column(String(7), default="")
    city: Mapped[str] = mapped_column(String(100), default="")
    latitude: Mapped[float | None]
    longitude: Mapped[float | None]
    holiday_region: Mapped[str] = mapped_column(String(8), default="noord")
    brin: Mapped[str | None] = mapped_column(String(4))
    location_number: Mapped[str | None] = mapped_column(String(2))
    kvk: Mapped[str | None] = mapped_column(String(8))
    website: Mapped[str] = mapped_column(String(200), default="")
    phone: Mapped[str] = mapped_column(String(32), default="")
    sectors: Mapped[frozenset[str]] = mapped_column(FlagSet(vocabulary.SECTORS), default=frozenset)
    profiles: Mapped[frozenset[str]] = mapped_column(
        FlagSet(vocabulary.PROFILES), default=frozenset
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    approved_at: Mapped[datetime | None]

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="organisation", cascade="all, delete-orphan"
    )

    __table_args__ = (
        CheckConstraint("kind IN ('school', 'company', 'network')", name="kind"),
        CheckConstraint("status IN ('pending', 'approved', 'rejected')", name="status"),
        UniqueConstraint("brin", "location_number", name="uq_organisation_brin_location"),
        UniqueConstraint("kvk", name="uq_organisation_kvk"),
        # What memberships refer to: their role must fit the organisation's kind.
        # An index rather than a constraint: SQLite adds it without rebuilding
        # the table (a rebuild would cascade to every membership).
        Index("uq_organisation_id_kind", "id", "kind", unique=True),
    )

    @property
    def is_approved(self) -> bool:
        return self.status == "approved"

    @property
    def kind_label(self) -> str:
        return str(vocabulary.ORGANISATION_KINDS[self.kind])

    def __repr__(self) -> str:
        return f"<Organisation {self.id} {self.kind} {self.name!r}>"


class User(UserMixin, db.Model):
    __tablename__ = "user"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(256), default="")
    phone: Mapped[str] = mapped_column(String(32), default="")
    # The language the person chose; None until they choose (then pages follow
    # their browser, and mails are Dutch).
    locale: Mapped[str | None] = mapped_column(String(5), default=None)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The last sign-in or API call (to a day), the moment the retention job
    # warned about inactivity, and the moment the account was deleted: see
    # app/privacy/retention.py.
    last_seen_at: Mapped[datetime | None]
    inactivity_warned_at: Mapped[datetime | None]
    deleted_at: Mapped[datetime | None]

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="user", cascade="all, delete-orphan", order_by="Membership.id"
    )

    # The key of the sign-in this object was loaded for (app/accounts/sessions.py);
    # not a column.
    session_key = None

    @property
    def is_active(self) -> bool:  # Flask-Login: deactivated people cannot sign in
        return self.active

    # Flask-Login's UserMixin compares people by get_id(), which is a session
    # key here: compare them by their id, as before.
    def __eq__(self, other) -> bool:
        if isinstance(other, User):
            return self is other or (self.id is not None and self.id == other.id)
        return NotImplemented

    def __ne__(self, other) -> bool:
        equal = self.__eq__(other)
        return equal if equal is NotImplemented else not equal

    __hash__ = object.__hash__

    def get_id(self) -> str:
        """Flask-Login keeps this in the cookies: the session's random key, so
        that ending the session row ends what any copy of a cookie can do."""
        if not self.session_key:
            raise RuntimeError("sign people in with accounts.sessions.sign_in, not login_user")
        return self.session_key

    def set_password(self, password: str) -> None:
        from werkzeug.security import generate_password_hash

        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        from werkzeug.security import check_password_hash

        return bool(self.password_hash) and check_password_hash(self.password_hash, password)

    def organisations(self) -> list[Organisation]:
        return [m.organisation for m in self.memberships]

    def role_in(self, organisation: Organisation) -> str | None:
        """This person's role in one organisation, or None. Every role check
        names the organisation it is about (app/accounts/permissions.py)."""
        return next(
            (m.role for m in self.memberships if m.organisation_id == organisation.id), None
        )

    @property
    def is_coordinator(self) -> bool:
        """Region-wide power: a coordinator's or an administrator's membership
        of an approved network, the coordinator organisation. A role in a
        school or a company, administrator included, gives none."""
        return any(
            m.organisation.kind == "network"
            and m.organisation.is_approved
            and m.role in ("coordinator", "administrator")
            for m in self.memberships
        )

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email}>"


# vocabulary.ROLES_BY_KIND as a CHECK: the roles each kind of organisation has.
ROLE_FITS_KIND = " OR ".join(
    f"(organisation_kind = '{kind}' AND role IN ({', '.join(repr(r) for r in roles)}))"
    for kind, roles in vocabulary.ROLES_BY_KIND.items()
)


class Membership(db.Model):
    """A person's role in one organisation; a person may have several."""

    __tablename__ = "membership"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    organisation_id: Mapped[int] = mapped_column(index=True)
    # The organisation's kind, kept beside its id by the foreign key below, so
    # that the database itself refuses a role the kind does not have (a
    # coordinator of a school, a teacher of a company).
    organisation_kind: Mapped[str] = mapped_column(String(16))
    role: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship(back_populates="memberships")
    # Joined: nearly every use of a membership asks about its organisation.
    organisation: Mapped[Organisation] = relationship(back_populates="memberships", lazy="joined")

    __table_args__ = (
        UniqueConstraint("user_id", "organisation_id", name="uq_membership_user_organisation"),
        ForeignKeyConstraint(
            ["organisation_id", "organisation_kind"],
            ["organisation.id", "organisation.kind"],
            name="fk_membership_organisation_id_kind_organisation",
            ondelete="CASCADE",
            onupdate="CASCADE",
        ),
        CheckConstraint(ROLE_FITS_KIND, name="role"),
    )

    @property
    def role_label(self) -> str:
        return str(vocabulary.ROLES[self.role])


class ApiToken(db.Model):
    """A personal bearer token for the JSON API; shown once, stored hashed."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # The first characters, so people can tell their tokens apart.
    prefix: Mapped[str] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()


class OneTimeLinkMixin:
    """A link sent by mail that works once and until it expires.

    The link carries the row id signed with the secret key (see
    accounts.service.link_token), so a mail can be composed from the row at any
    time and nothing secret is stored."""

    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]

    @property
    def is_expired(self) -> bool:
        return utcnow() >= self.expires_at


class Invitation(OneTimeLinkMixin, db.Model):
    __tablename__ = "invitation"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    email: Mapped[str] = mapped_column(String(254))
    name: Mapped[str] = mapped_column(String(200), default="")
    role: Mapped[str] = mapped_column(String(16))
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    organisation: Mapped[Organisation] = relationship()
    invited_by: Mapped[User | None] = relationship()


class PasswordReset(OneTimeLinkMixin, db.Model):
    __tablename__ = "password_reset"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)

    user: Mapped[User] = relationship()


class UserSession(db.Model):
    """One signed-in browser. Its random key, not the person's id, is what the
    session and remember-me cookies carry (Flask-Login's get_id); stored as a
    SHA-256 like every token. Deleting the row ends that sign-in for good,
    also for a copied cookie (app/accounts/sessions.py)."""

    __tablename__ = "user_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    remember: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(index=True)
