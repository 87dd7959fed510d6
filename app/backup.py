"""`flask --app wsgi backup create PATH` and `backup restore PATH`.

SQLite: `create` copies the database with SQLite's online backup API
(sqlite3.Connection.backup) in one step, which reads one consistent snapshot
while the web workers and the scheduler go on writing (WAL mode lets them),
checks the copy and moves it into place, so PATH is a complete database or
does not exist. `restore` writes a backup into the configured database with
the same API.

PostgreSQL: the same commands run pg_dump (custom format, one consistent
snapshot) and pg_restore; operators may use those tools directly as well
(README, "Backups").

Restoring replaces everything, so `restore`:
- refuses while the application runs: another process has the SQLite file
  open (seen through /proc on Linux), another session is connected to the
  PostgreSQL database, or the scheduler beat in the last two minutes;
- refuses to overwrite a database that holds data unless asked with
  --replace, and then first saves that database beside it;
- refuses a file that is no Techniekpoort backup, is damaged, or comes from
  a newer version of the code (its migration is unknown here).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import tempfile
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from flask import current_app
from sqlalchemy import func, inspect, select
from sqlalchemy.engine import make_url

from app.extensions import db
from app.scheduler_state import SchedulerHeartbeat
from app.timeutil import utcnow

# The scheduler beats every 30 seconds (app/scheduler.py).
RUNNING_IF_BEAT_WITHIN = timedelta(minutes=2)


class BackupError(Exception):
    """A backup or restore that cannot go ahead, with the reason for the operator."""


@dataclass(frozen=True)
class Outcome:
    path: Path
    revision: str | None
    saved_previous: Path | None = None


# --- where the database is -------------------------------------------------------------


def _url():
    return make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])


def _dialect() -> str:
    name = _url().get_backend_name()
    if name not in ("sqlite", "postgresql"):
        raise BackupError(f"backups support SQLite and PostgreSQL, not {name}")
    return name


def sqlite_file() -> Path:
    database = _url().database
    if not database or database == ":memory:":
        raise BackupError("the SQLite database is in memory: there is no file to back up")
    return Path(database).resolve()


def _libpq() -> tuple[str, dict]:
    """A libpq connection string without the password, and the environment
    that carries it (so it never shows in the process list)."""
    url = _url()
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = url.password
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _tool(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise BackupError(f"{name} is not installed (apt-get install postgresql-client)")
    return found


def _run(command: list[str], env: dict) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} failed: {result.stderr.strip()}")


# --- what a database or backup holds -------------------------------------------------


def _scripts():
    from alembic.script import ScriptDirectory

    return ScriptDirectory(current_app.extensions["migrate"].directory)


def known_revisions() -> set[str]:
    return {script.revision for script in _scripts().walk_revisions()}


def head_revisions() -> set[str]:
    return set(_scripts().get_heads())


def _sqlite_revision(connection: sqlite3.Connection) -> str | None:
    try:
        row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.DatabaseError:
        return None
    return row[0] if row else None


def _check_sqlite_backup(path: Path) -> str:
    """The backup's migration revision, after checking it is whole and ours."""
    try:
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error as error:
        raise BackupError(f"{path} cannot be opened: {error}") from error
    try:
        try:
            state = connection.execute("PRAGMA integrity_check").fetchone()[0]
        except sqlite3.DatabaseError as error:
            raise BackupError(f"{path} is not an SQLite database: {error}") from error
        if state != "ok":
            raise BackupError(f"{path} is damaged: {state}")
        revision = _sqlite_revision(connection)
    finally:
        connection.close()
    return _known(path, revision)


def _known(path: Path, revision: str | None) -> str:
    if revision is None:
        raise BackupError(f"{path} holds no Techniekpoort database (no migration revision)")
    if revision not in known_revisions():
        raise BackupError(
            f"{path} comes from a newer version of Techniekpoort (revision {revision}); "
            "restore it with that version"
        )
    return revision


