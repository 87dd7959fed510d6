"""A live server on a demo database of its own, and a real Chromium to drive it.

These tests do not use the suite's `app` fixture (one per backend, emptied after
every test): the browser needs a server running in the background on a database
that holds the demo region. They share one xdist worker (`xdist_group("e2e")`)
so the server and the browser start once.
"""

from __future__ import annotations

import threading

import pytest
from werkzeug.serving import WSGIRequestHandler, make_server

from tests.conftest import make_app

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


class QuietHandler(WSGIRequestHandler):
    """No access log: werkzeug would attach a handler to the test's stderr."""

    def log_request(self, *args, **kwargs):
        pass

    def log(self, *args, **kwargs):
        pass


@pytest.fixture(scope="session")
def demo_app(tmp_path_factory):
    from app.demo import load_demo
    from app.extensions import db

    directory = tmp_path_factory.mktemp("e2e")
    app = make_app(
        f"sqlite:///{directory / 'e2e.db'}",
        directory,
        WTF_CSRF_ENABLED=True,  # a real browser sends the real tokens
        TESTING=False,  # errors render the 500 page, as in production
    )
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


@pytest.fixture
def page(browser, live_server):
    """A fresh page in a context of its own: no cookies from the test before."""
    context = browser.new_context(base_url=live_server, locale="nl-NL")
    context.set_default_timeout(15_000)
    try:
        yield context.new_page()
    finally:
        context.close()
