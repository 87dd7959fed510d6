"""Where the database's schema stands against this code's migrations."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"

CURRENT = "current"  # at this code's head
AHEAD = "ahead"  # a newer release migrated it; this code still runs against it
BEHIND = "behind"  # this code's migrations have not run yet (or none at all)


@lru_cache(maxsize=1)
def _scripts() -> tuple[str, frozenset[str]]:
    """This code's head revision and every revision it knows; read once, the
    files do not change while the process runs."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    scripts = ScriptDirectory.from_config(config)
    return scripts.get_current_head(), frozenset(r.revision for r in scripts.walk_revisions())


def head() -> str:
    """This code's newest migration."""
    return _scripts()[0]


def state(session) -> str:
    try:
        revisions = set(session.execute(text("SELECT version_num FROM alembic_version")).scalars())
    except SQLAlchemyError:
        session.rollback()
        return BEHIND
    head, known = _scripts()
    if head in revisions:
        return CURRENT
    if revisions and not revisions <= known:
        return AHEAD
    return BEHIND
