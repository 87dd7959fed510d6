"""The proof that a slot is never overbooked (docs/INTEROPERABILITY.md, rule 17), on SQLite and
PostgreSQL: many booking requests fired at one slot at the same moment, from
threads and from separate processes, each a whole request with its own session
and commit. Afterwards the places held by the bookings add up to the slot's
`taken`, never beyond its capacity, and the slot did fill up.
"""

from __future__ import annotations

import multiprocessing
import random
import threading

import pytest
from sqlalchemy import select

from app.bookings.models import HOLDING, Booking
from app.catalogue.models import Slot
from tests import factories
from tests.apps import make_app
from tests.bookings.helpers import book, holding_students
from tests.bookings.workers import Attempt, book_once, cancel_once, run_in_process, run_in_thread

# Threads and processes book at once: each sees the others' commits.
pytestmark = pytest.mark.commits

CAPACITY = 30
ATTEMPTS = 40


@pytest.fixture
def concurrent_app(app, tmp_path):
    """A second application on the test's database, with a connection for every
    thread, so the database (not the pool) decides who waits."""
    other = make_app(
        app.config["SQLALCHEMY_DATABASE_URI"],
        tmp_path,
        SQLALCHEMY_ENGINE_OPTIONS={
            "pool_size": ATTEMPTS + 5,
            "max_overflow": 0,
            "pool_timeout": 20,
        },
    )
    yield other
    from app.extensions import db

    with other.app_context():
        db.engine.dispose()


@pytest.fixture
def crowd(db, contact):
    """A slot for 30 students and eight schools with a teacher each."""
    company = contact.organisations()[0]
    activity = factories.activity(company, max_group_size=30)
    slot = factories.slot(activity, capacity=CAPACITY)
    teachers = []
    for _ in range(8):
        school = factories.school()
        teachers.append((factories.user(school, "teacher"), school))
    db.session.commit()
    return slot, teachers


def attempts_for(
    teachers, count: int = ATTEMPTS, *, waitlist_every: int = 0, seed: int = 17
) -> list[Attempt]:
    """Groups of 1 to 5 students from the schools in turn; far more than fit."""
    rng = random.Random(seed)
    return [
        Attempt(
            user_id=teachers[i % len(teachers)][0].id,
            school_id=teachers[i % len(teachers)][1].id,
            size=rng.randint(1, 5),
            waitlist=bool(waitlist_every) and i % waitlist_every == 0,
        )
        for i in range(count)
    ]


