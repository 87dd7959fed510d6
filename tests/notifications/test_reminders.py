"""Reminders before the activity and the evaluation request after it: planned
as rows when a booking is confirmed, planned again when the slot moves,
withdrawn when it is cancelled, and sent by the dispatcher at their moment
(the clock is injected)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app.bookings import service
from app.catalogue import service as catalogue
from app.notifications import reminders
from app.notifications.models import OutgoingMail
from app.timeutil import utcnow
from tests import factories
from tests.notifications.helpers import DAY, HOUR, book, commit


def planned(db, purpose="reminder"):
    return list(
        db.session.scalars(
            select(OutgoingMail)
            .where(OutgoingMail.purpose == purpose, OutgoingMail.status == "pending")
            .order_by(OutgoingMail.due_at, OutgoingMail.recipient)
        )
    )


def summary(rows, start):
    """(days before the start, recipient) per planned row."""
    return sorted(((start - r.due_at) // DAY, r.recipient) for r in rows)


def confirmed_booking(world, **options):
    booking = book(world, **options)
    service.confirm_booking(world.contact, booking)
    return booking


def test_a_confirmed_booking_gets_reminders_7_and_1_days_before_for_both_parties(world, db):
    booking = confirmed_booking(world)
    commit()
    rows = planned(db)
    start = world.slot.starts_at
    assert summary(rows, start) == [
        (1, "contact@company.test"),
        (1, "teacher@school.test"),
        (7, "contact@company.test"),
        (7, "teacher@school.test"),
    ]
    assert all(r.expires_at == start and r.booking_id == booking.id for r in rows)
    assert all(r.kind == "booking_reminder" for r in rows)


def test_a_request_not_yet_confirmed_gets_no_reminders(world, db):
    book(world)
    commit()
    assert planned(db) == []


def test_a_booking_made_two_hours_ahead_gets_no_day_before_reminder(world, db):
    world.activity.min_notice_days = 0
    world.activity.requires_approval = False
    soon = factories.slot(world.activity, starts_at=utcnow() + 2 * HOUR)
    booking = book(world, slot=soon)
    assert booking.status == "confirmed"
    commit()
    assert planned(db) == []


def test_a_booking_three_days_ahead_gets_only_the_day_before_reminder(world, db):
    world.activity.min_notice_days = 0
    slot = factories.slot(world.activity, starts_at=utcnow() + 3 * DAY)
    confirmed_booking(world, slot=slot)
    commit()
    assert summary(planned(db), slot.starts_at) == [
        (1, "contact@company.test"),
        (1, "teacher@school.test"),
    ]


def test_reminders_go_out_at_their_moment_in_the_recipients_language(world, db, smtp, dispatch):
    booking = confirmed_booking(world)
    commit()
    dispatch()  # the confirmation mails
    before = len(smtp.sink.messages())
    start = world.slot.starts_at
    assert dispatch(now=start - 7 * DAY - timedelta(minutes=1)).sent == []
    result = dispatch(now=start - 7 * DAY + timedelta(minutes=1))
    assert len(result.sent) == 2
    week = smtp.sink.messages()[before:]
    english = next(m for m in week if m.envelope_to == ["teacher@school.test"])
    assert english.message["Subject"] == "Reminder: Lassen voor beginners in 7 days"
    assert "In 7 days: Lassen voor beginners." in english.text
    assert "transport" in english.text  # the school's to-do, not the company's
    assert f"http://techniekpoort.test/bookings/{booking.id}" in english.text
    dutch = next(m for m in week if m.envelope_to == ["contact@company.test"])
    assert '<html lang="nl">' in dutch.html
    result = dispatch(now=start - DAY + timedelta(minutes=1))
    assert len(result.sent) == 2
    assert {m.message["Subject"] for m in smtp.sink.to("teacher@school.test")} >= {
        "Reminder: Lassen voor beginners tomorrow",
        "Reminder: Lassen voor beginners in 7 days",
    }
    # Nothing twice, also when the dispatcher runs again.
    assert dispatch(now=start - timedelta(minutes=1)).sent == []


def test_after_downtime_a_reminder_goes_out_while_the_activity_is_ahead_and_never_after(
    world, db, smtp, dispatch
):
    confirmed_booking(world)
    commit()
    dispatch()
    start = world.slot.starts_at
    # Stopped from before the week reminder until 3 days before: it still helps.
    result = dispatch(now=start - 3 * DAY)
    assert len(result.sent) == 2 and result.expired == 0
    # Stopped from before the day reminder until after the start: dropped, and marked so.
    result = dispatch(now=start + HOUR)
    assert result.sent == [] and result.expired == 2
    statuses = sorted(
        (r.status, (start - r.due_at) // DAY)
        for r in db.session.scalars(select(OutgoingMail).where(OutgoingMail.purpose == "reminder"))
    )
    assert statuses == [("expired", 1), ("expired", 1), ("sent", 7), ("sent", 7)]


def test_moving_the_slot_plans_the_unsent_reminders_again(world, db, smtp, dispatch):
    booking = confirmed_booking(world)
    commit()
    old_start = world.slot.starts_at
    dispatch(now=old_start - 7 * DAY + HOUR)  # the week reminders went out
    new_start = old_start + 14 * DAY
    catalogue.reschedule_slot(world.slot, world.contact, starts_at=new_start)
    commit()
    rows = planned(db)
    assert summary(rows, new_start) == [
        (1, "contact@company.test"),
        (1, "teacher@school.test"),
        (7, "contact@company.test"),
        (7, "teacher@school.test"),
    ]
    assert all(r.expires_at == new_start and r.booking_id == booking.id for r in rows)
    # The new reminders show the new date.
    from app.timeutil import to_local

    assert f"{to_local(new_start):%-d} {to_local(new_start):%B}" in next(
        r.text_body for r in rows if r.recipient == "teacher@school.test"
    )
    # Nothing is left planned for the old date.
    assert (
        db.session.scalar(
            select(OutgoingMail.id).where(
                OutgoingMail.purpose == "reminder",
                OutgoingMail.status == "pending",
                OutgoingMail.expires_at == old_start,
            )
        )
        is None
    )


def test_cancelling_removes_the_unsent_reminders(world, db):
    booking = confirmed_booking(world)
    commit()
    assert len(planned(db)) == 4
    service.cancel_booking(world.teacher, booking, "De klas heeft een toets.")
    commit()
    assert planned(db) == []


def test_a_cancelled_slot_removes_the_reminders_of_its_bookings(world, db):
    confirmed_booking(world)
    commit()
    catalogue.cancel_slot(world.slot, "De hal is afgekeurd.", world.contact)
    commit()
    assert planned(db) == []


def test_a_reminder_being_sent_right_now_is_not_pulled_from_under_the_dispatcher(world, db):
    from app.notifications.dispatcher import claim_due

    booking = confirmed_booking(world)
    commit()
    week_moment = world.slot.starts_at - 7 * DAY + HOUR
    _, claimed = claim_due(now=week_moment)
    week_reminders = db.session.scalars(
        select(OutgoingMail.id)
        .where(OutgoingMail.id.in_(claimed), OutgoingMail.purpose == "reminder")
        .order_by(OutgoingMail.id)
    ).all()
    assert len(week_reminders) == 2
    service.cancel_booking(world.teacher, booking, "Ziek.")
    commit()
    remaining = db.session.scalars(
        select(OutgoingMail.id).where(OutgoingMail.purpose == "reminder").order_by(OutgoingMail.id)
    ).all()
    assert remaining == week_reminders


def test_an_evaluation_request_follows_one_day_after_a_completed_booking(world, db, smtp, dispatch):
    booking = confirmed_booking(world)
    commit()
    dispatch()  # the confirmation mails
    end = world.slot.ends_at
    service.complete_ended_bookings(end + timedelta(minutes=5))
    commit()
    assert booking.status == "completed"
    rows = planned(db, "evaluation")
    assert sorted(r.recipient for r in rows) == ["contact@company.test", "teacher@school.test"]
    assert all(r.due_at == end + DAY for r in rows)
    assert dispatch(now=end + DAY - timedelta(minutes=1)).sent == []
    dispatch(now=end + DAY + timedelta(minutes=1))
    mail = next(
        m
        for m in smtp.sink.to("teacher@school.test")
        if m.message["Subject"] == "How did Lassen voor beginners go?"
    )
    # The link leads to the teacher's side of the evaluation form.
    assert f"http://techniekpoort.test/bookings/{booking.id}/evaluation?side=school" in mail.text
    contact_mail = next(
        m
        for m in smtp.sink.to("contact@company.test")
        if f"/bookings/{booking.id}/evaluation" in m.text
    )
    assert f"/bookings/{booking.id}/evaluation?side=company" in contact_mail.text


def test_a_coordinator_sets_the_reminder_days_per_kind(world, db, coordinator):
    confirmed_booking(world)
    commit()
    reminders.set_policy(coordinator, "company_visit", (14, 3), 2)
    commit()
    start = world.slot.starts_at
    # The slot is three weeks ahead: both new moments lie ahead and replace 7 and 1.
    assert summary(planned(db), start) == [
        (3, "contact@company.test"),
        (3, "teacher@school.test"),
        (14, "contact@company.test"),
        (14, "teacher@school.test"),
    ]
    assert reminders.policy_for("company_visit") == reminders.Policy((14, 3), 2)
    assert reminders.policy_for("workshop") == reminders.Policy((7, 1), 1)
    # No reminders at all for guest lessons; other kinds are untouched.
    reminders.set_policy(coordinator, "company_visit", (), 1)
    commit()
    assert planned(db) == []


def test_reminder_days_are_checked(coordinator, db):
    import pytest

    from app.errors import DomainError

    assert reminders.parse_days("7, 1") == (7, 1)
    assert reminders.parse_days(" 1;7 ,") == (7, 1)
    assert reminders.parse_days("") == ()
    for bad in ("0", "61", "x", "-1", "1.5", "1,2,3,4,5"):
        with pytest.raises(DomainError) as error:
            reminders.parse_days(bad)
        assert error.value.field == "days_before"
    with pytest.raises(DomainError) as error:
        reminders.set_policy(coordinator, "company_visit", (7,), 31)
    assert error.value.field == "evaluation_days_after"
    with pytest.raises(DomainError):
        reminders.set_policy(coordinator, "pub_crawl", (7,), 1)


def test_a_second_school_on_the_same_slot_has_its_own_reminders(world, db):
    other_school = factories.school()
    other = factories.user(other_school, "teacher", email="other@school.test")
    first = confirmed_booking(world, size=10)
    second = service.request_booking(
        other, world.slot, other_school, service.Group(size=10, year="1", path="BB")
    ).booking
    service.confirm_booking(world.contact, second)
    commit()
    rows = planned(db)
    # One mail per person and booking: the contact gets one per school.
    day_before = [r for r in rows if (world.slot.starts_at - r.due_at) // DAY == 1]
    assert sorted((r.recipient, r.booking_id) for r in day_before) == sorted(
        [
            ("contact@company.test", first.id),
            ("contact@company.test", second.id),
            ("other@school.test", second.id),
            ("teacher@school.test", first.id),
        ]
    )
