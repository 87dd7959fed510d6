"""The README's screenshots: the three roles' main pages on a phone and a desktop.

Loads the demo region into a throw-away SQLite database, serves it on a free
local port, signs in as each demo account in Chromium and writes one PNG per
page and width into docs/screenshots/ (the viewport only, so the files stay
small). Run it after a change to the interface:

    .venv/bin/python scripts/screenshots.py [--only catalogue]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("TECHNIEKPOORT_SECRET_KEY", "screenshots-only")
# No mail leaves and no feed is shared: the links only need to be well-formed.
os.environ.setdefault("TECHNIEKPOORT_BASE_URL", "http://127.0.0.1")

WIDTHS = {"phone": {"width": 375, "height": 700}, "desktop": {"width": 1280, "height": 800}}
# (file name, account, path): each role's home page and the page it uses most.
PAGES = [
    ("teacher-home", "docent@demo.test", "/"),
    ("teacher-catalogue", "docent@demo.test", "/catalogue?year=3"),
    ("company-home", "bedrijf@demo.test", "/"),
    ("company-incoming", "bedrijf@demo.test", "/company/bookings"),
    ("coordinator-home", "coordinator@demo.test", "/"),
    ("coordinator-figures", "coordinator@demo.test", "/insights"),
]
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
    "--hide-scrollbars",
]


def serve(directory: Path) -> str:
    from werkzeug.serving import make_server

    from app import create_app
    from app.demo import load_demo
    from app.extensions import db

    os.environ["TECHNIEKPOORT_DATABASE_URL"] = f"sqlite:///{directory / 'demo.db'}"
    app = create_app()
    with app.app_context():
        db.create_all()
        load_demo()
        db.session.commit()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_port}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", help="only the pages whose name contains this")
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as directory:
        base = serve(Path(directory))
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
            )
            for name, email, path in PAGES:
                if args.only and args.only not in name:
                    continue
                for device, viewport in WIDTHS.items():
                    context = browser.new_context(base_url=base, viewport=viewport, locale="nl-NL")
                    page = context.new_page()
                    page.goto("/login")
                    page.fill("input[name=email]", email)
                    page.fill("input[name=password]", "techniek")
                    page.locator("main form button[type=submit]").click()
                    page.wait_for_url("**/")
                    page.goto(path)
                    page.wait_for_load_state("networkidle")
                    target = out / f"{name}-{device}.png"
                    page.screenshot(path=str(target))
                    print(target, target.stat().st_size // 1024, "KiB")
                    context.close()
            browser.close()


if __name__ == "__main__":
    main()
