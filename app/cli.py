"""Command-line interface: `flask --app wsgi <group> <command>`."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup

from app.accounts import service
from app.accounts.models import Organisation
from app.backup import BackupError, create_backup, head_revisions, restore_backup
from app.calendar.cli import feeds_cli
from app.curriculum.service import load_reference
from app.demo import database_is_empty, load_demo
from app.errors import DomainError
from app.extensions import db
from app.notifications.dispatcher import dispatch_all
from app.scheduler import run_scheduler

users_cli = AppGroup("users", help="People and their organisations.")
token_cli = AppGroup("api-token", help="Personal API tokens.")
demo_cli = AppGroup("demo", help="The demo region.")
scheduler_cli = AppGroup("scheduler", help="The one scheduler process.")
reminders_cli = AppGroup("reminders", help="Reminders and outgoing mail.")
backup_cli = AppGroup("backup", help="Back up and restore the database (app/backup.py).")
curriculum_cli = AppGroup("curriculum", help="The curriculum's reference data.")


def _fail(message: str):
    raise click.ClickException(message)


@users_cli.command("create")
@click.option("--email", prompt=True)
@click.option("--name", prompt=True)
@click.option("--organisation", "organisation_name", prompt="Organisation (name or id)")
@click.option(
    "--role",
    type=click.Choice(["teacher", "contact", "coordinator", "administrator"]),
    prompt=True,
)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
def create_user_command(email, name, organisation_name, role, password):
    """Create a person with a membership of an existing organisation."""
    from sqlalchemy import select

    query = select(Organisation)
    query = (
        query.where(Organisation.id == int(organisation_name))
        if organisation_name.isdigit()
        else query.where(Organisation.name == organisation_name)
    )
    organisation = db.session.scalar(query)
    if organisation is None:
        _fail(f"No organisation {organisation_name!r}.")
    try:
        user = service.find_user_by_email(email) or service.create_user(email, name, password)
        service.add_membership(user, organisation, role)
    except (DomainError, ValueError) as error:
        db.session.rollback()
        _fail(str(error))
    db.session.commit()
    click.echo(f"{user.email} is {role} at {organisation.name}.")


@token_cli.command("create")
@click.argument("email")
@click.option("--name", default="CLI", help="A name to recognise the token by.")
def create_token_command(email, name):
    """Create an API token for EMAIL and print it (it is shown only this once)."""

    user = service.find_user_by_email(email)
    if user is None:
        _fail(f"No account for {email}.")
    _, raw = service.create_api_token(user, name)
    db.session.commit()
    click.echo(raw)


@demo_cli.command("load")
@click.option("--if-empty", is_flag=True, help="Only when the database has no organisations.")
def demo_load_command(if_empty):
    """Load the demo region (idempotent: running it again changes nothing)."""

    if if_empty and not database_is_empty():
        click.echo("The database has data already; the demo is not loaded.")
        return
    summary = load_demo()
    db.session.commit()
    click.echo("Demo region loaded: " + ", ".join(f"{n} {what}" for what, n in summary.items()))


@curriculum_cli.command("load")
def curriculum_load_command():
    """Load fixtures/curriculum.json (idempotent; coordinators' additions and edits stay)."""

    summary = load_reference()
    db.session.commit()
    click.echo("Curriculum loaded: " + ", ".join(f"{n} {what}" for what, n in summary.items()))


@scheduler_cli.command("run")
def scheduler_run_command():
    """Run the scheduler in the foreground. Start exactly one."""

    run_scheduler()


@reminders_cli.command("dispatch")
def dispatch_command():
    """Send the mails that are due, once (batches until nothing is due)."""

    result = dispatch_all()
    click.echo(
        f"sent {len(result.sent)}, retry later {len(result.retried)}, "
        f"failed {len(result.failed)}, expired {result.expired}"
    )


@backup_cli.command("create")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def backup_create_command(path):
    """Write a backup of the database to PATH (a new file), also while the app runs."""

    try:
        outcome = create_backup(path)
    except BackupError as error:
        _fail(str(error))
    click.echo(f"Backup written to {outcome.path} (migration revision {outcome.revision}).")


@backup_cli.command("restore")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--replace",
    is_flag=True,
    help="Replace a database that holds data (it is saved beside PATH first).",
)
def backup_restore_command(path, replace):
    """Restore the backup at PATH into the configured database, with the application stopped."""

    try:
        outcome = restore_backup(path, replace=replace)
    except BackupError as error:
        _fail(str(error))
    if outcome.saved_previous:
        click.echo(f"The database as it was is saved in {outcome.saved_previous}.")
    click.echo(f"Restored {outcome.path} (migration revision {outcome.revision}).")
    if outcome.revision not in head_revisions():
        click.echo("It is older than this code: run `flask --app wsgi db upgrade` before starting.")


def register_cli(app: Flask) -> None:
    for group in (
        users_cli,
        token_cli,
        demo_cli,
        curriculum_cli,
        scheduler_cli,
        reminders_cli,
        backup_cli,
    ):
        app.cli.add_command(group)

    app.cli.add_command(feeds_cli)
