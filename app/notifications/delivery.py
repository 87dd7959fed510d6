"""Delivering composed mails: through SMTP when TECHNIEKPOORT_SMTP_URL is set,
otherwise as .eml files in instance/outbox/ for a local installation."""

from __future__ import annotations

import base64
import binascii
import secrets
import smtplib
import ssl
from dataclasses import dataclass
from email.header import Header
from email.utils import formataddr, formatdate, make_msgid, parseaddr
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

MAIL_ID_HEADER = "X-Techniekpoort-Mail-Id"
CRLF = "\r\n"


class MailSettingsError(ValueError):
    """TECHNIEKPOORT_SMTP_URL cannot be used; the message says why and how."""


EXAMPLES = (
    "smtp://host:25, smtp://user:password@host:587?starttls=1 or smtps://user:password@host:465"
)


def validate_smtp_url(url: str) -> None:
    """Raises MailSettingsError unless `url` is empty (the outbox folder) or a
    mail URL that SmtpTransport can use. Called at start-up, so a typo stops the
    application instead of failing every mail later."""
    if not url:
        return

    def fail(reason: str):
        raise MailSettingsError(
            f"TECHNIEKPOORT_SMTP_URL is not usable: {reason}. Expected for example {EXAMPLES}."
        )

    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        fail(str(error))
    if parts.scheme not in ("smtp", "smtps"):
        fail(f"the scheme must be smtp or smtps, not {parts.scheme or 'missing'!r}")
    if not parts.hostname:
        fail("there is no host name")
    if port == 0:
        fail("port 0 is not a port")
    if parts.password and not parts.username:
        fail("a password needs a user name")
    if parts.path not in ("", "/"):
        fail(f"unexpected path {parts.path!r}")
    options = parse_qs(parts.query, keep_blank_values=True)
    unknown = sorted(set(options) - {"starttls"})
    if unknown:
        fail(f"unknown option(s) {', '.join(unknown)}; the only option is starttls=1")
    starttls = options.get("starttls", ["0"])[0].lower()
    if starttls not in ("0", "1", "true", "false", "yes", "no"):
        fail(f"starttls must be 1 or 0, not {starttls!r}")
    if parts.scheme == "smtps" and starttls in ("1", "true", "yes"):
        fail("smtps:// is TLS from the start; STARTTLS is for smtp://")


@dataclass(frozen=True)
class Envelope:
    """Who a batch's mails come from: the From header and the SMTP sender."""

    header: str
    address: str

    @classmethod
    def of(cls, sender: str) -> Envelope:
        name, address = parseaddr(sender)
        return cls(formataddr((name, address), charset="utf-8"), address)


@dataclass(frozen=True)
class OutgoingMessage:
    mail_id: int
    sender: str
    recipient: str
    data: bytes


def _header(value: str) -> str:
    """ASCII as it is; anything else as RFC 2047 encoded words."""
    if value.isascii():
        return value
    return Header(value, "utf-8").encode(linesep=CRLF)


def _quoted_printable(text: str) -> bytes:
    lines = text.replace("\r\n", "\n").replace("\r", "\n").encode("utf-8")
    return binascii.b2a_qp(lines, istext=True).replace(b"\n", b"\r\n")


def _base64_lines(data: bytes) -> bytes:
    return base64.encodebytes(data).replace(b"\n", b"\r\n")


def _part(content_type: str, encoding: str, body: bytes, *extra: str) -> bytes:
    head = [f"Content-Type: {content_type}", f"Content-Transfer-Encoding: {encoding}", *extra]
    return (CRLF.join(head) + CRLF + CRLF).encode() + body


def _multipart(subtype: str, boundary: str, parts: list[bytes]) -> tuple[str, bytes]:
    separator = f"{CRLF}--{boundary}{CRLF}".encode()
    body = (
        f"--{boundary}{CRLF}".encode()
        + separator.join(parts)
        + f"{CRLF}--{boundary}--{CRLF}".encode()
    )
    return f'multipart/{subtype}; boundary="{boundary}"', body


def build_message(mail, envelope: Envelope) -> OutgoingMessage:
    """One mail as the bytes SMTP carries: multipart/alternative (text and
    HTML, quoted-printable UTF-8), inside multipart/mixed when it has
    attachments. Written directly rather than with the `email` package, whose
    header machinery cost more time per mail than the SMTP conversation; the
    tests read every kind of mail back with the standard parser."""
    token = secrets.token_hex(8)
    content_type, body = _multipart(
        "alternative",
        f"=_alt_{token}",
        [
            _part(
                'text/plain; charset="utf-8"', "quoted-printable", _quoted_printable(mail.text_body)
            ),
            _part(
                'text/html; charset="utf-8"', "quoted-printable", _quoted_printable(mail.html_body)
            ),
        ],
    )
    if mail.attachments:
        parts = [f"Content-Type: {content_type}{CRLF}{CRLF}".encode() + body]
        for attachment in mail.attachments:
            kind = attachment["content_type"].split(";")[0].strip()
            filename = attachment["filename"].replace('"', "")
            parts.append(
                _part(
                    f'{kind}; name="{filename}"',
                    "base64",
                    _base64_lines(base64.b64decode(attachment["data"])),
                    f'Content-Disposition: attachment; filename="{filename}"',
                )
            )
        content_type, body = _multipart("mixed", f"=_mix_{token}", parts)
    headers = [
        ("From", envelope.header),
        ("To", mail.recipient),
        ("Subject", _header(mail.subject)),
        ("Date", formatdate(usegmt=True)),
        ("Message-ID", make_msgid(idstring=f"mail{mail.id}", domain="techniekpoort")),
        ("MIME-Version", "1.0"),
        ("Content-Type", content_type),
        ("Auto-Submitted", "auto-generated"),
        # The row id, so that a receiving test (or a bounce) identifies the row.
        (MAIL_ID_HEADER, str(mail.id)),
        *((name, _header(value)) for name, value in (mail.headers or {}).items()),
    ]
    head = "".join(f"{name}: {value}{CRLF}" for name, value in headers)
    return OutgoingMessage(
        mail.id, envelope.address, mail.recipient, head.encode() + CRLF.encode() + body
    )


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
        if self.implicit_tls:
            self.connection = smtplib.SMTP_SSL(
                self.host, self.port, timeout=self.timeout, context=ssl.create_default_context()
            )
        else:
            self.connection = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
            if self.starttls:
                self.connection.starttls(context=ssl.create_default_context())
        if self.username:
            self.connection.login(self.username, self.password or "")
        return self

    def send(self, message: OutgoingMessage) -> None:
        # One recipient per mail (INTEROP.md rule 19): the envelope names only
        # the To address.
        self.connection.sendmail(message.sender, [message.recipient], message.data)

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

    def send(self, message: OutgoingMessage) -> None:
        (self.folder / f"mail{int(message.mail_id)}.eml").write_bytes(message.data)

    def __exit__(self, *exc):
        return None


def transport_for(config) -> SmtpTransport | OutboxTransport:
    if config["SMTP_URL"]:
        return SmtpTransport(config["SMTP_URL"])
    return OutboxTransport(config["OUTBOX_DIR"])
