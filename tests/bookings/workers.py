"""What the concurrency tests run in their threads and processes.

Each attempt is one whole request as a view makes it: its own session, one
service call, one commit (or a rollback when the service refuses). Nothing here
retries: whatever the database says is reported back to the test.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Attempt:
    user_id: int
    school_id: int
    size: int
    waitlist: bool = False
    key: str | None = None


@dataclass(frozen=True)
class Result:
    size: int
    outcome: str  # booked | waitlisted | full | cancelled | error
    booking_id: int | None = None
    detail: str = ""


def book_once(slot_id: int, attempt: Attempt) -> Result:
    """One booking request, inside the caller's app context."""
    from app.accounts.models import Organisation, User
    from app.bookings import service
    from app.catalogue.models import Slot
    from app.errors import DomainError
    from app.extensions import db

    try:
        slot = db.session.get(Slot, slot_id)
        user = db.session.get(User, attempt.user_id)
        school = db.session.get(Organisation, attempt.school_id)
        group = service.Group(size=attempt.size, year="3", path="KB", profile="PIE")
        outcome = service.request_booking_once(
            user,
            slot,
            school,
            group,
            accept_waitlist=attempt.waitlist,
            idempotency_key=attempt.key,
        )
        booking_id, status = outcome.booking.id, outcome.booking.status
        db.session.commit()
        kind = "waitlisted" if status == "waitlisted" else "booked"
        return Result(attempt.size, kind, booking_id)
    except DomainError as error:
        db.session.rollback()
        return Result(
            attempt.size,
            "full" if error.code == "full" else "error",
            None,
            f"{error.code}: {error.message}",
        )
    except Exception as error:  # reported to the test, which fails on it
        db.session.rollback()
        return Result(attempt.size, "error", None, repr(error))
    finally:
        db.session.remove()


def cancel_once(booking_id: int, user_id: int) -> Result:
    from app.accounts.models import User
    from app.bookings import service
    from app.bookings.models import Booking
    from app.extensions import db

    try:
        booking = db.session.get(Booking, booking_id)
        user = db.session.get(User, user_id)
        service.cancel_booking(user, booking, "Plans changed")
        size = booking.group_size
        db.session.commit()
        return Result(size, "cancelled", booking_id)
    except Exception as error:
        db.session.rollback()
        return Result(0, "error", booking_id, repr(error))
    finally:
        db.session.remove()


def run_in_thread(app, barrier, results: list, work, *args) -> None:
    """A thread's own app context (and so its own session), started together
    with the others at the barrier."""
    with app.app_context():
        barrier.wait(timeout=30)
        results.append(work(*args))


def run_in_process(
    url: str, tmp_dir: str, barrier, queue, slot_id: int, attempts: list[Attempt]
) -> None:
    """A separate process with its own application on the same database, as a
    second gunicorn worker would be."""
    from pathlib import Path

    from tests.apps import make_app

    app = make_app(url, Path(tmp_dir))
    results = []
    with app.app_context():
        from app.extensions import db

        # Connect before the barrier, so the start is not spread by connecting.
        db.session.execute(db.select(1))
        db.session.remove()
        barrier.wait(timeout=60)
        for attempt in attempts:
            results.append(book_once(slot_id, attempt))
        db.engine.dispose()
    queue.put(results)
