from __future__ import annotations

from pydantic import BaseModel

from app.api.blueprint import bp
from app.api.spec import operation, require_user


class MembershipOut(BaseModel):
    organisation_id: int
    organisation_name: str
    organisation_kind: str
    organisation_status: str
    role: str


class MeOut(BaseModel):
    id: int
    email: str
    name: str
    locale: str
    memberships: list[MembershipOut]


@operation(
    bp, "GET", "/me", summary="The person the token belongs to", tag="accounts", response=MeOut
)
def me() -> MeOut:
    user = require_user()
    return MeOut(
        id=user.id,
        email=user.email,
        name=user.name,
        locale=user.locale or "nl",
        memberships=[
            MembershipOut(
                organisation_id=m.organisation.id,
                organisation_name=m.organisation.name,
                organisation_kind=m.organisation.kind,
                organisation_status=m.organisation.status,
                role=m.role,
            )
            for m in user.memberships
        ],
    )
