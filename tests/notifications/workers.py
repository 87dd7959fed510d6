"""Dispatcher processes for the exactly-once tests, started with
multiprocessing's 'spawn': each is a fresh interpreter that builds its own app
against the test's database and SMTP server, like a second scheduler would."""

from __future__ import annotations

import time
from pathlib import Path


def run_dispatcher(url: str, tmp_dir: str, smtp_url: str, ready, results, batch_size: int) -> None:
    from tests.apps import make_app

    app = make_app(url, Path(tmp_dir), SMTP_URL=smtp_url)
    with app.app_context():
        from app.extensions import db
        from app.notifications.dispatcher import dispatch_all

        # Connect first, then wait for the others: all dispatchers begin together.
        db.session.connection()
        db.session.commit()
        ready.wait(60)
        started = time.monotonic()
        total = dispatch_all(batch_size=batch_size)
        results.put((sorted(total.sent), time.monotonic() - started))
        db.session.remove()
        db.engine.dispose()
