"""Operations on organisations, people, memberships and tokens.

Services check the rules, change rows, flush and emit events. They never commit,
send mail or render: the caller commits, and the event handlers queue the mails.

Kept as one module: organisations, memberships, invitations and tokens are
one lifecycle of who may act for whom, and their steps share the same checks
(approval, the last administrator, roles per kind).
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from functools import lru_cache

from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from app import throttle
from app.accounts import permissions
from app.accounts.models import (
    ApiToken,
    Invitation,
    Membership,
    Organisation,
    PasswordReset,
    User,
    hash_token,
    new_token,
)
from app.accounts.sessions import end_other_sessions
from app.accounts.validation import check_password_strength, normalise_email
from app.errors import Conflict, DomainError, Forbidden, Gone
from app.events import emit
from app.events.types import (
    MemberInvited,
    MemberJoined,
    MemberLeft,
    MemberRoleChanged,
    OrganisationApproved,
    OrganisationRegistered,
    OrganisationUpdated,
    PasswordChanged,
    PasswordResetRequested,
    SignUpWithKnownAddress,
)
from app.extensions import db
from app.timeutil import utcnow
from app.vocabulary import ROLES_BY_KIND


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == email.strip().lower()))


def _ensure_email_free(email: str) -> None:
    if find_user_by_email(email):
        raise Conflict(_("There is already an account with this e-mail address."), field="email")


def _check_role(organisation: Organisation, role: str) -> None:
    if role not in ROLES_BY_KIND[organisation.kind]:
        raise DomainError(_("This role does not exist in this kind of organisation."), field="role")


def create_user(email: str, name: str, password: str, *, locale: str | None = None) -> User:
    email = normalise_email(email)
    _ensure_email_free(email)
    check_password_strength(password)
    user = User(email=email, name=name.strip(), locale=locale)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    return user


def add_membership(user: User, organisation: Organisation, role: str, actor=None) -> Membership:
    _check_role(organisation, role)
    existing = db.session.scalar(
        select(Membership).where(
            Membership.user_id == user.id, Membership.organisation_id == organisation.id
        )
    )
    if existing:
        existing.role = role
        db.session.flush()
        return existing
    membership = Membership(user=user, organisation=organisation, role=role)
    db.session.add(membership)
    db.session.flush()
    emit(MemberJoined(organisation_id=organisation.id, user_id=user.id, role=role), actor)
    return membership


def _unique_identifiers_free(organisation: Organisation) -> None:
    clashes = select(Organisation.id).where(Organisation.id != (organisation.id or 0))
    with db.session.no_autoflush:  # an edited row must not be written before the check
        kvk_taken = organisation.kvk and db.session.scalar(
            clashes.where(Organisation.kvk == organisation.kvk)
        )
        brin_taken = organisation.brin and db.session.scalar(
            clashes.where(
                Organisation.brin == organisation.brin,
                Organisation.location_number == organisation.location_number,
            )
        )
    if kvk_taken:
        raise Conflict(
            _("An organisation with this KvK number is already registered."), field="kvk"
        )
    if brin_taken:
        raise Conflict(
            _("A school location with this BRIN code and number is already registered."),
            field="brin",
        )


def register_organisation(
    organisation: Organisation, *, contact_email: str, contact_name: str, password: str
) -> tuple[Organisation, User]:
    """A school or company signs itself up with a first contact. It stays
    pending until a coordinator approves it: it can edit its profile and wait,
    nothing else. The approval makes the first contact its administrator."""
    if organisation.kind not in ("school", "company"):
        raise DomainError(_("Only schools and companies can sign up."), field="kind")
    _unique_identifiers_free(organisation)
    organisation.status = "pending"
    db.session.add(organisation)
    db.session.flush()
    user = create_user(contact_email, contact_name, password)
    role = "teacher" if organisation.kind == "school" else "contact"
    emit(
        OrganisationRegistered(
            organisation_id=organisation.id, kind=organisation.kind, name=organisation.name
        ),
        user,
    )
    add_membership(user, organisation, role, actor=user)
    return organisation, user


def sign_up(
    organisation: Organisation, *, contact_email: str, contact_name: str, password: str
) -> User | None:
    """Sign-up as the public form does it: the new contact, or None when the
    address has an account already. Then nothing is created and the owner of
    the address is told by mail; the caller answers exactly as for a new
    sign-up, so the form does not reveal who has an account. The password is
    hashed either way, so both answers take as long."""
    if organisation.kind not in ("school", "company"):
        raise DomainError(_("Only schools and companies can sign up."), field="kind")
    _unique_identifiers_free(organisation)
    check_password_strength(password)
    known = find_user_by_email(normalise_email(contact_email))
    if known is None:
        return register_organisation(
            organisation, contact_email=contact_email, contact_name=contact_name, password=password
        )[1]
    generate_password_hash(password)
    emit(SignUpWithKnownAddress(user_id=known.id, organisation_name=organisation.name), None)
    return None


def create_organisation(organisation: Organisation, actor=None) -> Organisation:
    """An organisation created by a coordinator or administrator: approved at once."""
    _unique_identifiers_free(organisation)
    organisation.status = "approved"
    organisation.approved_at = utcnow()
    db.session.add(organisation)
    db.session.flush()
    return organisation


def update_organisation(organisation: Organisation, actor) -> Organisation:
    """Its administrator (or, while it waits for approval, whoever signed it
    up) changed the organisation's details."""
    if not permissions.can_edit_organisation(actor, organisation):
        raise Forbidden(
            _("Only an administrator of %(name)s changes its details.", name=organisation.name)
        )
    _unique_identifiers_free(organisation)
    db.session.flush()
    emit(OrganisationUpdated(organisation_id=organisation.id, kind=organisation.kind), actor)
    return organisation


