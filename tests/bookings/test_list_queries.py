"""The booking lists send the same number of SQL statements whatever the
number of bookings they list: no statement per row (docs/PERFORMANCE.md)."""

from __future__ import annotations

from sqlalchemy import select

from app.bookings import queries
from app.bookings.models import Booking
from app.extensions import db as database
from tests import factories
from tests.bookings.helpers import book
from tests.queries import QueryCounter


def _statements(client, path: str, rows: int) -> int:
    database.session.remove()  # nothing loaded while the data was made
    with QueryCounter(database.engine) as counter:
        page = client.get(path).get_data(as_text=True)
    assert page.count('id="booking-') >= rows
    return counter.count


def _bookings(teacher, company, contact, count: int) -> None:
    # Each on a slot of its own activity: lazy loading of either costs a query per row.
    teacher, company, contact = (database.session.merge(x) for x in (teacher, company, contact))
    for _ in range(count):
        activity = factories.activity(company, contact_id=contact.id)
        book(teacher, factories.slot(activity, days_ahead=20), 5)
    database.session.commit()


def test_my_bookings_costs_the_same_statements_for_1_and_12_bookings(
    db, teacher_client, teacher, company, contact, monkeypatch
):
    monkeypatch.setattr(queries, "PER_PAGE", 8)  # 12 bookings fill more than a page
    _bookings(teacher, company, contact, 1)
    one = _statements(teacher_client, "/bookings", 1)
    _bookings(teacher, company, contact, 11)
    assert _statements(teacher_client, "/bookings", 8) == one
    assert _statements(teacher_client, "/bookings?page=2", 4) == one


def test_incoming_bookings_cost_the_same_statements_for_1_and_12_bookings(
    db, teacher, contact_client, company, contact, monkeypatch
):
    monkeypatch.setattr(queries, "PER_PAGE", 8)
    _bookings(teacher, company, contact, 1)
    one = _statements(contact_client, "/company/bookings", 1)
    _bookings(teacher, company, contact, 11)
    assert _statements(contact_client, "/company/bookings", 8) == one
    # The signed-in person, their organisations, the unread count, the counts
    # of the three lists and one statement for the list that has bookings.
    assert one <= 4 + 1 + 1
    # The next rows: the cursor's booking, once.
    first = database.session.scalars(select(Booking.id).order_by(Booking.id)).first()
    assert _statements(contact_client, f"/company/bookings?state=requested&after={first}", 8) == (
        one + 1
    )
