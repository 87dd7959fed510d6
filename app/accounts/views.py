"""Sign-in, sign-up, invitations, password resets, organisations and the
person's own settings.

Kept as one module: the pages of one blueprint around who a person is and
whom they act for; each view is a few lines over accounts.service."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from app import throttle, vocabulary
from app.accounts import forms, permissions, service
from app.accounts.models import ApiToken, Invitation, Membership, Organisation
from app.accounts.sessions import sign_in, sign_out
from app.errors import DomainError, Gone
from app.extensions import db
from app.web.forms import apply_domain_error
from app.web.rendering import render, safe_next_url

bp = Blueprint("accounts", __name__)


def get_organisation_or_404(organisation_id: int) -> Organisation:
    organisation = db.session.get(Organisation, organisation_id)
    if organisation is None or not permissions.can_view_organisation(current_user, organisation):
        abort(404)
    return organisation


# --- signing in and out -------------------------------------------------------------


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("web.home"))
    form = forms.LoginForm()
    if form.validate_on_submit():
        try:
            user = service.authenticate(form.email.data, form.password.data, request.remote_addr)
        except throttle.RateLimited as error:
            form.form_errors.append(error.description)
            response = render("accounts/login.html", form=form, status=429)
            response.headers["Retry-After"] = str(error.retry_after)
            return response
        if user is None:
            # The same words for an unknown address and a wrong password.
            form.form_errors.append(_("E-mail address or password is not correct."))
            return render("accounts/login.html", form=form, status=200)
        sign_in(user, remember=form.remember.data)
        db.session.commit()
        return redirect(safe_next_url(request.args.get("next")) or url_for("web.home"))
    return render("accounts/login.html", form=form)


@bp.post("/logout")
def logout():
    # The session row goes: a copy of the cookies signs nobody in any more.
    sign_out(current_user if current_user.is_authenticated else None)
    db.session.commit()
    flash(_("You are signed out."), "info")
    return redirect(url_for("web.home"))


# --- organisations signing up -----------------------------------------------------


def _fill_organisation(organisation: Organisation, form: forms.OrganisationFields) -> Organisation:
    organisation.kind = form.kind.data
    organisation.name = form.name.data.strip()
    organisation.address = form.address.data.strip()
    organisation.postcode = form.postcode.data
    organisation.city = form.city.data.strip()
    organisation.holiday_region = form.holiday_region.data
    organisation.website = (form.website.data or "").strip()
    is_school = organisation.kind == "school"
    organisation.brin = form.brin.data if is_school else None
    organisation.location_number = (form.location_number.data or "00") if is_school else None
    organisation.kvk = form.kvk.data if organisation.kind == "company" else None
    organisation.sectors = frozenset(form.sectors.data or ()) if not is_school else frozenset()
    organisation.profiles = frozenset(form.profiles.data or ()) if is_school else frozenset()
    return organisation


@bp.route("/register", methods=["GET", "POST"])
def register():
    form = forms.RegistrationForm()
    if form.validate_on_submit():
        organisation = _fill_organisation(Organisation(), form)
        try:
            service.sign_up(
                organisation,
                contact_email=form.contact_email.data,
                contact_name=form.contact_name.data,
                password=form.password.data,
            )
        except DomainError as error:
            db.session.rollback()
            apply_domain_error(form, error)
        else:
            db.session.commit()
            # The same answer whether or not the address had an account
            # (service.sign_up), so nobody is signed in here.
            flash(
                _(
                    "Thank you! A coordinator will check %(name)s; you can publish or book once "
                    "it is approved. Sign in with your e-mail address and password.",
                    name=organisation.name,
                ),
                "success",
            )
            return redirect(url_for("web.home"))
    return render("accounts/register.html", form=form)


@bp.get("/organisations")
@login_required
def organisations():
    if not permissions.can_manage_organisations(current_user):
        abort(403)
    kind = request.args.get("kind")
    query = select(Organisation).order_by(Organisation.name)
    if kind in vocabulary.ORGANISATION_KINDS:
        query = query.where(Organisation.kind == kind)
    return render(
        "accounts/organisations.html",
        pending=service.pending_organisations(),
        organisations=list(db.session.scalars(query)),
        kind=kind,
    )


@bp.route("/organisations/new", methods=["GET", "POST"])
@login_required
def new_organisation():
    if not permissions.can_manage_organisations(current_user):
        abort(403)
    form = forms.CoordinatorOrganisationForm()
    if form.validate_on_submit():
        organisation = _fill_organisation(Organisation(), form)
        try:
            service.create_organisation(organisation, current_user)
            if form.contact_email.data:
                # The contact a coordinator names becomes the organisation's
                # first administrator, who invites the colleagues.
                service.invite_member(
                    organisation,
                    form.contact_email.data,
                    "administrator",
                    current_user,
                    name=form.contact_name.data or "",
                )
        except DomainError as error:
            db.session.rollback()
            apply_domain_error(form, error)
        else:
            db.session.commit()
            flash(_("%(name)s is added.", name=organisation.name), "success")
            return redirect(url_for("accounts.organisation", organisation_id=organisation.id))
    return render("accounts/organisation_new.html", form=form)


def _role_choices(roles) -> list[tuple[str, str]]:
    return [(role, str(vocabulary.ROLES[role])) for role in roles]


def _invite_form(organisation: Organisation) -> forms.InviteForm:
    form = forms.InviteForm(prefix="invite")
    form.role.choices = _role_choices(permissions.roles_to_invite(current_user, organisation))
    return form


def get_membership_or_404(organisation: Organisation, membership_id: int) -> Membership:
    membership = db.session.get(Membership, membership_id)
    if membership is None or membership.organisation_id != organisation.id:
        abort(404)
    return membership


@bp.get("/organisations/<int:organisation_id>")
@login_required
def organisation(organisation_id: int):
    organisation = get_organisation_or_404(organisation_id)
    return _organisation_page(organisation, _invite_form(organisation))


def _organisation_page(organisation, invite_form, status=200, block=None):

    open_invitations = list(
        db.session.scalars(
            select(Invitation)
            .where(Invitation.organisation_id == organisation.id, Invitation.used_at.is_(None))
            .order_by(Invitation.created_at.desc())
        )
    )
    can_approve = permissions.can_approve(current_user, organisation)
    manages = permissions.can_manage_members(current_user, organisation)
    return render(
        "accounts/organisation.html",
        organisation=organisation,
        invite_form=invite_form,
        open_invitations=[i for i in open_invitations if not i.is_expired],
        can_invite=permissions.can_invite_to(current_user, organisation),
        can_approve=can_approve,
        can_edit=permissions.can_edit_organisation(current_user, organisation),
        manages_members=manages,
        role_choices=_role_choices(vocabulary.ROLES_BY_KIND[organisation.kind]) if manages else [],
        first_administrator=(
            service.first_administrator_on_approval(organisation) if can_approve else None
        ),
        status=status,
        block=block,
    )


@bp.post("/organisations/<int:organisation_id>/approve")
@login_required
def approve(organisation_id: int):
    organisation = get_organisation_or_404(organisation_id)
    if not permissions.can_approve(current_user, organisation):
        abort(403)
    service.approve_organisation(organisation, current_user)
    db.session.commit()
    if request.headers.get("HX-Request"):
        # The list changes in place; a message flashed now would only show on
        # whatever page comes next.
        return render(
            "accounts/organisations.html",
            block="pending_list",
            pending=service.pending_organisations(),
            trigger="OrganisationApproved",
        )
    flash(_("%(name)s is approved.", name=organisation.name), "success")
    return redirect(
        safe_next_url(request.form.get("next"))
        or url_for("accounts.organisation", organisation_id=organisation.id)
    )


@bp.post("/organisations/<int:organisation_id>/invite")
@login_required
def invite(organisation_id: int):
    organisation = get_organisation_or_404(organisation_id)
    if not permissions.can_invite_to(current_user, organisation):
        abort(403)
    form = _invite_form(organisation)
    if form.validate_on_submit():
        try:
            service.invite_member(
                organisation,
                form.email.data,
                form.role.data,
                current_user,
                name=form.name.data or "",
            )
        except DomainError as error:
            db.session.rollback()
            apply_domain_error(form, error)
        else:
            db.session.commit()
            flash(_("An invitation is on its way to %(email)s.", email=form.email.data), "success")
            return redirect(url_for("accounts.organisation", organisation_id=organisation.id))
    return _organisation_page(organisation, form, status=422)


@bp.route("/organisations/<int:organisation_id>/edit", methods=["GET", "POST"])
@login_required
def edit_organisation(organisation_id: int):
    organisation = get_organisation_or_404(organisation_id)
    if not permissions.can_edit_organisation(current_user, organisation):
        abort(403)
    form = forms.OrganisationProfileForm(obj=organisation)
    # The kind is not the form's to change: a school stays a school.
    form.kind.data = organisation.kind
    if form.validate_on_submit():
        try:
            service.update_organisation(_fill_organisation(organisation, form), current_user)
        except DomainError as error:
            db.session.rollback()
            organisation = get_organisation_or_404(organisation_id)
            apply_domain_error(form, error)
        else:
            db.session.commit()
            flash(_("The details of %(name)s are saved.", name=organisation.name), "success")
            return redirect(url_for("accounts.organisation", organisation_id=organisation.id))
    return render(
        "accounts/organisation_edit.html",
        form=form,
        organisation=organisation,
        status=422 if request.method == "POST" else 200,
    )


@bp.post("/organisations/<int:organisation_id>/members/<int:membership_id>/role")
@login_required
def change_role(organisation_id: int, membership_id: int):
    organisation = get_organisation_or_404(organisation_id)
    membership = get_membership_or_404(organisation, membership_id)
    if not permissions.can_manage_members(current_user, organisation):
        abort(403)
    form = forms.MemberRoleForm(prefix=f"member-{membership.id}")
    form.role.choices = _role_choices(vocabulary.ROLES_BY_KIND[organisation.kind])
    if not form.validate_on_submit():
        abort(422)
    try:
        service.change_member_role(membership, form.role.data, current_user)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(
            _(
                "The role of %(name)s is now: %(role)s.",
                name=membership.user.name,
                role=membership.role_label,
            ),
            "success",
        )
    return redirect(url_for("accounts.organisation", organisation_id=organisation.id))


@bp.post("/organisations/<int:organisation_id>/members/<int:membership_id>/remove")
@login_required
def remove_member(organisation_id: int, membership_id: int):
    organisation = get_organisation_or_404(organisation_id)
    membership = get_membership_or_404(organisation, membership_id)
    if not permissions.can_remove_membership(current_user, membership):
        abort(403)
    leaving = membership.user_id == current_user.id
    name = membership.user.name
    try:
        service.remove_membership(membership, current_user)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("accounts.organisation", organisation_id=organisation.id))
    db.session.commit()
    if leaving:
        flash(_("You are no longer a member of %(name)s.", name=organisation.name), "success")
        return redirect(url_for("web.home"))
    flash(_("%(name)s is no longer a member.", name=name), "success")
    return redirect(url_for("accounts.organisation", organisation_id=organisation.id))


# --- one-time links ------------------------------------------------------------------


@bp.route("/invitations/<token>", methods=["GET", "POST"])
def accept_invitation(token: str):
    try:
        invitation = service.load_invitation(token)
    except Gone as error:
        return render("accounts/link_gone.html", message=error.message, status=410)
    existing = service.find_user_by_email(invitation.email)
    form = forms.AcceptInvitationForm(name=invitation.name)
    if existing is not None:
        # Someone with an account joins with one click, once signed in as themselves.
        if request.method == "POST":
            if not current_user.is_authenticated or current_user.id != existing.id:
                return redirect(url_for("accounts.login", next=request.path))
            service.accept_invitation(token, name=existing.name, password=None)
            db.session.commit()
            flash(
                _("You are now a member of %(name)s.", name=invitation.organisation.name), "success"
            )
            return redirect(url_for("web.home"))
        return render(
            "accounts/invitation.html", invitation=invitation, existing=existing, form=None
        )
    if form.validate_on_submit():
        user = service.accept_invitation(token, name=form.name.data, password=form.password.data)
        sign_in(user)
        db.session.commit()
        flash(
            _("Welcome! You are now a member of %(name)s.", name=invitation.organisation.name),
            "success",
        )
        return redirect(url_for("web.home"))
    return render("accounts/invitation.html", invitation=invitation, existing=None, form=form)


@bp.route("/password/forgot", methods=["GET", "POST"])
def forgot_password():
    form = forms.ForgotPasswordForm()
    if form.validate_on_submit():
        service.request_password_reset(form.email.data)
        db.session.commit()
        # The same answer whether or not the address has an account.
        flash(
            _("If an account exists for this address, a link to set a new password is on its way."),
            "info",
        )
        return redirect(url_for("accounts.login"))
    return render("accounts/forgot_password.html", form=form)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    try:
        service.load_password_reset(token)
    except Gone as error:
        return render("accounts/link_gone.html", message=error.message, status=410)
    form = forms.ResetPasswordForm()
    if form.validate_on_submit():
        user = service.reset_password(token, form.password.data, request.remote_addr)
        sign_in(user)
        db.session.commit()
        flash(_("Your new password is set."), "success")
        return redirect(url_for("web.home"))
    return render("accounts/reset_password.html", form=form)


# --- the person's own account ----------------------------------------------------------


@bp.route("/account", methods=["GET", "POST"])
@login_required
def settings():
    profile = forms.ProfileForm(prefix="profile", obj=current_user)
    if request.method == "GET" and not current_user.locale:
        profile.locale.data = get_locale().language  # not chosen yet: the language shown
    password = forms.ChangePasswordForm(prefix="password")
    token_form = forms.ApiTokenForm(prefix="token")
    new_token = None
    action = request.form.get("action")
    if request.method == "POST":
        if action == "profile" and profile.validate_on_submit():
            current_user.name = profile.name.data.strip()
            current_user.phone = (profile.phone.data or "").strip()
            current_user.locale = profile.locale.data
            db.session.commit()
            flash(_("Your details are saved."), "success")
            return redirect(url_for("accounts.settings"))
        if action == "password" and password.validate_on_submit():
            if not current_user.check_password(password.current_password.data):
                password.current_password.errors.append(_("This is not your current password."))
            else:
                service.change_password(
                    current_user, password.password.data, keep_session=current_user.session_key
                )
                db.session.commit()
                flash(_("Your password is changed."), "success")
                return redirect(url_for("accounts.settings"))
        if action == "token" and token_form.validate_on_submit():
            _token, new_token = service.create_api_token(current_user, token_form.token_name.data)
            db.session.commit()
            token_form = forms.ApiTokenForm(prefix="token", formdata=None)
    tokens = list(
        db.session.scalars(
            select(ApiToken)
            .where(ApiToken.user_id == current_user.id, ApiToken.revoked_at.is_(None))
            .order_by(ApiToken.created_at.desc())
        )
    )
    return render(
        "accounts/settings.html",
        profile=profile,
        password=password,
        token_form=token_form,
        tokens=tokens,
        new_token=new_token,
        status=422 if request.method == "POST" and not new_token else 200,
    )


@bp.post("/account/tokens/<int:token_id>/revoke")
@login_required
def revoke_token(token_id: int):
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != current_user.id:
        abort(404)
    service.revoke_api_token(token)
    db.session.commit()
    flash(_("The token %(name)s no longer works.", name=token.name), "success")
    return redirect(url_for("accounts.settings"))
