"""`flask --app wsgi feeds create EMAIL [--kind personal|organisation]`."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from app.accounts import service as accounts
from app.calendar import service
from app.errors import DomainError
from app.extensions import db

feeds_cli = AppGroup("feeds", help="Calendar feeds.")


@feeds_cli.command("create")
@click.argument("email")
@click.option(
    "--kind", type=click.Choice(["personal", "organisation"]), default="personal", show_default=True
)
@click.option(
    "--organisation",
    "organisation_name",
    default=None,
    help="For --kind organisation: the name or id of the school or company "
    "(default: the person's first one).",
)
@click.option("--name", default="", help="The calendar's name in the calendar program.")
def create_feed_command(email, kind, organisation_name, name):
    """Make a calendar feed for EMAIL and print its link."""

    user = accounts.find_user_by_email(email)
    if user is None:
        raise click.ClickException(f"No account for {email}.")
    organisation = None
    if kind == "organisation":
        candidates = service.organisations_for_feeds(user)
        if organisation_name:
            candidates = [
                o
                for o in candidates
                if str(o.id) == organisation_name or o.name == organisation_name
            ]
        if not candidates:
            raise click.ClickException(f"{email} is not a member of such a school or company.")
        organisation = candidates[0]
    try:
        feed = service.create_feed(user, kind=kind, name=name, organisation=organisation)
    except DomainError as error:
        db.session.rollback()
        raise click.ClickException(error.message) from error
    db.session.commit()
    base = current_app.config.get("BASE_URL") or "http://127.0.0.1:5000"
    with current_app.test_request_context(base_url=base):
        https_url, webcal_url = service.feed_urls(feed, base)
    click.echo(https_url)
    click.echo(webcal_url, err=True)
