"""Delivering composed mails: through SMTP when TECHNIEKPOORT_SMTP_URL is set,
otherwise as .eml files in instance/outbox/ for a local installation."""

from __future__ import annotations

import base64
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from app.notifications.models import OutgoingMail


def build_message(mail: OutgoingMail, sender: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = mail.recipient
    message["Subject"] = mail.subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(idstring=f"mail{mail.id}", domain="techniekpoort")
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(mail.text_body)
    message.add_alternative(mail.html_body, subtype="html")
    for attachment in mail.attachments or []:
        maintype, subtype = attachment["content_type"].split(";")[0].split("/")
        message.add_attachment(
            base64.b64decode(attachment["data"]),
            maintype=maintype,
            subtype=subtype,
            filename=attachment["filename"],
        )
    return message


class SmtpTransport:
    """One connection for a batch of mails (`with transport: transport.send(m)`).

    URL forms: smtp://host:25, smtp://user:pass@host:587?starttls=1,
    smtps://user:pass@host:465."""

    def __init__(self, url: str, timeout: float = 30):
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps"):
            raise ValueError(f"unsupported mail URL scheme: {parts.scheme!r}")
        self.implicit_tls = parts.scheme == "smtps"
        options = parse_qs(parts.query)
        self.starttls = options.get("starttls", ["0"])[0].lower() in ("1", "true", "yes")
        self.host = parts.hostname or "127.0.0.1"
        self.port = parts.port or (465 if self.implicit_tls else 25)
        self.username = unquote(parts.username) if parts.username else None
        self.password = unquote(parts.password) if parts.password else None
        self.timeout = timeout
        self.connection: smtplib.SMTP | None = None

    def __enter__(self):
        context = ssl.create_default_context()
        if self.implicit_tls:
            self.connection = smtplib.SMTP_SSL(
                self.host, self.port, timeout=self.timeout, context=context
            )
        else:
            self.connection = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
            if self.starttls:
                self.connection.starttls(context=context)
        if self.username:
            self.connection.login(self.username, self.password or "")
        return self

    def send(self, message: EmailMessage) -> None:
        self.connection.send_message(message)

    def __exit__(self, *exc):
        try:
            self.connection.quit()
        except smtplib.SMTPException:
            self.connection.close()
        except OSError:
            pass
        self.connection = None


class OutboxTransport:
    """Writes each mail as an .eml file that any mail program opens."""

    def __init__(self, folder: str):
        self.folder = Path(folder)

    def __enter__(self):
        self.folder.mkdir(parents=True, exist_ok=True)
        return self

    def send(self, message: EmailMessage) -> None:
        mail_id = message["Message-ID"].strip("<>").split("@")[0].split(".")[-1]
        path = self.folder / f"{mail_id}.eml"
        path.write_bytes(bytes(message))

    def __exit__(self, *exc):
        return None


def transport_for(config) -> SmtpTransport | OutboxTransport:
    if config["SMTP_URL"]:
        return SmtpTransport(config["SMTP_URL"])
    return OutboxTransport(config["OUTBOX_DIR"])
