"""Delivering composed mails: through SMTP when TECHNIEKPOORT_SMTP_URL is set,
otherwise as .eml files in instance/outbox/ for a local installation."""

from __future__ import annotations

import base64
import re
import smtplib
import ssl
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY
from email.utils import formatdate, make_msgid, parseaddr
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

MAIL_ID_HEADER = "X-Techniekpoort-Mail-Id"


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


class UnsendableMail(ValueError):
    """A mail row that no retry can send: its address is not one address, or an
    extra header would replace one of the message's own."""


@dataclass(frozen=True)
class Envelope:
    """Who a batch's mails come from: the From header and the SMTP sender."""

    header: Address
    address: str

    @classmethod
    def of(cls, sender: str) -> Envelope:
        name, address = parseaddr(header_text(sender))
        return cls(Address(name, addr_spec=address), address)


@dataclass(frozen=True)
class OutgoingMessage:
    mail_id: int
    sender: str
    recipient: str
    data: bytes


# Characters that end a header line or have no business in one: C0 and C1
# controls (CR, LF, TAB, NUL ...), the Unicode line and paragraph separators,
# and the bidirectional controls that can make a name read as another.
_NOT_IN_HEADERS = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]+")
_HEADER_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9-]*$")
# The headers build_message writes itself; a mail's extra headers cannot replace them.
_OWN_HEADERS = frozenset(
    name.lower()
    for name in (
        "From",
        "To",
        "Cc",
        "Bcc",
        "Reply-To",
        "Sender",
        "Subject",
        "Date",
        "Message-ID",
        "MIME-Version",
        "Content-Type",
        "Content-Transfer-Encoding",
        "Auto-Submitted",
        MAIL_ID_HEADER,
    )
)


def header_text(value) -> str:
    """Text that is safe in a header: every control character (a CR/LF typed
    into a name or title above all) becomes a space, so it can never start a
    header of its own; runs of spaces collapse."""
    return " ".join(_NOT_IN_HEADERS.sub(" ", str(value or "")).split())


def build_message(mail, envelope: Envelope) -> OutgoingMessage:
    """One mail as the bytes SMTP carries: multipart/alternative (text and
    HTML), inside multipart/mixed when it has attachments, built with the
    standard library's EmailMessage and its header registry. Nothing a person
    wrote is joined into the headers by hand: the subject is cleaned by
    header_text and folded and encoded by the policy, and addresses go through
    Address, which refuses anything that is not one address."""
    message = EmailMessage(policy=SMTP_POLICY)
    message["From"] = envelope.header
    try:
        recipient = Address(addr_spec=header_text(mail.recipient))
    except (ValueError, IndexError) as error:
        raise UnsendableMail(f"mail {mail.id}: not one address: {error}") from error
    message["To"] = recipient
    message["Subject"] = header_text(mail.subject)
    message["Date"] = formatdate(usegmt=True)
    message["Message-ID"] = make_msgid(idstring=f"mail{int(mail.id)}", domain="techniekpoort")
    message["Auto-Submitted"] = "auto-generated"
    # The row id, so that a receiving test (or a bounce) identifies the row.
    message[MAIL_ID_HEADER] = str(int(mail.id))
    for name, value in (mail.headers or {}).items():
        if not _HEADER_NAME.match(name) or name.lower() in _OWN_HEADERS:
            raise UnsendableMail(f"mail {mail.id}: refusing the extra header {name!r}")
        message[name] = header_text(value)
    message.set_content(mail.text_body, cte="quoted-printable")
    message.add_alternative(mail.html_body, subtype="html", cte="quoted-printable")
    for attachment in mail.attachments or ():
        maintype, _, subtype = attachment["content_type"].split(";")[0].strip().partition("/")
        message.add_attachment(
            base64.b64decode(attachment["data"]),
            maintype=maintype,
            subtype=subtype,
            filename=header_text(attachment["filename"]).replace('"', ""),
        )
    # The SMTP envelope names the parsed address too, never the raw column.
    return OutgoingMessage(
        mail.id, envelope.address, recipient.addr_spec, message.as_bytes(policy=SMTP_POLICY)
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
        # One recipient per mail (docs/INTEROPERABILITY.md, rule 19): the envelope names only
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
