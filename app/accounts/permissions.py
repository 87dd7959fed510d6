"""Who may do what with organisations and people. Predicates read as sentences.

Every role is a role in one organisation, and every check names the
organisation it is about: the one that owns the object or the page. Roles fit
the organisation's kind (the database refuses others): a school has teachers,
a company contacts, the network coordinators, and each may have
administrators, who can do whatever its other members do and besides manage
its people and its profile.

Region-wide power (the mail queue, approving organisations, the region's
figures) belongs to the coordinator organisation: `User.is_coordinator` is a
coordinator's or administrator's membership of an approved network. Being an
administrator of a school or a company gives none of it.

An organisation that no coordinator has approved can edit its own profile and
wait: only an approved organisation's members act beyond it (`acts_for`), so
the domains' predicates that reach outside an organisation ask for it.
Why: docs/decisions/0008-roles-belong-to-an-organisation.md.
"""

from __future__ import annotations

from app.accounts.models import Membership, Organisation, User
from app.vocabulary import ROLES_BY_KIND


def membership_in(user: User, organisation: Organisation) -> Membership | None:
    return next((m for m in user.memberships if m.organisation_id == organisation.id), None)


def is_member_of(user: User, organisation: Organisation) -> bool:
    """Any role, approved or not: enough for what stays inside the organisation."""
    return membership_in(user, organisation) is not None


def is_administrator_of(user: User, organisation: Organisation) -> bool:
    return user.role_in(organisation) == "administrator"


def acts_for(user: User, organisation: Organisation) -> bool:
    """A member of an approved organisation: may book, publish, invite,
    propose and read what other organisations share."""
    return organisation.is_approved and is_member_of(user, organisation)


def organisations_acted_for(user: User, kind: str) -> list[Organisation]:
    """The approved organisations of one kind this person belongs to."""
    return [o for o in user.organisations() if o.kind == kind and o.is_approved]


def can_view_organisation(user: User, organisation: Organisation) -> bool:
    return user.is_coordinator or is_member_of(user, organisation)


def can_edit_organisation(user: User, organisation: Organisation) -> bool:
    """Its administrators; while it waits for approval, whoever signed it up
    (it has no administrator yet)."""
    if is_administrator_of(user, organisation):
        return True
    return organisation.status == "pending" and is_member_of(user, organisation)


def has_administrator(organisation: Organisation) -> bool:
    return any(m.role == "administrator" for m in organisation.memberships)


def roles_to_invite(user: User, organisation: Organisation) -> list[str]:
    """The roles this person may invite someone to, in the kind's order.

    Colleagues invite colleagues with their own role; only an administrator
    makes administrators (and invites every role). A coordinator invites the
    first administrator of an approved organisation that has none (one added
    by a coordinator, or one whose administrator left). Nobody invites to an
    organisation that is not approved."""
    if not organisation.is_approved:
        return []
    role = user.role_in(organisation)
    if role == "administrator":
        return list(ROLES_BY_KIND[organisation.kind])
    if role is not None:
        return [role]
    if user.is_coordinator and not has_administrator(organisation):
        return ["administrator"]
    return []


def can_invite_to(user: User, organisation: Organisation, role: str | None = None) -> bool:
    roles = roles_to_invite(user, organisation)
    return bool(roles) if role is None else role in roles


def can_manage_members(user: User, organisation: Organisation) -> bool:
    """Change a colleague's role or take them off: the administrators."""
    return organisation.is_approved and is_administrator_of(user, organisation)


def can_remove_membership(user: User, membership: Membership) -> bool:
    """An administrator takes someone off; anyone may leave by themselves."""
    return membership.user_id == user.id or can_manage_members(user, membership.organisation)


def can_approve(user: User, organisation: Organisation) -> bool:
    return user.is_coordinator and organisation.status == "pending"


def can_manage_organisations(user: User) -> bool:
    return user.is_coordinator
