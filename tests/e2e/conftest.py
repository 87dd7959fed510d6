"""A live server on a demo database of its own, and a real Chromium to drive it.

These tests do not use the suite's `app` fixture (one per backend, rolled back
after every test): the browser needs a server running in the background on a
database that holds the demo region. Each xdist worker starts its own server,
database and browser once, and takes browser tests like any others: each
journey makes what it needs under names no other uses, so the journeys share
a database in any order and split over the workers.

The server sends the security headers the product is served with (its
Content-Security-Policy among them, app/web/security_headers.py), and
the map's tiles come from a second local server (another origin, as in
production; the machine has no network). Every state of every page a test
browser shows is checked once (tests/e2e/page_checks.js; for browsers without
JavaScript, the documents the server answered them, afterwards): axe-core finds
no serious or critical violation and none of empty-table-header,
landmark-unique and heading-order; the document is no wider than the viewport;
nothing breaks the policy. A test fails at its end when a page did, or when a
page it showed was never checked.
"""

from __future__ import annotations

import http.server
import itertools
import re
import struct
import threading
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from flask import request
from playwright.sync_api import Error
from werkzeug.serving import WSGIRequestHandler, make_server

from tests.apps import make_app

CHROMIUM = "/usr/bin/chromium"
# As root Chromium needs --no-sandbox; with no network beyond the package
# registries it must not try to reach Google's services.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
]
ROOT = Path(__file__).resolve().parents[2]
AXE = (ROOT / "node_modules" / "axe-core" / "axe.min.js").read_text("utf-8")
PAGE_CHECKS = (Path(__file__).parent / "page_checks.js").read_text("utf-8")
# What counts as a failure in axe's findings.
AXE_RULES_ALWAYS = {"empty-table-header", "landmark-unique", "heading-order"}
AXE_IMPACTS = {"serious", "critical"}

PHONE = {"width": 375, "height": 700}
DESKTOP = {"width": 1280, "height": 800}
LOCALES = {"nl": "nl-NL", "en": "en-GB"}
CONTEXT_HEADER = "X-E2E-Context"
CHECK_COOKIE = "e2e-check"
CHECK_WAIT_SECONDS = 15


class QuietHandler(WSGIRequestHandler):
    """No access log: werkzeug would attach a handler to the test's stderr."""

    def log_request(self, *args, **kwargs):
        pass

    def log(self, *args, **kwargs):
        pass