def approve_organisation(organisation: Organisation, actor) -> None:
    """The coordinator vouches for the organisation and for the person who
    signed it up (its first member), who becomes its first administrator."""
    if organisation.status == "approved":
        return
    organisation.status = "approved"
    organisation.approved_at = utcnow()
    first = first_administrator_on_approval(organisation)
    if first is not None:
        first.role = "administrator"
    db.session.flush()
    emit(
        OrganisationApproved(
            organisation_id=organisation.id,
            name=organisation.name,
            administrator_id=first.user_id if first else None,
        ),
        actor,
    )


def first_administrator_on_approval(organisation: Organisation) -> Membership | None:
    """The membership an approval makes administrator: the earliest one, when
    the organisation has no administrator yet (a pending organisation cannot
    invite, so its only member is whoever signed it up)."""
    if permissions.has_administrator(organisation) or not organisation.memberships:
        return None
    return min(organisation.memberships, key=lambda m: (m.created_at, m.id))


def pending_organisations() -> list[Organisation]:
    return list(
        db.session.scalars(
            select(Organisation)
            .where(Organisation.status == "pending")
            .order_by(Organisation.created_at)
        )
    )


# --- invitations ---------------------------------------------------------------


def invite_member(
    organisation: Organisation, email: str, role: str, actor, *, name: str = ""
) -> Invitation:
    """`actor` invites with a role they may give (accounts.permissions.roles_to_invite);
    None is the command line, which may do anything."""
    email = normalise_email(email)
    _check_role(organisation, role)
    if actor is not None and not permissions.can_invite_to(actor, organisation, role):
        if not organisation.is_approved:
            raise Forbidden(
                _(
                    "%(name)s can invite people once a coordinator has approved it.",
                    name=organisation.name,
                ),
                code="not_approved",
            )
        raise Forbidden(
            _("You cannot invite someone to %(name)s with this role.", name=organisation.name),
            field="role",
        )
    existing = find_user_by_email(email)
    if existing and any(m.organisation_id == organisation.id for m in existing.memberships):
        raise Conflict(_("This person is already a member."), field="email")
    days = current_app.config["INVITATION_DAYS"]
    invitation = Invitation(
        organisation=organisation,
        email=email,
        name=name.strip(),
        role=role,
        invited_by_id=getattr(actor, "id", None),
        expires_at=utcnow() + timedelta(days=days),
    )
    db.session.add(invitation)
    db.session.flush()
    emit(
        MemberInvited(
            organisation_id=organisation.id, invitation_id=invitation.id, email=email, role=role
        ),
        actor,
    )
    return invitation


def _administrators(organisation: Organisation) -> list[Membership]:
    return [m for m in organisation.memberships if m.role == "administrator"]


