"""Applications and clients for tests: an app on a given database with the
suite's settings, a test client that behaves like separate browsers, and
signing in."""

from __future__ import annotations

from flask import g, has_app_context
from flask.testing import FlaskClient

from app.config import RATELIMITS


class IsolatedClient(FlaskClient):
    """Requests in a test reuse the test's app context, and with it `g`, where
    Flask-Login caches the signed-in user and Flask-Babel the chosen locale.
    Forget both before every request, so two clients in one test are two
    different people, and a language switch shows on the next page.

    What the test made is committed first, as it would be before a real
    request arrives: the rate limits count on a connection of their own, and
    on SQLite that one waits for any writer (app/throttle/storage.py)."""

    def open(self, *args, **kwargs):
        if has_app_context():
            from app.extensions import db

            db.session.commit()
            g.pop("_login_user", None)
            g.pop("_flask_babel", None)
        return super().open(*args, **kwargs)


def make_app(url: str, tmp_dir, **overrides):
    from app import create_app

    config = {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": url,
        "WTF_CSRF_ENABLED": False,
        "OUTBOX_DIR": str(tmp_dir / "outbox"),
        "SMTP_URL": "",
        "BASE_URL": "http://techniekpoort.test",
        # On whatever the environment says (the bench package turns them off),
        # and high: tests that count them set their own numbers.
        "RATELIMIT_ENABLED": True,
        "RATELIMITS": {name: "10000 per hour" for name in RATELIMITS},
    }
    config.update(overrides)
    app = create_app(config)
    app.test_client_class = IsolatedClient
    return app


def login(client, user, password: str = "secret-password"):
    response = client.post("/login", data={"email": user.email, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return client
