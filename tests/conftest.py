"""Fixtures shared by the whole suite.

Every test that asks for `app` (or anything built on it) runs twice: on SQLite
and on PostgreSQL. Each xdist worker has its own databases; tables are created
once per worker and emptied after every test, so tests may commit freely.
"""

from __future__ import annotations

import os

import pytest
from flask import g, has_app_context
from flask.testing import FlaskClient
from sqlalchemy import text

from app.config import RATELIMITS
from tests.postgres import ThrowAwayCluster, create_database

os.environ.setdefault("TECHNIEKPOORT_SECRET_KEY", "test-secret-key-not-for-production")
# The application refuses to start without a public address; the processes the
# tests start (gunicorn, the scheduler, CLI commands) inherit this one.
os.environ.setdefault("TECHNIEKPOORT_BASE_URL", "http://techniekpoort.test")

BACKENDS = ["sqlite", "postgresql"]


def _worker() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


@pytest.fixture(scope="session")
def postgres_server():
    configured = os.environ.get("TECHNIEKPOORT_TEST_POSTGRES_URL")
    if configured:
        yield configured
        return
    cluster = ThrowAwayCluster()
    try:
        yield cluster.start()
    finally:
        cluster.stop()


@pytest.fixture(scope="session")
def database_url(request, tmp_path_factory):
    """A URL per backend, created lazily so a SQLite-only run starts no cluster."""
    urls: dict[str, str] = {}

    def url_for(backend: str) -> str:
        if backend not in urls:
            if backend == "sqlite":
                urls[backend] = f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'test.db'}"
            else:
                server = request.getfixturevalue("postgres_server")
                urls[backend] = create_database(server, f"tp_test_{_worker()}")
        return urls[backend]

    return url_for


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request) -> str:
    return request.param


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


@pytest.fixture(scope="session")
def _session_app(backend, database_url, tmp_path_factory):
    from app.extensions import db

    app = make_app(database_url(backend), tmp_path_factory.mktemp(f"app-{backend}"))
    with app.app_context():
        db.drop_all()
        db.create_all()
    yield app
    with app.app_context():
        db.engine.dispose()


def empty_all_tables(app) -> None:
    from app.extensions import db

    with app.app_context():
        db.session.remove()
        tables = db.metadata.sorted_tables
        with db.engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                names = ", ".join(f'"{t.name}"' for t in tables)
                connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
            else:
                for table in reversed(tables):
                    connection.execute(table.delete())


@pytest.fixture
def app(_session_app):
    """The application, inside an app context, on a clean database."""
    saved = dict(_session_app.config)
    context = _session_app.app_context()
    context.push()
    try:
        yield _session_app
    finally:
        from app.extensions import db

        db.session.remove()
        context.pop()
        _session_app.config.clear()
        _session_app.config.update(saved)
        empty_all_tables(_session_app)


@pytest.fixture
def db(app):
    from app.extensions import db as database

    return database


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def csrf_enabled(app):
    app.config["WTF_CSRF_ENABLED"] = True
    yield


def login(client, user, password: str = "secret-password"):
    response = client.post("/login", data={"email": user.email, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return client


@pytest.fixture
def teacher(db):
    from tests import factories

    school = factories.school()
    return factories.user(school, "teacher", email="teacher@school.test")


@pytest.fixture
def contact(db):
    from tests import factories

    company = factories.company()
    return factories.user(company, "contact", email="contact@company.test")


@pytest.fixture
def coordinator(db):
    from tests import factories

    network = factories.network()
    return factories.user(network, "coordinator", email="coordinator@network.test")


@pytest.fixture
def teacher_client(app, teacher):
    return login(app.test_client(), teacher)


@pytest.fixture
def contact_client(app, contact):
    return login(app.test_client(), contact)


@pytest.fixture
def coordinator_client(app, coordinator):
    return login(app.test_client(), coordinator)


@pytest.fixture
def outbox(app):
    """The mails composed so far (rows of outgoing_mail), newest last."""
    from sqlalchemy import select

    from app.extensions import db as database
    from app.notifications.models import OutgoingMail

    def read(kind: str | None = None):
        query = select(OutgoingMail).order_by(OutgoingMail.id)
        if kind:
            query = query.where(OutgoingMail.kind == kind)
        return list(database.session.scalars(query))

    return read
