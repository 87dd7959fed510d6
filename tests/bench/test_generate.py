"""The benchmark's dataset generator, at its small scale: the counts it
promises, and slots whose places add up with their bookings."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import create_engine, func, select, text

from bench.generate import BENCH_PASSWORD, COUNTED, SCALES, generate

TODAY = date(2026, 11, 28)

# The generator makes the schema with `flask db upgrade`; migrations/env.py is
# Flask-Migrate's template, which tries the deprecated db.get_engine() first.
pytestmark = pytest.mark.filterwarnings("ignore:'get_engine' is deprecated:DeprecationWarning")


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('bench') / 'bench.db'}"
    counts = generate(url, "small", seed=11, today=TODAY, echo=lambda *_: None)
    engine = create_engine(url)
    yield url, counts, engine
    engine.dispose()


def test_counts_follow_the_scale(dataset):
    _, counts, engine = dataset
    scale = SCALES["small"]
    with engine.connect() as connection:

        def count(sql):
            return connection.execute(text(sql)).scalar_one()

        assert count("SELECT count(*) FROM organisation WHERE kind = 'school'") == scale.schools
        assert count("SELECT count(*) FROM organisation WHERE kind = 'company'") == scale.companies
        assert count("SELECT count(*) FROM activity") == scale.activities
        assert count("SELECT count(*) FROM slot") == scale.slots
        assert count("SELECT count(*) FROM booking") == scale.bookings
        assert count("SELECT count(*) FROM school_holiday") == counts["holidays"] > 0
        # Past and future slots, and bookings in every state.
        assert count("SELECT count(DISTINCT status) FROM booking") == 6
        assert 0 < count("SELECT count(*) FROM slot WHERE starts_at > '2026-11-28'") < scale.slots
    assert counts == {
        "holidays": counts["holidays"],
        "organisations": scale.schools + scale.companies + 1,
        "users": scale.schools + scale.companies + 1,
        "activities": scale.activities,
        "slots": scale.slots,
        "bookings": scale.bookings,
    }


def test_taken_is_the_sum_of_the_bookings_holding_places(dataset):
    _, _, engine = dataset
    states = ", ".join(f"'{s}'" for s in COUNTED)
    with engine.connect() as connection:
        rows = connection.execute(
            text(f"""
            SELECT slot.id, slot.taken, slot.capacity, slot.status,
                   coalesce(sum(CASE WHEN booking.status IN ({states})
                                THEN booking.group_size END), 0)
            FROM slot LEFT JOIN booking ON booking.slot_id = slot.id
            GROUP BY slot.id
        """)
        ).all()
    assert len(rows) == SCALES["small"].slots
    assert all(taken == holding for _, taken, _, _, holding in rows)
    assert all(0 <= taken <= capacity for _, taken, capacity, _, _ in rows)
    assert all(taken == 0 for _, taken, _, status, _ in rows if status == "cancelled")
    assert any(taken == capacity for _, taken, capacity, _, _ in rows), "no slot is full"


def test_bookings_fit_their_activity(dataset):
    url, _, _ = dataset
    from app import create_app
    from app.accounts.models import User
    from app.bookings.models import Booking
    from app.catalogue.models import Activity, Slot
    from app.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        bookings = db.session.execute(
            select(Booking, Activity).join(Booking.slot).join(Slot.activity)
        ).all()
        for booking, activity in bookings:
            assert booking.year in activity.years
            assert booking.path in activity.paths
            assert booking.group_size <= activity.max_group_size
            assert booking.profile is None or booking.profile in activity.profiles
            assert activity.status != "draft"
        teacher = db.session.scalar(select(User).where(User.email == "teacher1@bench.test"))
        assert teacher.check_password(BENCH_PASSWORD)
        assert teacher.organisations()[0].kind == "school"
        assert db.session.scalar(select(func.count()).select_from(User)) > 0
        db.engine.dispose()


def test_the_same_seed_makes_the_same_rows(dataset, tmp_path):
    url, _, engine = dataset
    again = f"sqlite:///{tmp_path / 'again.db'}"
    generate(again, "small", seed=11, today=TODAY, echo=lambda *_: None)
    query = text(
        "SELECT id, slot_id, school_id, group_size, status, created_at FROM booking ORDER BY id"
    )
    other = create_engine(again)
    with engine.connect() as first, other.connect() as second:
        assert first.execute(query).all() == second.execute(query).all()
    other.dispose()


def test_refuses_a_database_with_data(dataset):
    url, _, _ = dataset
    with pytest.raises(SystemExit, match="not empty"):
        generate(url, "small", seed=11, today=TODAY, echo=lambda *_: None)


def test_postgresql_gets_the_same_rows_through_copy(dataset, postgres_server):
    """PostgreSQL is filled with COPY, SQLite with executemany: the same rows."""
    from tests.conftest import _worker
    from tests.postgres import create_database

    url, _, engine = dataset
    target = create_database(postgres_server, f"tp_bench_generate_{_worker()}")
    counts = generate(target, "small", seed=11, today=TODAY, echo=lambda *_: None)
    other = create_engine(target)
    from app.accounts.models import Organisation, User
    from app.bookings.models import Booking
    from app.catalogue.models import Activity, Slot

    # Every column but the password hash (its salt), read through the models' types.
    queries = [
        select(*(c for c in model.__table__.c if c.name != "password_hash")).order_by(
            model.__table__.c.id
        )
        for model in (Organisation, User, Activity, Slot, Booking)
    ]
    try:
        with engine.connect() as first, other.connect() as second:
            for query in queries:
                assert first.execute(query).all() == second.execute(query).all()
            # Sequences continue after the copied ids.
            assert (
                second.execute(text("SELECT nextval('booking_id_seq')")).scalar()
                > (counts["bookings"])
            )
    finally:
        other.dispose()
