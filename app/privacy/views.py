"""The privacy page, the download of one's own data and deleting one's
account; `flask --app wsgi privacy ...` for operators."""

from __future__ import annotations

import json
from datetime import timedelta

import click
from flask import Blueprint, current_app, flash, jsonify, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, logout_user
from sqlalchemy import select

from app.accounts.models import Organisation
from app.accounts.service import find_user_by_email
from app.extensions import db
from app.privacy import activity, forms
from app.privacy.erasure import delete_account
from app.privacy.export import export_user_data
from app.privacy.retention import run_retention
from app.web.rendering import render

bp = Blueprint("privacy", __name__, cli_group="privacy")
bp.record_once(lambda state: activity.track_sign_ins(state.app))


def _remember_days() -> int:
    duration = current_app.config.get("REMEMBER_COOKIE_DURATION", timedelta(days=365))
    if isinstance(duration, int | float):
        duration = timedelta(seconds=duration)
    return max(1, duration.days)


@bp.get("/privacy")
def page():
    """What is stored, why and for how long: the periods are the settings in force."""
    config = current_app.config
    coordinators = list(
        db.session.scalars(
            select(Organisation)
            .where(Organisation.kind == "network", Organisation.status == "approved")
            .order_by(Organisation.id)
        )
    )
    return render(
        "privacy/privacy.html",
        coordinators=coordinators,
        inactive_days=config["RETENTION_INACTIVE_DAYS"],
        warning_days=config["RETENTION_WARNING_DAYS"],
        deleted_days=config["RETENTION_DELETED_DAYS"],
        log_days=config["RETENTION_LOG_DAYS"],
        remember_days=_remember_days(),
    )


@bp.get("/account/export.json")
@login_required
def export_account():
    """Everything Techniekpoort holds about the person signed in."""
    response = jsonify(export_user_data(current_user))
    response.headers["Content-Disposition"] = "attachment; filename=techniekpoort-account.json"
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/account/delete", methods=["GET", "POST"])
@login_required
def delete():
    form = forms.DeleteAccountForm()
    if form.validate_on_submit():
        if not current_user.check_password(form.password.data):
            form.password.errors.append(_("This is not your current password."))
        else:
            delete_account(current_user._get_current_object(), current_user._get_current_object())
            db.session.commit()
            logout_user()
            flash(_("Your account is deleted. Your name is no longer shown anywhere."), "success")
            return redirect(url_for("web.home"))
    return render(
        "privacy/delete_account.html",
        form=form,
        deleted_days=current_app.config["RETENTION_DELETED_DAYS"],
        status=422 if request.method == "POST" else 200,
    )


# --- for operators -----------------------------------------------------------------------


def _person(email: str):
    user = find_user_by_email(email)
    if user is None or user.deleted_at is not None:
        raise click.ClickException(f"No account for {email}.")
    return user


@bp.cli.command("export")
@click.argument("email")
def export_command(email):
    """Print everything held about EMAIL as JSON (a request by mail or letter)."""
    click.echo(json.dumps(export_user_data(_person(email)), indent=2, ensure_ascii=False))


@bp.cli.command("delete")
@click.argument("email")
@click.confirmation_option(prompt="Delete this account for good?")
def delete_command(email):
    """Delete the account of EMAIL, as if its owner did (a request by mail or letter)."""
    delete_account(_person(email))
    db.session.commit()
    click.echo(f"The account of {email} is deleted.")


@bp.cli.command("retention")
def retention_command():
    """Run the retention job once (the scheduler runs it every night)."""
    result = run_retention()
    db.session.commit()
    click.echo(
        f"{len(result.warned)} warned, {len(result.deleted)} inactive accounts deleted, "
        f"{len(result.purged)} deleted accounts purged, {result.mails_removed} mails and "
        f"{result.links_removed} links removed"
    )