def in_threads(concurrent_app, jobs) -> list:
    """Runs each (work, *args) in its own thread, all released at once."""
    barrier = threading.Barrier(len(jobs))
    results: list = []
    threads = [
        threading.Thread(target=run_in_thread, args=(concurrent_app, barrier, results, *job))
        for job in jobs
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a request hung"
    assert len(results) == len(jobs)
    return results


def check_slot(db, slot, results) -> None:
    """The places add up, fit the capacity, and the slot is as full as the
    refused groups allow; nothing failed for another reason."""
    errors = [r for r in results if r.outcome == "error"]
    assert errors == []
    db.session.expire_all()
    slot = db.session.get(Slot, slot.id)
    assert slot.taken == holding_students(slot)
    assert slot.taken <= slot.capacity
    booked = [r for r in results if r.outcome == "booked"]
    holding = db.session.scalars(
        select(Booking).where(Booking.slot_id == slot.id, Booking.status.in_(HOLDING))
    ).all()
    assert sorted(b.id for b in holding) == sorted(r.booking_id for r in booked)
    free = slot.capacity - slot.taken
    # Places only got scarcer during the run, so a group refused (or put on
    # the waiting list) then does not fit now either: the slot filled up.
    turned_away = [r.size for r in results if r.outcome in ("full", "waitlisted")]
    assert turned_away, "the test must ask for more places than there are"
    assert all(size > free for size in turned_away)
    waiting = db.session.scalars(
        select(Booking).where(Booking.slot_id == slot.id, Booking.status == "waitlisted")
    ).all()
    assert all(b.group_size > free for b in waiting)
    return slot


def test_concurrent_bookings_from_threads_never_overbook(db, crowd, concurrent_app):
    slot, teachers = crowd
    attempts = attempts_for(teachers, waitlist_every=4)
    results = in_threads(concurrent_app, [(book_once, slot.id, a) for a in attempts])
    slot = check_slot(db, slot, results)
    assert sum(r.size for r in results) > CAPACITY
    assert any(r.outcome == "full" for r in results)
    assert any(r.outcome == "waitlisted" for r in results)


def test_concurrent_bookings_from_processes_never_overbook(db, app, crowd, tmp_path):
    slot, teachers = crowd
    attempts = attempts_for(teachers, seed=29)
    processes_count = 3
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(processes_count)
    queue = context.Queue()
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    processes = [
        context.Process(
            target=run_in_process,
            args=(
                url,
                str(tmp_path / f"p{n}"),
                barrier,
                queue,
                slot.id,
                attempts[n::processes_count],
            ),
        )
        for n in range(processes_count)
    ]
    for process in processes:
        process.start()
    try:
        results = [r for _ in processes for r in queue.get(timeout=90)]
    finally:
        for process in processes:
            process.join(timeout=30)
            if process.is_alive():
                process.kill()
    assert all(process.exitcode == 0 for process in processes)
    assert len(results) == ATTEMPTS
    check_slot(db, slot, results)


def test_concurrent_cancellations_and_bookings_keep_the_count(db, crowd, concurrent_app):
    slot, teachers = crowd
    # Ten groups of three fill the slot; five groups wait.
    held = [book(teachers[i % 8][0], slot, 3, teachers[i % 8][1]) for i in range(10)]
    waiting = [
        book(teachers[i % 8][0], slot, size, teachers[i % 8][1], accept_waitlist=True)
        for i, size in enumerate((6, 2, 5, 4, 7))
    ]
    db.session.commit()
    assert slot.taken == CAPACITY and all(b.status == "waitlisted" for b in waiting)

    cancels = [(cancel_once, b.id, b.booked_by_id) for b in held[:6]]
    # Waiting bookings may be cancelled while places are being handed out to them.
    cancels += [(cancel_once, waiting[1].id, waiting[1].booked_by_id)]
    bookings = [
        (book_once, slot.id, a) for a in attempts_for(teachers, 25, waitlist_every=2, seed=5)
    ]
    jobs = cancels + bookings
    random.Random(3).shuffle(jobs)
    results = in_threads(concurrent_app, jobs)

    assert [r for r in results if r.outcome == "error"] == []
    assert sum(r.outcome == "cancelled" for r in results) == len(cancels)
    db.session.expire_all()
    slot = db.session.get(Slot, slot.id)
    assert slot.taken == holding_students(slot) <= CAPACITY
    free = CAPACITY - slot.taken
    still_waiting = db.session.scalars(
        select(Booking).where(Booking.slot_id == slot.id, Booking.status == "waitlisted")
    ).all()
    # Promotion is automatic: nobody waits for places that are free.
    assert all(b.group_size > free for b in still_waiting)
    assert db.session.get(Booking, waiting[1].id).status == "cancelled"


def test_the_same_idempotency_key_at_once_makes_one_booking(db, crowd, concurrent_app):
    slot, teachers = crowd
    teacher, school = teachers[0]
    same = Attempt(user_id=teacher.id, school_id=school.id, size=4, key="form-token-1")
    results = in_threads(concurrent_app, [(book_once, slot.id, same)] * 12)

    assert [r for r in results if r.outcome == "error"] == []
    assert {r.outcome for r in results} == {"booked"}
    ids = {r.booking_id for r in results}
    assert len(ids) == 1
    db.session.expire_all()
    rows = db.session.scalars(select(Booking).where(Booking.slot_id == slot.id)).all()
    assert [b.id for b in rows] == list(ids)
    assert db.session.get(Slot, slot.id).taken == 4