def _archive_revision(path: Path, env: dict) -> str | None:
    """The migration revision inside a pg_dump archive, read without restoring."""
    result = subprocess.run(
        [_tool("pg_restore"), "--data-only", "--table=alembic_version", "--file=-", str(path)],
        env=env,
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise BackupError(f"{path} is not a pg_dump archive: {result.stderr.strip()}")
    lines = result.stdout.splitlines()
    for number, line in enumerate(lines):
        if line.startswith("COPY ") and "alembic_version" in line and number + 1 < len(lines):
            value = lines[number + 1].strip()
            return value if value and value != "\\." else None
    return None


def _holds_data() -> bool:
    return bool(inspect(db.engine).get_table_names())


def _current_revision() -> str | None:
    from sqlalchemy import text

    if "alembic_version" not in inspect(db.engine).get_table_names():
        return None
    with db.engine.connect() as connection:
        return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


# --- is the application running? -----------------------------------------------------


def _scheduler_beat_recently() -> bool:

    if "scheduler_heartbeat" not in inspect(db.engine).get_table_names():
        return False
    # Any scheduler of the deployment: two may run, each under its own name.
    newest = db.session.scalar(select(func.max(SchedulerHeartbeat.beat_at)))
    db.session.remove()
    return newest is not None and utcnow() - newest < RUNNING_IF_BEAT_WITHIN


def processes_with_open(path: Path) -> list[int]:
    """Other processes that have the SQLite file (or its WAL) open: web
    workers and the scheduler keep connections. Linux only; elsewhere the
    scheduler's heartbeat is the only sign."""
    names = {str(path), f"{path}-wal", f"{path}-shm"}
    found = []
    proc = Path("/proc")
    if not proc.is_dir():
        return found
    for entry in proc.iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            if any(os.readlink(fd) in names for fd in (entry / "fd").iterdir()):
                found.append(int(entry.name))
        except OSError:  # gone, or not ours to look at
            continue
    return sorted(found)


def _postgres_sessions() -> int:
    from sqlalchemy import text

    with db.engine.connect() as connection:
        return connection.execute(
            text(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        ).scalar()


def refuse_if_running(dialect: str) -> None:
    if _scheduler_beat_recently():
        raise BackupError("the scheduler is running (it beat less than two minutes ago): stop it")
    if dialect == "sqlite":
        db.engine.dispose()
        others = processes_with_open(sqlite_file())
        if others:
            pids = ", ".join(map(str, others))
            raise BackupError(f"the database is open in other processes ({pids}): stop them")
    else:
        db.engine.dispose()
        if _postgres_sessions():
            raise BackupError("other sessions are connected to the database: stop the application")


# --- create ----------------------------------------------------------------------------


def _refuse_existing(path: Path) -> None:
    if path.exists():
        raise BackupError(f"{path} exists already: choose a new file")
    if not path.parent.is_dir():
        raise BackupError(f"the folder {path.parent} does not exist")


def _sqlite_copy(source: sqlite3.Connection, target: sqlite3.Connection) -> None:
    # pages=-1: the whole database in one step, from one read snapshot; in
    # steps, every write in between would make SQLite start again.
    source.backup(target, pages=-1)


def create_backup(path: Path) -> Outcome:
    path = path.resolve()
    _refuse_existing(path)
    if _dialect() == "postgresql":
        conninfo, env = _libpq()
        partial = path.with_name(path.name + ".partial")
        _run([_tool("pg_dump"), "--format=custom", f"--file={partial}", conninfo], env)
        os.replace(partial, path)
        return Outcome(path, _current_revision())

    database = sqlite_file()
    if not database.exists():
        raise BackupError(f"there is no database at {database}")
    handle, partial_name = tempfile.mkstemp(
        prefix=path.name + ".", suffix=".partial", dir=path.parent
    )
    os.close(handle)
    partial = Path(partial_name)
    try:
        source = sqlite3.connect(database, timeout=30)
        target = sqlite3.connect(partial)
        try:
            _sqlite_copy(source, target)
            # A backup is one self-contained file, whatever the live database's mode.
            target.execute("PRAGMA journal_mode=DELETE")
        finally:
            target.close()
            source.close()
        revision = _check_sqlite_backup(partial)
        with open(partial, "rb") as written:
            os.fsync(written.fileno())
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    return Outcome(path, revision)


# --- restore ---------------------------------------------------------------------------


def restore_backup(path: Path, *, replace: bool = False) -> Outcome:
    path = path.resolve()
    if not path.is_file():
        raise BackupError(f"there is no backup at {path}")
    dialect = _dialect()
    if dialect == "sqlite":
        revision = _check_sqlite_backup(path)
    else:
        conninfo, env = _libpq()
        revision = _known(path, _archive_revision(path, env))
    refuse_if_running(dialect)
    saved = None
    if _holds_data():
        if not replace:
            raise BackupError(
                "the database holds data already; restore into an empty database, or "
                "add --replace to replace it (it is saved beside the backup first)"
            )
        stamp = utcnow().strftime("%Y%m%dT%H%M%SZ")
        saved = path.with_name(f"before-restore-{stamp}{path.suffix or '.backup'}")
        create_backup(saved)
    db.engine.dispose()
    if dialect == "sqlite":
        target_file = sqlite_file()
        target_file.parent.mkdir(parents=True, exist_ok=True)
        source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        target = sqlite3.connect(target_file, timeout=30)
        try:
            _sqlite_copy(source, target)
            state = target.execute("PRAGMA integrity_check").fetchone()[0]
        finally:
            target.close()
            source.close()
        if state != "ok":
            raise BackupError(f"the restored database is damaged: {state}")
    else:
        _run(
            [
                _tool("pg_restore"),
                "--clean",
                "--if-exists",
                "--no-owner",
                "--no-privileges",
                "--single-transaction",
                "--exit-on-error",
                f"--dbname={conninfo}",
                str(path),
            ],
            env,
        )
    return Outcome(path, revision, saved)