def _png(size: int = 256) -> bytes:
    """A plain light-grey square PNG: a map tile that needs no network."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(b"\x00" + b"\xe4\xe8\xe6" * size for _ in range(size))
    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


class TileHandler(http.server.BaseHTTPRequestHandler):
    tile = _png()
    served: list[str] = []

    def do_GET(self):  # noqa: N802 (http.server's name)
        TileHandler.served.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.send_header("Content-Length", str(len(self.tile)))
        self.end_headers()
        self.wfile.write(self.tile)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="session")
def tile_server():
    """The map tile server: another origin on this machine."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), TileHandler)
    thread = threading.Thread(target=server.serve_forever, name="e2e-tiles", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()


class Documents:
    """The HTML documents the server sent to browsers without JavaScript, per
    test browser (CONTEXT_HEADER), to check after the test; and those being
    checked, which the server sends again from /e2e-documents/<n>."""

    SCRIPT = re.compile(r"<script\b.*?</script>", re.S | re.I)

    def __init__(self) -> None:
        self.by_context: dict[str, list[tuple[str, int, str]]] = {}
        self.shown: dict[int, tuple[int, str]] = {}
        self.numbers = itertools.count(1)
        self.lock = threading.Lock()

    def add(self, context: str, url: str, status: int, html: str) -> None:
        with self.lock:
            self.by_context.setdefault(context, []).append((url, status, html))

    def pop(self, context: str) -> list[tuple[str, int, str]]:
        with self.lock:
            return self.by_context.pop(context, [])

    def show(self, status: int, html: str) -> str:
        """The address of the document as a browser without JavaScript had it:
        without its scripts."""
        number = next(self.numbers)
        with self.lock:
            self.shown[number] = (status, self.SCRIPT.sub("", html))
        return f"/e2e-documents/{number}"

    def take(self, number: int) -> tuple[int, str]:
        with self.lock:
            return self.shown.pop(number)


@pytest.fixture(scope="session")
def documents() -> Documents:
    return Documents()


class CheckMarks:
    """The checks of pages with JavaScript that have been reported, so that
    the request for the next page can wait for the check of the page it
    replaces (page_checks.js names that check in the cookie CHECK_COOKIE)."""

    def __init__(self) -> None:
        self.done: set[str] = set()
        self.changed = threading.Condition()

    def add(self, mark: str) -> None:
        with self.changed:
            self.done.add(mark)
            self.changed.notify_all()

    def wait_for(self, mark: str) -> None:
        with self.changed:
            # A page that never finishes its check shows as unchecked.
            self.changed.wait_for(lambda: mark in self.done, timeout=CHECK_WAIT_SECONDS)


@pytest.fixture(scope="session")
def check_marks() -> CheckMarks:
    return CheckMarks()


@pytest.fixture(scope="session")
def demo_app(tmp_path_factory, tile_server, documents, check_marks):
    from app.demo import load_demo
    from app.extensions import db

    directory = tmp_path_factory.mktemp("e2e")
    app = make_app(
        f"sqlite:///{directory / 'e2e.db'}",
        directory,
        WTF_CSRF_ENABLED=True,  # a real browser sends the real tokens
        TESTING=False,  # errors render the 500 page, as in production
        MAP_TILES_URL=f"{tile_server}/{{z}}/{{x}}/{{y}}.png",
    )

    @app.before_request
    def after_the_check_of_the_page_left():
        mark = request.cookies.get(CHECK_COOKIE)
        if mark and request.headers.get("Sec-Fetch-Mode") == "navigate":
            check_marks.wait_for(mark)

    @app.after_request
    def record_documents_without_javascript(response):
        context = request.headers.get(CONTEXT_HEADER)
        if (
            context
            and request.headers.get("Sec-Fetch-Dest") == "document"
            and response.mimetype == "text/html"
            and not response.is_streamed
            and not 300 <= response.status_code < 400
        ):
            documents.add(
                context, request.url, response.status_code, response.get_data(as_text=True)
            )
        return response

    @app.get("/e2e-documents/<int:number>")
    def recorded_document(number: int):
        status, html = documents.take(number)
        return html, status, {"Content-Type": "text/html; charset=utf-8"}

    with app.app_context():
        db.create_all()
        load_demo()
        db.session.commit()
        db.session.remove()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(scope="session")
def live_server(demo_app):
    """The base URL of the demo app, served from a background thread."""
    server = make_server("127.0.0.1", 0, demo_app, threaded=True, request_handler=QuietHandler)
    thread = threading.Thread(target=server.serve_forever, name="e2e-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield chromium
        finally:
            chromium.close()
    finally:
        playwright.stop()


_context_ids = itertools.count(1)


@dataclass
class Findings:
    """What the checks found in one test's browsers."""

    problems: list[str] = field(default_factory=list)
    shown: dict[str, str] = field(default_factory=dict)  # page id -> address
    checked: set[str] = field(default_factory=set)

    def take(self, report: dict) -> None:
        kind, url, detail = report["kind"], report["url"], report["detail"]
        if kind == "shown":
            if url.startswith("http"):
                self.shown[report["page"]] = url
        elif kind == "checked":
            self.checked.add(report["page"])
        elif kind == "axe":
            for v in detail["violations"]:
                if v["impact"] in AXE_IMPACTS or v["id"] in AXE_RULES_ALWAYS:
                    self.problems.append(
                        f"axe {v['id']} ({v['impact']}) after {detail['when']} on {url}: "
                        f"{v['help']} at {v['nodes']}"
                    )
        elif kind == "width":
            self.problems.append(
                f"{url} ({detail['when']}) is {detail['width']} px wide in a "
                f"{detail['viewport']} px viewport: {detail['widest']}"
            )
        elif kind == "csp":
            self.problems.append(f"Content-Security-Policy violation on {url}: {detail}")
        else:
            self.problems.append(f"{kind} on {url}: {detail}")

    def unchecked(self) -> list[str]:
        return [url for page, url in self.shown.items() if page not in self.checked]


def _new_context(browser, live_server, take, *, javascript, viewport, language, **extra):
    context = browser.new_context(
        base_url=live_server,
        java_script_enabled=javascript,
        viewport=viewport,
        locale=LOCALES[language],
        **extra,
    )
    context.set_default_timeout(15_000)
    context.expose_binding("__e2eReport", lambda _source, report: take(report))
    return context


class DocumentChecker:
    """One scripted browser page, for the whole session, that checks the
    documents the server sent to browsers without JavaScript: each is shown
    as the server sent it (with the policy it was served with), without its
    scripts, as without JavaScript. A document already checked at the same
    width is not checked again."""

    # The security token differs in every answer; it is no part of the page.
    TOKEN = re.compile(r'"X-CSRFToken": "([^"]+)"')

    def __init__(self, browser, live_server, documents: Documents):
        self.browser, self.live_server, self.documents = browser, live_server, documents
        self.findings = Findings()
        self.showing = ""
        self.seen: set[tuple[int, int]] = set()
        self.page = None

    def _take(self, report: dict) -> None:
        self.findings.take({**report, "url": self.showing})

    def check(self, docs, viewport: dict, findings: Findings) -> None:
        self.findings = findings
        if self.page is None:
            context = _new_context(
                self.browser,
                self.live_server,
                self._take,
                javascript=True,
                viewport=viewport,
                language="nl",
            )
            context.add_init_script(script="window.__e2eManual = true;")
            context.add_init_script(script=AXE)
            context.add_init_script(script=PAGE_CHECKS)
            self.page = context.new_page()
        self.page.set_viewport_size(viewport)
        for url, status, html in docs:
            token = self.TOKEN.search(html)
            key = (viewport["width"], hash(html.replace(token[1], "") if token else html))
            if key in self.seen:
                continue
            self.seen.add(key)
            self.showing = url
            self.page.goto(self.documents.show(status, html))
            self.page.evaluate("window.__e2eCheck()")

    def close(self) -> None:
        if self.page is not None:
            self.page.context.close()


@pytest.fixture(scope="session")
def document_checker(browser, live_server, documents):
    checker = DocumentChecker(browser, live_server, documents)
    yield checker
    checker.close()


class Browsers:
    """Opens test browsers (contexts) whose every page is checked in every
    state it is shown in: with JavaScript in the page itself (page_checks.js),
    without JavaScript afterwards, by the DocumentChecker, from the documents
    the server sent."""

    def __init__(
        self,
        browser,
        live_server,
        documents: Documents,
        checker: DocumentChecker,
        marks: CheckMarks,
    ):
        self.browser, self.live_server = browser, live_server
        self.documents, self.checker, self.marks = documents, checker, marks
        self.findings = Findings()
        self.opened: list[tuple[object, str, bool, dict]] = []

    def open(
        self,
        *,
        javascript: bool = True,
        viewport: dict = DESKTOP,
        language: str = "nl",
        storage_state=None,
    ):
        """A new page in a browser of its own (no cookies unless storage_state)."""
        context_id = f"c{next(_context_ids)}"
        context = _new_context(
            self.browser,
            self.live_server,
            self._take,
            javascript=javascript,
            viewport=viewport,
            language=language,
            extra_http_headers={
                "Accept-Language": LOCALES[language] + f",{language};q=0.9",
                **({} if javascript else {CONTEXT_HEADER: context_id}),
            },
            storage_state=storage_state,
        )
        if javascript:
            context.add_init_script(script=AXE)
            context.add_init_script(script=PAGE_CHECKS)
        self.opened.append((context, context_id, javascript, viewport))
        page = context.new_page()
        page.on(
            "pageerror",
            lambda error: self.findings.problems.append(f"JavaScript error on {page.url}: {error}"),
        )
        page.on("console", lambda message: self._console(page, message))
        return page

    def _take(self, report: dict) -> None:
        self.findings.take(report)
        if report["kind"] == "checked":
            self.marks.add(report["detail"]["mark"])

    @staticmethod
    def _check(page) -> None:
        if page.is_closed():
            return
        try:
            page.evaluate("window.__e2eCheck && window.__e2eCheck()")
        except Error:  # the page went away meanwhile; `unchecked` tells
            pass

    def _console(self, page, message) -> None:
        if message.type == "error" and "Content Security Policy" in message.text:
            self.findings.problems.append(f"{page.url}: {message.text}")

    def finish(self) -> list[str]:
        """Checks what is still on screen and every document shown without
        JavaScript, closes the browsers, and returns the problems found."""
        try:
            for context, context_id, javascript, viewport in self.opened:
                if javascript:
                    for page in context.pages:
                        self._check(page)
                else:
                    docs = self.documents.pop(context_id)
                    if docs:
                        self.checker.check(docs, viewport, self.findings)
        finally:
            for context, *_rest in self.opened:
                context.close()
        return self.findings.problems + [
            f"{url} was shown but never checked" for url in self.findings.unchecked()
        ]


@pytest.fixture
def browsers(browser, live_server, documents, document_checker, check_marks):
    """Test browsers whose every page is checked; the test fails at its end
    when a page did not pass."""
    opened = Browsers(browser, live_server, documents, document_checker, check_marks)
    try:
        yield opened
    finally:
        problems = opened.finish()
    assert not problems, "\n".join(problems)


@pytest.fixture
def page(browsers):
    """A fresh desktop page with JavaScript, in Dutch."""
    return browsers.open()
