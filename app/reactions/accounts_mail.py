"""Mails about organisations and people."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.accounts.models import Invitation, Organisation, PasswordReset, User
from app.accounts.service import coordinators, link_token
from app.events import types as ev
from app.extensions import db
from app.notifications.compose import absolute_url, queue_mail
from app.timeutil import to_local


def tell_coordinators_about_registration(event: ev.OrganisationRegistered) -> None:
    organisation = db.session.get(Organisation, event.organisation_id)
    for coordinator in coordinators():
        queue_mail(
            "organisation_registered",
            recipient=coordinator.email,
            user_id=coordinator.id,
            locale=coordinator.locale,
            subject=lambda: _l(
                "New organisation waiting for approval: %(name)s", name=organisation.name
            ),
            organisation=organisation,
            link=absolute_url("accounts.organisation", organisation_id=organisation.id),
            dedupe_key=f"registered:{organisation.id}:{coordinator.id}",
        )


def tell_members_about_approval(event: ev.OrganisationApproved) -> None:
    organisation = db.session.get(Organisation, event.organisation_id)
    for membership in organisation.memberships:
        user = membership.user
        queue_mail(
            "organisation_approved",
            recipient=user.email,
            user_id=user.id,
            locale=user.locale,
            subject=lambda: _l("%(name)s is approved on Techniekpoort", name=organisation.name),
            organisation=organisation,
            link=absolute_url("web.home"),
            dedupe_key=f"approved:{organisation.id}:{user.id}",
        )


def send_invitation(event: ev.MemberInvited) -> None:
    invitation = db.session.get(Invitation, event.invitation_id)
    existing = db.session.scalar(select(User).where(User.email == invitation.email))
    queue_mail(
        "invitation",
        recipient=invitation.email,
        user_id=existing.id if existing else None,
        locale=existing.locale if existing else "nl",
        subject=lambda: _l(
            "Invitation to join %(name)s on Techniekpoort", name=invitation.organisation.name
        ),
        invitation=invitation,
        expires=to_local(invitation.expires_at),
        link=absolute_url("accounts.accept_invitation", token=link_token(invitation)),
    )


def warn_inactive_account(event: ev.InactiveAccountWarned) -> None:
    """The retention job's warning before it deletes an unused account."""
    user = db.session.get(User, event.user_id)
    if user is None or not user.active:
        return
    queue_mail(
        "account_inactive",
        recipient=user.email,
        user_id=user.id,
        locale=user.locale,
        subject=lambda: _l("Your Techniekpoort account will be deleted unless you sign in"),
        user=user,
        deletion_on=date.fromisoformat(event.deletion_on),
        link=absolute_url("accounts.login"),
        privacy_link=absolute_url("privacy.page"),
        dedupe_key=f"inactive:{user.id}:{event.deletion_on}",
    )


def send_password_reset_link(event: ev.PasswordResetRequested) -> None:
    reset = db.session.get(PasswordReset, event.reset_id)
    queue_mail(
        "password_reset",
        recipient=reset.user.email,
        user_id=reset.user.id,
        locale=reset.user.locale,
        subject=lambda: _l("Set a new password for Techniekpoort"),
        user=reset.user,
        expires=to_local(reset.expires_at),
        link=absolute_url("accounts.reset_password", token=link_token(reset)),
    )


def tell_the_known_address_about_the_sign_up(event: ev.SignUpWithKnownAddress) -> None:
    user = db.session.get(User, event.user_id)
    queue_mail(
        "signup_known_address",
        recipient=user.email,
        user_id=user.id,
        locale=user.locale,
        subject=lambda: _l("You already have a Techniekpoort account"),
        user=user,
        organisation_name=event.organisation_name,
        login_link=absolute_url("accounts.login"),
        reset_link=absolute_url("accounts.forgot_password"),
    )
