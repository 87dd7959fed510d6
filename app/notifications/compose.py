"""Composing mails: one recipient per mail, in the recipient's language, plain
text and HTML from templates/emails/<kind>.txt and .html."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from flask import current_app, has_request_context, render_template, url_for
from sqlalchemy import select

from app.extensions import db
from app.locales import speaking
from app.notifications.models import OutgoingMail

log = logging.getLogger(__name__)


def path_for(endpoint: str, **values) -> str:
    """A path inside the application, also outside a request (the scheduler and
    the CLI compose mails too, and url_for needs a request or SERVER_NAME)."""
    if has_request_context():
        return url_for(endpoint, **values)
    adapter = current_app.url_map.bind(
        "localhost", script_name=current_app.config["APPLICATION_ROOT"]
    )
    return adapter.build(endpoint, values)


def base_url() -> str:
    """TECHNIEKPOORT_BASE_URL, never the request's Host header: a forged Host
    must not turn a reset or invitation link into one to another site."""
    return current_app.config["BASE_URL"]


def absolute_url(endpoint: str, **values) -> str:
    """Links in mails: TECHNIEKPOORT_BASE_URL and the endpoint's path."""
    return base_url() + path_for(endpoint, **values)


def absolute_path(path: str) -> str:
    """A full URL for a path built by the caller (a page whose view another
    package has not registered yet)."""
    if not path.startswith("/") or path.startswith("//"):
        raise ValueError(f"not an application path: {path!r}")
    return base_url() + path


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
    attachments: list | Callable[[], list] | None = None,
    headers: dict | None = None,
    booking_id: int | None = None,
    purpose: str | None = None,
    **context,
) -> OutgoingMail | None:
    """Render and store one mail. `subject` is a callable or lazy string that is
    evaluated in the recipient's language; `attachments` a list of
    {filename, content_type, data (base64)} or a callable that makes one, so
    that an attachment that cannot be made fails this mail like a template.

    A template that cannot be rendered does not break the change that wanted
    the mail: the row is stored as failed, with the error, where the mail queue
    page and /healthz show it."""
    if dedupe_key and db.session.scalar(
        select(OutgoingMail.id).where(OutgoingMail.dedupe_key == dedupe_key)
    ):
        return None
    locale = locale if locale in current_app.config["LANGUAGES"] else "nl"
    if user_id is not None:
        # Every mail to someone with an account shows where to change what they get.
        context.setdefault("settings_link", absolute_url("notifications.settings"))
    status, error = "pending", ""
    subject_text = text_body = html_body = ""
    try:
        with speaking(locale):
            subject_text = str(subject() if callable(subject) else subject)
            context.update(subject=subject_text, locale=locale)
            text_body = render_template(f"emails/{kind}.txt", **context)
            html_body = render_template(f"emails/{kind}.html", **context)
            if callable(attachments):
                attachments = attachments()
    except Exception as exc:  # any template bug: keep the mail visible as failed
        log.exception("mail %s to %s could not be composed", kind, recipient)
        status, error = "failed", _describe(exc)
    mail = OutgoingMail(
        kind=kind,
        recipient=recipient,
        user_id=user_id,
        subject=(subject_text or kind)[:300],
        text_body=text_body,
        html_body=html_body,
        attachments=attachments if isinstance(attachments, list) else [],
        headers=headers or {},
        expires_at=expires_at,
        dedupe_key=dedupe_key,
        booking_id=booking_id,
        purpose=purpose,
        status=status,
        last_error=error,
    )
    if due_at is not None:
        mail.due_at = due_at
    db.session.add(mail)
    db.session.flush()
    return mail


def _describe(exc: Exception) -> str:
    where = ""
    if getattr(exc, "name", None) or getattr(exc, "lineno", None):
        where = f" (in {getattr(exc, 'name', None) or '?'}, line {getattr(exc, 'lineno', '?')})"
    return f"not composed: {type(exc).__name__}: {exc}{where}"[:2000]
