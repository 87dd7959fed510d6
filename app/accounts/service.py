"""Operations on organisations, people, memberships and tokens.

Services check the rules, change rows, flush and emit events. They never commit,
send mail or render: the caller commits, and the event handlers queue the mails.
"""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import delete, func, select

from app.accounts.models import (
    ApiToken,
    Invitation,
    LoginAttempt,
    Membership,
    Organisation,
    PasswordReset,
    User,
    hash_token,
    new_token,
)
from app.accounts.validation import check_password_strength, normalise_email
from app.errors import Conflict, DomainError, Gone
from app.events import emit
from app.events.types import (
    MemberInvited,
    MemberJoined,
    OrganisationApproved,
    OrganisationRegistered,
    PasswordChanged,
    PasswordResetRequested,
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
    if organisation.kvk and db.session.scalar(clashes.where(Organisation.kvk == organisation.kvk)):
        raise Conflict(_("An organisation with this KvK number is already registered."), field="kvk")
    if organisation.brin and db.session.scalar(
        clashes.where(
            Organisation.brin == organisation.brin,
            Organisation.location_number == organisation.location_number,
        )
    ):
        raise Conflict(
            _("A school location with this BRIN code and number is already registered."),
            field="brin",
        )


def register_organisation(
    organisation: Organisation, *, contact_email: str, contact_name: str, password: str
) -> tuple[Organisation, User]:
    """A school or company signs itself up with a first contact. It stays pending,
    and can neither publish nor book, until a coordinator approves it."""
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


def create_organisation(organisation: Organisation, actor=None) -> Organisation:
    """An organisation created by a coordinator or administrator: approved at once."""
    _unique_identifiers_free(organisation)
    organisation.status = "approved"
    organisation.approved_at = utcnow()
    db.session.add(organisation)
    db.session.flush()
    return organisation


def approve_organisation(organisation: Organisation, actor) -> None:
    if organisation.status == "approved":
        return
    organisation.status = "approved"
    organisation.approved_at = utcnow()
    db.session.flush()
    emit(OrganisationApproved(organisation_id=organisation.id, name=organisation.name), actor)


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
    email = normalise_email(email)
    _check_role(organisation, role)
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


def reset_password(raw_token: str, password: str) -> User:
    reset = _load_link(PasswordReset, raw_token)
    change_password(reset.user, password)
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


def change_password(user: User, password: str) -> None:
    check_password_strength(password)
    user.set_password(password)
    db.session.flush()
    emit(PasswordChanged(user_id=user.id), user)


# --- signing in ------------------------------------------------------------------

LOGIN_WINDOW = timedelta(minutes=15)


class TooManyAttempts(DomainError):
    status = 429
    code = "rate_limited"


def _attempt_keys(email: str, remote_addr: str | None) -> list[str]:
    keys = [f"email:{email.strip().lower()}"]
    if remote_addr:
        keys.append(f"addr:{remote_addr}")
    return keys


def authenticate(email: str, password: str, remote_addr: str | None = None) -> User | None:
    """The user for these credentials, or None. Failures are counted per address
    and per account; past the limit every attempt is refused for a while, also
    with the right password, so guessing gains nothing."""
    keys = _attempt_keys(email, remote_addr)
    since = utcnow() - LOGIN_WINDOW
    # Each failure is recorded once per key; the limit holds per key (this account,
    # this address), so count them apart rather than adding them up.
    per_key = db.session.execute(
        select(LoginAttempt.key, func.count())
        .where(LoginAttempt.key.in_(keys), LoginAttempt.attempted_at >= since)
        .group_by(LoginAttempt.key)
    ).all()
    failures = max((count for _key, count in per_key), default=0)
    if failures >= current_app.config["LOGIN_ATTEMPTS_PER_15_MIN"]:
        raise TooManyAttempts(_("Too many attempts. Wait a quarter of an hour and try again."))
    user = find_user_by_email(email or "")
    if user is not None and user.active and user.check_password(password or ""):
        return user
    for key in keys:
        db.session.add(LoginAttempt(key=key))
    db.session.execute(delete(LoginAttempt).where(LoginAttempt.attempted_at < since))
    db.session.flush()
    return None


# --- API tokens ----------------------------------------------------------------------


def create_api_token(user: User, name: str) -> tuple[ApiToken, str]:
    raw = "tp_" + new_token()
    token = ApiToken(user=user, name=name.strip() or "API", token_hash=hash_token(raw), prefix=raw[:8])
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
        select(ApiToken).where(ApiToken.token_hash == hash_token(raw), ApiToken.revoked_at.is_(None))
    )
    if token is None or not token.user.active:
        return None, False
    now = utcnow()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_PRECISION:
        token.last_used_at = now
        return token.user, True
    return token.user, False


def export_user_data(user: User) -> dict:
    """The person's own data, as a download (DOMAIN.md: everyone can export it)."""
    from app.events.models import EventLogEntry

    return {
        "email": user.email,
        "name": user.name,
        "phone": user.phone,
        "locale": user.locale,
        "created_at": user.created_at.isoformat() + "Z",
        "memberships": [
            {"organisation": m.organisation.name, "kind": m.organisation.kind, "role": m.role}
            for m in user.memberships
        ],
        "api_tokens": [
            {"name": t.name, "prefix": t.prefix, "created_at": t.created_at.isoformat() + "Z"}
            for t in db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id))
        ],
        "actions": [
            {"event": e.name, "at": e.occurred_at.isoformat() + "Z", "subject": e.subject_type}
            for e in db.session.scalars(
                select(EventLogEntry).where(EventLogEntry.actor_id == user.id).order_by(EventLogEntry.id)
            )
        ],
    }