def change_member_role(membership: Membership, role: str, actor) -> None:
    """An administrator gives a colleague another role of the organisation's kind."""
    organisation = membership.organisation
    if not permissions.can_manage_members(actor, organisation):
        raise Forbidden(
            _("Only an administrator of %(name)s changes roles.", name=organisation.name)
        )
    _check_role(organisation, role)
    previous = membership.role
    if role == previous:
        return
    if previous == "administrator" and len(_administrators(organisation)) == 1:
        raise DomainError(
            _(
                "%(name)s keeps at least one administrator: make someone else administrator first.",
                name=organisation.name,
            ),
            field="role",
        )
    membership.role = role
    db.session.flush()
    emit(
        MemberRoleChanged(
            organisation_id=organisation.id,
            user_id=membership.user_id,
            role=role,
            previous=previous,
        ),
        actor,
    )


def remove_membership(membership: Membership, actor) -> None:
    """Someone leaves an organisation, or its administrator takes them off. The
    last administrator stays while others remain, so that someone can still
    manage the organisation."""
    organisation = membership.organisation
    if not permissions.can_remove_membership(actor, membership):
        raise Forbidden(
            _("Only an administrator of %(name)s takes people off.", name=organisation.name)
        )
    others = [m for m in organisation.memberships if m.id != membership.id]
    if (
        membership.role == "administrator"
        and others
        and not any(m.role == "administrator" for m in others)
    ):
        raise DomainError(
            _(
                "%(name)s keeps at least one administrator: make someone else administrator first.",
                name=organisation.name,
            )
        )
    user, role = membership.user, membership.role
    db.session.delete(membership)
    db.session.flush()
    db.session.expire(organisation, ["memberships"])
    db.session.expire(user, ["memberships"])
    user_id = user.id
    emit(MemberLeft(organisation_id=organisation.id, user_id=user_id, role=role), actor)


def _serializer(model) -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=model.__tablename__)


def link_token(link: Invitation | PasswordReset) -> str:
    """The secret part of a one-time link's URL: the row id, signed."""
    return _serializer(type(link)).dumps(link.id)


def _load_link(model, raw_token: str):
    try:
        link_id = _serializer(model).loads(raw_token or "")
    except BadSignature:
        link_id = None
    link = db.session.get(model, link_id) if isinstance(link_id, int) else None
    if link is None:
        raise Gone(_("This link is not valid. Ask for a new one."), code="invalid_link")
    if link.used_at is not None:
        raise Gone(_("This link has already been used. Ask for a new one."), code="used_link")
    if link.is_expired:
        raise Gone(_("This link has expired. Ask for a new one."), code="expired_link")
    return link


def load_invitation(raw_token: str) -> Invitation:
    return _load_link(Invitation, raw_token)


def accept_invitation(raw_token: str, *, name: str, password: str | None) -> User:
    """The invitee follows the link. Someone new sets a name and password; someone
    with an account already just gains the membership."""
    invitation = _load_link(Invitation, raw_token)
    user = find_user_by_email(invitation.email)
    if user is None:
        if not password:
            raise DomainError(_("Choose a password."), field="password")
        user = create_user(invitation.email, name or invitation.name, password)
        emit(PasswordChanged(user_id=user.id), user)
    invitation.used_at = utcnow()
    add_membership(user, invitation.organisation, invitation.role, actor=user)
    return user


# --- passwords -----------------------------------------------------------------


def request_password_reset(email: str) -> PasswordReset | None:
    """Makes a reset link when the address belongs to an account. The caller tells
    the person the same thing either way, so the form does not reveal accounts."""
    try:
        email = normalise_email(email)
    except ValueError:
        return None
    user = find_user_by_email(email)
    if user is None or not user.active:
        return None
    reset = PasswordReset(
        user=user,
        expires_at=utcnow() + timedelta(hours=current_app.config["PASSWORD_RESET_HOURS"]),
    )
    db.session.add(reset)
    db.session.flush()
    emit(PasswordResetRequested(user_id=user.id, reset_id=reset.id), user)
    return reset


def load_password_reset(raw_token: str) -> PasswordReset:
    return _load_link(PasswordReset, raw_token)


