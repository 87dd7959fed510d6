"""For the servers and processes the tests start (an SMTP server, Redis,
PostgreSQL, the scheduler, a development server): a free port, and waiting
until one of them got somewhere."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(condition: Callable[[], bool], seconds: float, what: str) -> None:
    """Asks `condition` again and again until it holds; fails after `seconds`.

    Only for another process, which does not say when it is ready: what runs
    in the test's own process signals instead (tests/mail.py's Sink.wait_for).
    The pause between two questions is no timing the test relies on."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"timed out after {seconds} s waiting for {what}"
        time.sleep(0.05)
