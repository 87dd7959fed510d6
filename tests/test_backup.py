"""`flask backup create` and `backup restore` (app/backup.py), on SQLite and
PostgreSQL: a backup taken while a thread keeps booking through the services
restores into a new instance, and every table compares.

Each run uses databases of its own, not the suite's shared one: the source
is migrated as in production, the new instances are empty until restored."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from contextlib import contextmanager

import pytest
from sqlalchemy import create_engine, func, select

from tests.apps import make_app
from tests.postgres import create_database
from tests.test_migrations import logging_left_alone

# A backup reads what is committed, while bookings come in from threads.
pytestmark = pytest.mark.commits

WORKER = os.environ.get("PYTEST_XDIST_WORKER", "main")


@pytest.fixture
def new_database(backend, request, tmp_path):
    """A function that makes the URL of a new, empty database."""
    made = []

    def make(name: str) -> str:
        if backend == "sqlite":
            url = f"sqlite:///{tmp_path / (name + '.db')}"
        else:
            url = create_database(
                request.getfixturevalue("postgres_server"), f"tp_backup_{name}_{WORKER}"
            )
        made.append(url)
        return url

    return make


@contextmanager
def instance(url, tmp_path, *, migrate=False):
    app = make_app(url, tmp_path)
    with app.app_context():
        from app.extensions import db

        if migrate:
            from flask_migrate import upgrade

            with logging_left_alone():
                upgrade()
        try:
            yield app
        finally:
            db.session.remove()
            db.engine.dispose()


def table_rows(url: str) -> dict[str, list[tuple]]:
    """Every row of every table (and the migration revision), in key order."""
    from app.extensions import db

    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            found = {}
            for table in db.metadata.sorted_tables:
                order = list(table.primary_key.columns) or list(table.columns)
                found[table.name] = [
                    tuple(row) for row in connection.execute(select(table).order_by(*order))
                ]
            found["alembic_version"] = [
                tuple(row)
                for row in connection.exec_driver_sql("SELECT version_num FROM alembic_version")
            ]
            return found
    finally:
        engine.dispose()


class BookingWriter(threading.Thread):
    """Books group after group through the services, one commit each, as the
    web workers would, until told to stop. `committed` counts the bookings;
    `reached(n)` waits for the n-th without sleeping on the clock."""

    def __init__(self, app, slot_ids, school_id, teacher_id):
        super().__init__(daemon=True)
        self.app, self.slot_ids = app, slot_ids
        self.school_id, self.teacher_id = school_id, teacher_id
        self.committed = 0
        self.stop = threading.Event()
        self.progress = threading.Condition()
        self.error: BaseException | None = None

    def run(self):
        from app.accounts.models import Organisation, User
        from app.bookings import service
        from app.catalogue.models import Slot
        from app.extensions import db

        try:
            with self.app.app_context():
                n = 0
                while not self.stop.is_set():
                    slot = db.session.get(Slot, self.slot_ids[n % len(self.slot_ids)])
                    service.request_booking(
                        db.session.get(User, self.teacher_id),
                        slot,
                        db.session.get(Organisation, self.school_id),
                        service.Group(size=5, year="3", path="KB", profile="PIE"),
                    )
                    db.session.commit()
                    n += 1
                    with self.progress:
                        self.committed = n
                        self.progress.notify_all()
                db.session.remove()
        except BaseException as error:  # reported to the test
            self.error = error
            with self.progress:
                self.progress.notify_all()

    def reached(self, count: int) -> int:
        with self.progress:
            assert self.progress.wait_for(
                lambda: self.committed >= count or self.error is not None, timeout=120
            ), "the writer made no progress"
        assert self.error is None, self.error
        return self.committed


def seed(db):
    from tests import factories

    school = factories.school()
    teacher = factories.user(school, "teacher")
    company = factories.company()
    contact = factories.user(company, "contact")
    activity = factories.activity(company, contact=contact, requires_approval=False)
    slots = [factories.slot(activity, days_ahead=14 + n, capacity=200) for n in range(20)]
    db.session.commit()
    return [s.id for s in slots], school.id, teacher.id


def backup(app, *args):
    result = app.test_cli_runner().invoke(args=["backup", *args])
    return result.exit_code, result.output


def test_a_backup_taken_while_bookings_come_in_restores_into_a_new_instance(
    backend, new_database, tmp_path
):
    from app.bookings.models import Booking
    from app.catalogue.models import Slot
    from app.events.models import EventLogEntry
    from app.extensions import db

    source_url = new_database("source")
    during, after = tmp_path / "during.backup", tmp_path / "after.backup"
    with instance(source_url, tmp_path, migrate=True) as source:
        slot_ids, school_id, teacher_id = seed(db)
        writer = BookingWriter(source, slot_ids, school_id, teacher_id)
        writer.start()
        try:
            before = writer.reached(5)
            code, output = backup(source, "create", str(during))
            assert code == 0, output
            # The writer went on while the backup was made, and after it.
            written_by_then = writer.committed
            writer.reached(written_by_then + 5)
        finally:
            writer.stop.set()
            writer.join(timeout=60)
        assert writer.error is None, writer.error
        total = writer.committed
        # Quiet now: a second backup is the source exactly.
        code, output = backup(source, "create", str(after))
        assert code == 0, output
        # A backup is never overwritten.
        code, output = backup(source, "create", str(after))
        assert code != 0 and "exists already" in output
    source_rows = table_rows(source_url)
    assert len(source_rows["booking"]) == total

    # The quiet backup, restored into a new instance: every table compares.
    quiet_url = new_database("quiet")
    with instance(quiet_url, tmp_path) as quiet:
        code, output = backup(quiet, "restore", str(after))
        assert code == 0, output
    assert table_rows(quiet_url) == source_rows

    # The backup taken under load is one consistent moment between the
    # bookings before and after it.
    busy_url = new_database("busy")
    with instance(busy_url, tmp_path) as busy:
        code, output = backup(busy, "restore", str(during))
        assert code == 0, output
        restored_rows = table_rows(busy_url)
        if backend == "sqlite":
            # The restore is the backup file, row for row.
            assert restored_rows == table_rows(f"sqlite:///{during}")
        restored = db.session.scalars(select(Booking).order_by(Booking.id)).all()
        assert before <= len(restored) <= written_by_then
        assert [b.id for b in restored] == [row[0] for row in source_rows["booking"]][
            : len(restored)
        ]
        for slot in db.session.scalars(select(Slot)):
            held = db.session.scalar(
                select(func.coalesce(func.sum(Booking.group_size), 0)).where(
                    Booking.slot_id == slot.id, Booking.status.in_(("requested", "confirmed"))
                )
            )
            assert slot.taken == held
        # Each booking (confirmed at once: the activity needs no approval) with its event.
        confirmed = db.session.scalars(
            select(EventLogEntry.subject_id)
            .where(EventLogEntry.name == "BookingConfirmed")
            .order_by(EventLogEntry.id)
        ).all()
        assert confirmed == [b.id for b in restored]
        # The restored instance takes bookings where the old one stopped.
        from app.accounts.models import Organisation, User
        from app.bookings import service

        booking = service.request_booking(
            db.session.get(User, teacher_id),
            db.session.get(Slot, slot_ids[0]),
            db.session.get(Organisation, school_id),
            service.Group(size=5, year="3", path="KB", profile="PIE"),
        ).booking
        db.session.commit()
        # (PostgreSQL's sequences may have moved on while pg_dump ran: a gap, never a clash.)
        assert booking.id > restored[-1].id


def test_restore_refuses_to_overwrite_carelessly(backend, new_database, tmp_path):
    from app.extensions import db

    url = new_database("live")
    saved = tmp_path / "live.backup"
    with instance(url, tmp_path, migrate=True) as live:
        seed(db)
        code, output = backup(live, "create", str(saved))
        assert code == 0, output

        # A database that holds data is replaced only when asked...
        code, output = backup(live, "restore", str(saved))
        assert code != 0 and "--replace" in output
        # ...and never while the scheduler runs.
        from app.scheduler import heartbeat

        heartbeat()
        code, output = backup(live, "restore", "--replace", str(saved))
        assert code != 0 and "scheduler is running" in output
    if backend == "sqlite":
        # Nor while another process (a web worker) has the database open.
        process = subprocess.Popen(
            [
                sys.executable,
                "-c",
                "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); "
                "c.execute('SELECT 1 FROM organisation').fetchall(); print('open', flush=True); "
                "sys.stdin.read()",
                url.removeprefix("sqlite:///"),
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            assert process.stdout.readline().strip() == "open"
            with instance(url, tmp_path) as live:
                db.session.execute(db.text("DELETE FROM scheduler_heartbeat"))
                db.session.commit()
                code, output = backup(live, "restore", "--replace", str(saved))
                assert code != 0 and "open in other processes" in output
        finally:
            process.communicate("")

    with instance(url, tmp_path) as live:
        db.session.execute(db.text("DELETE FROM scheduler_heartbeat"))
        db.session.commit()
        code, output = backup(live, "restore", "--replace", str(saved))
        assert code == 0, output
        assert "saved in" in output
    previous = [p for p in tmp_path.iterdir() if p.name.startswith("before-restore-")]
    assert len(previous) == 1

    # What is not a Techniekpoort backup is refused before anything changes.
    junk = tmp_path / "junk.backup"
    junk.write_bytes(b"not a database at all")
    with instance(new_database("empty"), tmp_path) as empty:
        code, output = backup(empty, "restore", str(junk))
        assert code != 0
        assert not db.inspect(db.engine).get_table_names()
