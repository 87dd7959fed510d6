"""The clash rule under concurrency, on SQLite and PostgreSQL: many proposals
for one professional at the same hours, fired at once from threads, each a
whole request with its own session and commit. Exactly one wins."""

from __future__ import annotations

import threading
from datetime import time

import pytest
from sqlalchemy import select

from app.placements.models import Placement
from tests import factories
from tests.apps import make_app
from tests.placements.helpers import terms

# Threads and processes propose at once: each sees the others' commits.
pytestmark = pytest.mark.commits

ATTEMPTS = 12


@pytest.fixture
def concurrent_app(app, tmp_path):
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


def propose_once(user_id, company_id, school_id, professional_id, weekday) -> str:
    from app.accounts.models import Organisation, User
    from app.errors import DomainError
    from app.extensions import db
    from app.placements import service
    from app.placements.models import Professional

    try:
        placement = service.propose(
            db.session.get(User, user_id),
            company=db.session.get(Organisation, company_id),
            school=db.session.get(Organisation, school_id),
            professional=db.session.get(Professional, professional_id),
            terms=terms(weekdays={weekday}, start_time=time(9), end_time=time(12)),
        )
        db.session.commit()
        return f"proposed:{placement.id}"
    except DomainError as error:
        db.session.rollback()
        return error.code
    except Exception as error:  # reported to the test, which fails on it
        db.session.rollback()
        return f"error:{error!r}"
    finally:
        db.session.remove()


def in_threads(app, jobs) -> list[str]:
    barrier = threading.Barrier(len(jobs))
    results: list[str] = []

    def run(*args):
        with app.app_context():
            barrier.wait(timeout=30)
            results.append(propose_once(*args))

    threads = [threading.Thread(target=run, args=job) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=90)
    assert not any(thread.is_alive() for thread in threads), "a request hung"
    return results


def test_concurrent_clashing_proposals_make_exactly_one_placement(world, db, concurrent_app):
    schools = [factories.school(name=f"School {n}") for n in range(ATTEMPTS)]
    db.session.commit()
    jobs = [
        (world.contact.id, world.company.id, school.id, world.professional.id, "we")
        for school in schools
    ]

    results = in_threads(concurrent_app, jobs)

    assert [r for r in results if r.startswith("error")] == []
    assert sum(r.startswith("proposed") for r in results) == 1
    assert results.count("clash") == ATTEMPTS - 1
    db.session.expire_all()
    rows = db.session.scalars(
        select(Placement).where(Placement.professional_id == world.professional.id)
    ).all()
    assert len(rows) == 1


def test_concurrent_proposals_on_different_days_all_succeed(world, db, concurrent_app):
    schools = [factories.school(name=f"School {n}") for n in range(5)]
    db.session.commit()
    jobs = [
        (world.contact.id, world.company.id, school.id, world.professional.id, day)
        for school, day in zip(schools, ["mo", "tu", "we", "th", "fr"], strict=True)
    ]

    results = in_threads(concurrent_app, jobs)

    assert sorted(r.split(":")[0] for r in results) == ["proposed"] * 5
