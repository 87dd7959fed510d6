"""Domain event types.

Each event is a small frozen dataclass named in the past tense. `subject` names
the field whose value identifies the thing the event is about; the event log
indexes it so a thing's history is one query. This module imports nothing from
the domain packages, so every package can depend on it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import ClassVar


@dataclass(frozen=True)
class Event:
    subject: ClassVar[str]

    @classmethod
    def event_name(cls) -> str:
        return cls.__name__

    @property
    def subject_type(self) -> str:
        return self.subject.removesuffix("_id")

    @property
    def subject_id(self) -> int:
        return getattr(self, self.subject)

    def payload(self) -> dict:
        return asdict(self)


# --- organisations and people ------------------------------------------------


@dataclass(frozen=True)
class OrganisationRegistered(Event):
    """A school or company signed up. Fields: organisation_id, kind, name."""

    subject: ClassVar[str] = "organisation_id"
    organisation_id: int
    kind: str
    name: str


@dataclass(frozen=True)
class OrganisationApproved(Event):
    """A coordinator approved an organisation. Fields: organisation_id, name."""

    subject: ClassVar[str] = "organisation_id"
    organisation_id: int
    name: str


@dataclass(frozen=True)
class MemberInvited(Event):
    """Someone was invited to an organisation.

    Fields: invitation_id, organisation_id, email, role."""

    subject: ClassVar[str] = "organisation_id"
    organisation_id: int
    invitation_id: int
    email: str
    role: str


@dataclass(frozen=True)
class MemberJoined(Event):
    """A person became a member. Fields: organisation_id, user_id, role."""

    subject: ClassVar[str] = "organisation_id"
    organisation_id: int
    user_id: int
    role: str


@dataclass(frozen=True)
class PasswordResetRequested(Event):
    """Someone asked for a reset link. Fields: user_id, reset_id."""

    subject: ClassVar[str] = "user_id"
    user_id: int
    reset_id: int


@dataclass(frozen=True)
class PasswordChanged(Event):
    """A person set a new password (reset link, invitation or settings). Fields: user_id."""

    subject: ClassVar[str] = "user_id"
    user_id: int