def reset_password(raw_token: str, password: str, remote_addr: str | None = None) -> User:
    """A new password from a reset link: every sign-in of the person ends, and
    the sign-in limits of the account are lifted (nobody can keep a person
    out of their own account by failing to sign in as them)."""
    reset = _load_link(PasswordReset, raw_token)
    check_password_strength(password)
    # Before the session writes: SQLite has one writer (app/throttle/storage.py).
    throttle.clear(*_sign_in_counters(reset.user.email, remote_addr))
    change_password(reset.user, password, keep_session=None)
    # Every other open link of this person stops working too.
    now = utcnow()
    for other in db.session.scalars(
        select(PasswordReset).where(
            PasswordReset.user_id == reset.user_id, PasswordReset.used_at.is_(None)
        )
    ):
        other.used_at = now
    db.session.flush()
    return reset.user


def change_password(user: User, password: str, *, keep_session: str | None) -> None:
    """A new password ends every sign-in of the person but `keep_session` (the
    browser that changed it), remember-me cookies included."""
    check_password_strength(password)
    user.set_password(password)
    end_other_sessions(user, keep=keep_session)
    db.session.flush()
    emit(PasswordChanged(user_id=user.id), user)


# --- signing in ------------------------------------------------------------------


def _sign_in_counters(email: str, remote_addr: str | None) -> tuple[throttle.Counter, ...]:
    """Failed sign-ins count for this account from this address (the limit
    that stops a guesser), for the address (one address trying many
    accounts), and for the account from anywhere (guessing spread over many
    addresses: a generous ceiling that a password reset lifts)."""
    account = throttle.account_of(email)
    address = "addr:" + throttle.address_of(remote_addr)
    return (
        throttle.Counter("login_pair", f"{account}|{address}"),
        throttle.Counter("login_address", address),
        throttle.Counter("login_account", account),
    )


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return generate_password_hash(secrets.token_urlsafe(16))


def authenticate(email: str, password: str, remote_addr: str | None = None) -> User | None:
    """The user for these credentials, or None. Every attempt counts against the
    limits first (one atomic statement each, so parallel guesses cannot slip
    past), and a successful one is taken back; past a limit the attempt is
    refused with RateLimited, also with the right password, so guessing gains
    nothing. An unknown address costs one password hash like a known one."""
    counters = _sign_in_counters(email or "", remote_addr)
    throttle.hit(*counters)
    user = find_user_by_email(email or "")
    stored = user.password_hash if user is not None and user.password_hash else _dummy_hash()
    matches = check_password_hash(stored, password or "")
    if user is not None and user.password_hash and matches and user.active:
        throttle.refund(*counters)
        return user
    return None


# --- API tokens ----------------------------------------------------------------------


def create_api_token(user: User, name: str) -> tuple[ApiToken, str]:
    raw = "tp_" + new_token()
    token = ApiToken(
        user=user, name=name.strip() or "API", token_hash=hash_token(raw), prefix=raw[:8]
    )
    db.session.add(token)
    db.session.flush()
    return token, raw


def revoke_api_token(token: ApiToken) -> None:
    token.revoked_at = token.revoked_at or utcnow()
    db.session.flush()


# "Last used" is shown to the person, not used for security: a minute's
# precision spares every API call a write.
LAST_USED_PRECISION = timedelta(minutes=1)


def user_for_api_token(raw: str) -> tuple[User | None, bool]:
    """The token's user, and whether its "last used" moment changed (the caller
    commits that on its own, since read-only requests never commit)."""
    token = db.session.scalar(
        select(ApiToken).where(
            ApiToken.token_hash == hash_token(raw), ApiToken.revoked_at.is_(None)
        )
    )
    if token is None or not token.user.active:
        return None, False
    now = utcnow()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_PRECISION:
        token.last_used_at = now
        return token.user, True
    return token.user, False


def coordinators() -> list[User]:
    """Who hears about the region's business (sign-ups, candidates, the weekly
    digest): the coordinators of an approved network. A coordinator role
    exists nowhere else, and the network's administrators manage accounts."""
    return list(
        db.session.scalars(
            select(User)
            .join(Membership, Membership.user_id == User.id)
            .join(Organisation, Organisation.id == Membership.organisation_id)
            .where(
                Membership.role == "coordinator",
                Organisation.status == "approved",
                User.active.is_(True),
            )
            .distinct()
            .order_by(User.id)
        )
    )
