"""Composing mails: one recipient per mail, in the recipient's language, plain
text and HTML from templates/emails/<kind>.txt and .html."""

from __future__ import annotations

from datetime import datetime

from flask import current_app, has_request_context, render_template, url_for
from flask_babel import force_locale
from sqlalchemy import select

from app.extensions import db
from app.notifications.models import OutgoingMail


def absolute_url(endpoint: str, **values) -> str:
    """Links in mails: TECHNIEKPOORT_BASE_URL when set, else the current request's
    host, else the local default of `make run`."""
    base = current_app.config["BASE_URL"]
    if base:
        return base + url_for(endpoint, _external=False, **values)
    if has_request_context():
        return url_for(endpoint, _external=True, **values)
    return "http://127.0.0.1:5000" + url_for(endpoint, _external=False, **values)


def queue_mail(
    kind: str,
    *,
    recipient: str,
    locale: str,
    subject,
    user_id: int | None = None,
    due_at: datetime | None = None,
    expires_at: datetime | None = None,
    dedupe_key: str | None = None,
    attachments: list | None = None,
    **context,
) -> OutgoingMail | None:
    """Render and store one mail. `subject` is a callable or lazy string that is
    evaluated in the recipient's language."""
    if dedupe_key and db.session.scalar(
        select(OutgoingMail.id).where(OutgoingMail.dedupe_key == dedupe_key)
    ):
        return None
    with force_locale(locale):
        subject_text = str(subject() if callable(subject) else subject)
        context.update(subject=subject_text, locale=locale)
        text_body = render_template(f"emails/{kind}.txt", **context)
        html_body = render_template(f"emails/{kind}.html", **context)
    mail = OutgoingMail(
        kind=kind,
        recipient=recipient,
        user_id=user_id,
        subject=subject_text,
        text_body=text_body,
        html_body=html_body,
        attachments=attachments or [],
        expires_at=expires_at,
        dedupe_key=dedupe_key,
    )
    if due_at is not None:
        mail.due_at = due_at
    db.session.add(mail)
    db.session.flush()
    return mail
