"""Mail in tests: a real SMTP server on 127.0.0.1 (aiosmtpd) that keeps what
it receives, and the fixtures that send through it. A plugin of the whole
suite (tests/conftest.py's `pytest_plugins`): the notification, request and
security tests all read mail as the server got it."""

from __future__ import annotations

import asyncio
import re
import threading
from dataclasses import dataclass, field
from email import message_from_bytes
from email import policy as email_policy
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller

from app.notifications.delivery import MAIL_ID_HEADER
from tests.servers import free_port

_MAIL_ID = re.compile(
    rb"^" + MAIL_ID_HEADER.encode() + rb": (\d+)\r?$", re.MULTILINE | re.IGNORECASE
)


class Received:
    """One message as the server got it. Parsed only when a test looks inside:
    parsing in the server's event loop would make it the bottleneck of the
    exactly-once tests."""

    def __init__(self, envelope_to: list[str], raw: bytes):
        self.envelope_to = envelope_to
        self.raw = raw
        self._message: EmailMessage | None = None

    @property
    def message(self) -> EmailMessage:
        if self._message is None:
            self._message = message_from_bytes(self.raw, policy=email_policy.default)
        return self._message

    @property
    def mail_id(self) -> int:
        return int(_MAIL_ID.search(self.raw).group(1))

    @property
    def text(self) -> str:
        return self.message.get_body(("plain",)).get_content()

    @property
    def html(self) -> str:
        return self.message.get_body(("html",)).get_content()


@dataclass
class Sink:
    """The SMTP handler: rejects the addresses in `reject` with 550, can be
    made slow with `delay` (seconds per message), and keeps every message."""

    reject: set[str] = field(default_factory=set)
    delay: float = 0.0
    received: list[Received] = field(default_factory=list)
    arrived: threading.Condition = field(default_factory=threading.Condition)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.reject:
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            await asyncio.sleep(self.delay)
        with self.arrived:
            self.received.append(Received(list(envelope.rcpt_tos), envelope.content))
            self.arrived.notify_all()
        return "250 Message accepted for delivery"

    def messages(self, kind_subject: str | None = None) -> list[Received]:
        with self.arrived:
            found = list(self.received)
        if kind_subject:
            found = [r for r in found if kind_subject in r.message["Subject"]]
        return found

    def wait_for(self, count: int, timeout: float = 30) -> None:
        """Returns once `count` messages have arrived; fails after `timeout` seconds."""
        with self.arrived:
            got = self.arrived.wait_for(lambda: len(self.received) >= count, timeout)
        assert got, f"{len(self.received)} of {count} messages arrived in {timeout} s"

    def to(self, address: str) -> list[Received]:
        return [r for r in self.messages() if r.envelope_to == [address]]

    def ids(self) -> list[int]:
        return [r.mail_id for r in self.messages()]


class SmtpServer:
    def __init__(self):
        self.sink = Sink()
        self.port = free_port()
        # Bound to 127.0.0.1 explicitly: aiosmtpd's default host name may resolve
        # to an address the client cannot reach (aiosmtpd#248).
        self.controller = Controller(self.sink, hostname="127.0.0.1", port=self.port)

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def start(self):
        self.controller.start()
        return self

    def stop(self):
        self.controller.stop()


@pytest.fixture
def smtp():
    """A running SMTP server; `smtp.sink` holds what arrived."""
    server = SmtpServer().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def mail_app(app, smtp):
    """The app, sending through the test's SMTP server."""
    app.config["SMTP_URL"] = smtp.url
    return app


@pytest.fixture
def dispatch(mail_app):
    """Sends everything that is due at `now` (default: the real time)."""
    from app.notifications.dispatcher import dispatch_all
    from app.timeutil import utcnow

    def run(now=None, **options):
        moment = now
        return dispatch_all(clock=(lambda: moment) if moment else utcnow, **options)

    return run
