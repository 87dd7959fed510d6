"""Fixtures shared by the whole suite.

Every test that asks for `app` (or anything built on it) runs twice: on SQLite
and on PostgreSQL. Each xdist worker has its own databases, with the tables
created once per worker.

A test runs inside one transaction on one connection that is rolled back at
its end (tests/isolation.py): its commits, and those of the requests it makes,
release SAVEPOINTs, so tests may commit freely and the next test starts on
empty tables. Tests whose commits must be real, because another connection,
thread or process has to see them, carry `@pytest.mark.commits` (or ask for
the mail dispatcher, which marks mails on a connection of its own); their
tables are emptied afterwards.

What the packages share lives once, at the root: the people and the `world`
here (tests/world.py), factories (tests/factories.py), apps and signing in
(tests/apps.py), reading pages and mails (tests/pages.py), the SMTP server
(tests/mail.py), other servers (tests/servers.py), time (tests/clock.py) and
counting statements (tests/queries.py). A package's conftest only names its
cast or adds what is its own (docs/decisions/0013).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess

import pytest
from sqlalchemy import text

from tests.apps import login, make_app
from tests.isolation import rolled_back
from tests.postgres import ThrowAwayCluster, create_database
from tests.servers import free_port, wait_until
from tests.world import World
from tests.world import build as build_world

os.environ.setdefault("TECHNIEKPOORT_SECRET_KEY", "test-secret-key-not-for-production")
# The application refuses to start without a public address; the processes the
# tests start (gunicorn, the scheduler, CLI commands) inherit this one.
os.environ.setdefault("TECHNIEKPOORT_BASE_URL", "http://techniekpoort.test")

# Fixtures the whole suite shares, kept in modules of their own.
pytest_plugins = ["tests.mail"]

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


def commits_for_real(request) -> bool:
    return (
        request.node.get_closest_marker("commits") is not None or "dispatch" in request.fixturenames
    )


@pytest.fixture
def app(_session_app, request):
    """The application, inside an app context, on a clean database."""
    from app.extensions import db

    saved = dict(_session_app.config)
    real = commits_for_real(request)
    context = _session_app.app_context()
    context.push()
    try:
        if real:
            yield _session_app
        else:
            with rolled_back(_session_app):
                yield _session_app
    finally:
        db.session.remove()
        context.pop()
        _session_app.config.clear()
        _session_app.config.update(saved)
        if real:
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
def cast() -> dict:
    """What a package calls the members of the world: {member: {column: value}}
    (tests/world.py); a package's conftest overrides it."""
    return {}


@pytest.fixture
def world(db, cast) -> World:
    """The cast of two schools, two companies and a network (tests/world.py)."""
    return build_world(cast)


@pytest.fixture
def events(db):
    """The event log so far (optionally of one event name), oldest first."""
    from sqlalchemy import select

    from app.events.models import EventLogEntry

    def read(name: str | None = None):
        query = select(EventLogEntry).order_by(EventLogEntry.id)
        if name:
            query = query.where(EventLogEntry.name == name)
        return list(db.session.scalars(query))

    return read


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


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory):
    """A Redis server of its own, for the limits and the caches that Redis shares
    between workers (tests/security/test_gunicorn.py, tests/catalogue/test_cache.py)."""
    server = shutil.which("redis-server")
    if server is None:
        pytest.skip("redis-server is not installed (scripts/ensure-redis.sh installs it)")
    port = free_port()
    work = tmp_path_factory.mktemp("redis")
    process = subprocess.Popen(
        [
            server,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(work),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )

    def answers() -> bool:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return True
        except OSError:
            return False

    try:
        wait_until(answers, 20, "Redis")
    except AssertionError:
        process.kill()
        raise
    try:
        yield f"redis://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(10)
