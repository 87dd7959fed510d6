"""A live server on a demo database of its own, and a real Chromium to drive it.

These tests do not use the suite's `app` fixture (one per backend, emptied after
every test): the browser needs a server running in the background on a database
that holds the demo region. They share one xdist worker (`xdist_group("e2e")`)
so the server and the browser start once.

The server sends the Content-Security-Policy the product is served with, and
the map's tiles come from a second local server (another origin, as in
production; the machine has no network). Every page a test browser opens is
checked (tests/e2e/page_checks.js, and for browsers without JavaScript the
documents the server answered them, checked afterwards in a scripted copy):
axe-core finds no serious or critical violation and none of empty-table-header,
landmark-unique and heading-order; the document is no wider than the viewport;
nothing breaks the policy. A test fails at its end when a page did.
"""

from __future__ import annotations

import http.server
import itertools
import struct
import threading
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from flask import request
from werkzeug.serving import WSGIRequestHandler, make_server

from tests.conftest import make_app

CHROMIUM = "/usr/bin/chromium"
# As root Chromium needs --no-sandbox; with no network beyond the package
# registries it must not try to reach Google's services (DESIGN.md).
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


def content_security_policy(tile_origin: str) -> str:
    """The policy the product's pages are served with (issue 11's security
    headers): no inline script or style, images from here and the map tiles."""
    return (
        "default-src 'self'; script-src 'self'; style-src 'self'; "
        f"img-src 'self' data: {tile_origin}; connect-src 'self'; font-src 'self'; "
        "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
    )


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


@dataclass
class Documents:
    """The HTML documents the server sent to browsers without JavaScript, per
    test browser (CONTEXT_HEADER), to check after the test."""

    by_context: dict[str, list[tuple[str, int, dict, str]]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, context: str, url: str, status: int, headers: dict, html: str) -> None:
        with self.lock:
            self.by_context.setdefault(context, []).append((url, status, headers, html))

    def pop(self, context: str) -> list[tuple[str, int, dict, str]]:
        with self.lock:
            return self.by_context.pop(context, [])


@pytest.fixture(scope="session")
def documents() -> Documents:
    return Documents()


@pytest.fixture(scope="session")
def demo_app(tmp_path_factory, tile_server, documents):
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
    policy = content_security_policy(tile_server)

    @app.after_request
    def as_in_production(response):
        response.headers["Content-Security-Policy"] = policy
        context = request.headers.get(CONTEXT_HEADER)
        if (
            context
            and response.mimetype == "text/html"
            and not response.is_streamed
            and "HX-Request" not in request.headers
            and not 300 <= response.status_code < 400
        ):
            documents.add(
                context,
                request.url,
                response.status_code,
                dict(response.headers),
                response.get_data(as_text=True),
            )
        return response

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
    checked: int = 0

    def take(self, report: dict) -> None:
        kind, url, detail = report["kind"], report["url"], report["detail"]
        if kind == "checked":
            self.checked += 1
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


class Browsers:
    """Opens test browsers (contexts) that check every page they show."""

    def __init__(self, browser, live_server, documents: Documents):
        self.browser, self.live_server, self.documents = browser, live_server, documents
        self.findings = Findings()
        self.opened: list[tuple[object, str, bool, dict]] = []

    def _context(
        self,
        *,
        javascript: bool,
        viewport: dict,
        language: str,
        storage_state=None,
        manual: bool = False,
    ):
        context_id = f"c{next(_context_ids)}"
        context = self.browser.new_context(
            base_url=self.live_server,
            java_script_enabled=javascript,
            viewport=viewport,
            locale=LOCALES[language],
            extra_http_headers={
                "Accept-Language": LOCALES[language] + f",{language};q=0.9",
                **({} if javascript or manual else {CONTEXT_HEADER: context_id}),
            },
            storage_state=storage_state,
        )
        context.set_default_timeout(15_000)
        context.expose_binding("__e2eReport", lambda _source, report: self.findings.take(report))
        if manual:
            context.add_init_script(script="window.__e2eManual = true;")
        context.add_init_script(script=AXE)
        context.add_init_script(script=PAGE_CHECKS)
        return context, context_id

    def open(
        self,
        *,
        javascript: bool = True,
        viewport: dict = DESKTOP,
        language: str = "nl",
        storage_state=None,
    ):
        """A new page in a browser of its own (no cookies unless storage_state)."""
        context, context_id = self._context(
            javascript=javascript, viewport=viewport, language=language, storage_state=storage_state
        )
        self.opened.append((context, context_id, javascript, viewport))
        page = context.new_page()
        page.on(
            "pageerror",
            lambda error: self.findings.problems.append(f"JavaScript error on {page.url}: {error}"),
        )
        page.on("console", lambda message: self._console(page, message))
        return page

    def _console(self, page, message) -> None:
        if message.type == "error" and "Content Security Policy" in message.text:
            self.findings.problems.append(f"{page.url}: {message.text}")

    def finish(self) -> list[str]:
        """Checks what is still on screen and every document shown without
        JavaScript, closes the browsers, and returns the problems found."""
        checker = None
        try:
            for context, context_id, javascript, viewport in self.opened:
                if javascript:
                    for page in context.pages:
                        if not page.is_closed() and page.url.startswith(self.live_server):
                            try:
                                page.evaluate("window.__e2eCheck && window.__e2eCheck()")
                            except Exception:  # a page closing as the test ends
                                pass
                    continue
                docs = self.documents.pop(context_id)
                if not docs:
                    continue
                checker, _id = self._context(
                    javascript=True, viewport=viewport, language="nl", manual=True
                )
                self._check_documents(checker, docs)
                checker.close()
                checker = None
        finally:
            if checker is not None:
                checker.close()
            for context, *_rest in self.opened:
                context.close()
        return self.findings.problems

    def _check_documents(self, checker, docs) -> None:
        """Each document as the server sent it, in a browser that runs only the
        checks: the product's own scripts are not loaded, as without JavaScript."""
        page = checker.new_page()
        page.route("**/*.js", lambda route: route.abort())
        for url, status, headers, html in docs:
            page.route(url, _answer_with(status, headers, html))
            page.goto(url)
            page.evaluate("window.__e2eCheck()")
            page.unroute(url)


def _answer_with(status: int, headers: dict, html: str):
    def answer(route):
        route.fulfill(status=status, headers=headers, body=html)

    return answer


@pytest.fixture
def browsers(browser, live_server, documents):
    """Test browsers whose every page is checked; the test fails at its end
    when a page did not pass."""
    opened = Browsers(browser, live_server, documents)
    try:
        yield opened
    finally:
        problems = opened.finish()
    assert not problems, "\n".join(problems)


@pytest.fixture
def page(browsers):
    """A fresh desktop page with JavaScript, in Dutch."""
    return browsers.open()
