"""The Alembic revisions build the schema the models describe, on both backends.

From an empty database: `flask db upgrade`, then the equivalent of `flask db
check` (autogenerate finds nothing to do), then `flask db downgrade base` leaves
nothing behind, and upgrading again works. Each run uses a database of its own,
not the suite's shared one, which is made by create_all().
"""

from __future__ import annotations

import logging
import os
from contextlib import contextmanager
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from tests.apps import make_app
from tests.postgres import create_database

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


@contextmanager
def logging_left_alone():
    """migrations/env.py runs logging.config.fileConfig(alembic.ini): that adds a
    handler bound to the stderr of the moment (pytest's capture, closed later) and
    disables every logger it does not name. Put everything back afterwards, so
    the tests that run later in this process log as before."""
    root = logging.getLogger()
    root_state = (root.level, root.handlers[:])
    loggers = {
        name: (logger.disabled, logger.level, logger.handlers[:], logger.propagate)
        for name, logger in logging.root.manager.loggerDict.items()
        if isinstance(logger, logging.Logger)
    }
    try:
        yield
    finally:
        root.setLevel(root_state[0])
        root.handlers[:] = root_state[1]
        for name, logger in logging.root.manager.loggerDict.items():
            if not isinstance(logger, logging.Logger):
                continue
            if name in loggers:
                logger.disabled, level, handlers, logger.propagate = loggers[name]
                logger.setLevel(level)
                logger.handlers[:] = handlers
            else:
                logger.disabled = False
                logger.handlers.clear()
                logger.setLevel(logging.NOTSET)


@pytest.fixture
def empty_database(backend, request, tmp_path):
    """The URL of a new, empty database on the backend under test."""
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'migrations.db'}"
    server = request.getfixturevalue("postgres_server")
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    return create_database(server, f"tp_migrations_{worker}")


@pytest.fixture
def migration_app(empty_database, tmp_path):
    app = make_app(empty_database, tmp_path)
    with app.app_context(), logging_left_alone():
        yield app
        from app.extensions import db

        db.session.remove()
        db.engine.dispose()


def schema_drift(app) -> list:
    """What `flask db migrate` would generate now: empty when models and
    migrations agree. Compared with the options the app's Migrate object uses."""
    from app.extensions import db

    options = {
        key: value
        for key, value in app.extensions["migrate"].configure_args.items()
        if key in ("compare_type", "compare_server_default", "include_object", "include_name")
    }
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts=options)
        return compare_metadata(context, db.metadata)


def tables(app) -> set[str]:
    from app.extensions import db

    return set(inspect(db.engine).get_table_names())


def test_the_revisions_form_one_line():
    """Two engineers adding revisions at once give two heads, and `flask db upgrade`
    refuses to choose between them."""
    heads = ScriptDirectory(str(MIGRATIONS)).get_heads()
    assert len(heads) == 1, f"several heads, merge them (flask db merge): {heads}"


def test_upgrade_from_empty_matches_the_models_and_downgrades_to_nothing(migration_app):
    from flask_migrate import downgrade, upgrade

    from app.extensions import db

    assert tables(migration_app) == set()

    upgrade()
    model_tables = {table.name for table in db.metadata.sorted_tables}
    assert tables(migration_app) == model_tables | {"alembic_version"}
    drift = schema_drift(migration_app)
    assert drift == [], "models and migrations disagree; add a revision:\n" + "\n".join(
        map(repr, drift)
    )

    downgrade(revision="base")
    assert tables(migration_app) <= {"alembic_version"}

    # Downgrading really removed everything (indexes, constraints, types):
    # the way up works a second time.
    upgrade()
    assert schema_drift(migration_app) == []
