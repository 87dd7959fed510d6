"""The retention job: deleted and long-inactive accounts, the mail log and
one-time links go when their configured period ends. Moments are passed in,
counted from the rows' own times, so no test depends on today's date."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app import scheduler
from app.accounts.models import Invitation, PasswordReset, User
from app.accounts.service import create_api_token, user_for_api_token
from app.bookings.models import Booking
from app.config import _days
from app.notifications.models import OutgoingMail
from app.privacy.erasure import delete_account
from app.privacy.retention import run_retention
from app.timeutil import utcnow
from tests import factories
from tests.apps import login

DAY = timedelta(days=1)


@pytest.fixture
def periods(app):
    app.config.update(
        RETENTION_INACTIVE_DAYS=365,
        RETENTION_WARNING_DAYS=30,
        RETENTION_DELETED_DAYS=30,
        RETENTION_LOG_DAYS=90,
    )


def idle_since(db, user, when):
    user.created_at = when
    user.last_seen_at = None
    db.session.commit()


def test_an_inactive_account_is_warned_then_deleted(app, db, periods, outbox):
    school = factories.school()
    idle = factories.user(school, "teacher", name="Piet Stil", email="piet@school.test")
    busy = factories.user(school, "teacher")
    start = utcnow()
    idle_since(db, idle, start)
    idle_since(db, busy, start)

    # Not yet within the warning period: nothing happens.
    assert run_retention(start + 334 * DAY).warned == []
    result = run_retention(start + 336 * DAY)
    db.session.commit()
    assert set(result.warned) == {idle.id, busy.id}
    [warning] = outbox("account_inactive")[:1]
    assert warning.recipient in ("piet@school.test", busy.email)
    assert "/login" in warning.text_body and "/privacy" in warning.text_body
    # A second run sends no second warning.
    assert run_retention(start + 337 * DAY).warned == []
    assert len(outbox("account_inactive")) == 2

    # The busy one signs in before the deadline; the idle one does not.
    login(app.test_client(), busy)
    db.session.expire_all()
    assert busy.last_seen_at is not None and busy.inactivity_warned_at is None
    busy.last_seen_at = start + 340 * DAY
    db.session.commit()

    assert run_retention(start + 365 * DAY).deleted == []  # the warning period is not over
    result = run_retention(start + 367 * DAY)
    db.session.commit()
    assert result.deleted == [idle.id]
    db.session.expire_all()
    assert idle.deleted_at is not None and idle.name == "" and not idle.active
    assert busy.deleted_at is None and busy.active


def test_using_the_api_counts_as_being_there(app, db, periods):
    person = factories.user(factories.company(), "contact")
    start = utcnow()
    idle_since(db, person, start - 400 * DAY)
    _token, raw = create_api_token(person, "koppeling")
    user_for_api_token(raw)  # used now
    db.session.commit()
    result = run_retention(start)
    assert result.warned == [] and result.deleted == []


def test_what_is_left_of_a_deleted_account_goes_after_the_period(app, db, periods):
    school = factories.school()
    teacher = factories.user(school, "teacher", email="weg@school.test")
    slot = factories.slot(factories.activity(factories.company()))
    from app.bookings import service as bookings

    booking = bookings.request_booking(
        teacher, slot, school, bookings.Group(size=10, year="1", path="BB")
    ).booking
    db.session.commit()
    sent = OutgoingMail(
        kind="booking_confirmed",
        recipient="weg@school.test",
        user_id=teacher.id,
        subject="Bevestigd",
        text_body="...",
        html_body="",
        status="sent",
    )
    db.session.add(sent)
    db.session.commit()
    sent_id = sent.id

    delete_account(teacher, teacher)
    db.session.commit()
    deleted_at, teacher_id = teacher.deleted_at, teacher.id
    # The copy of the sent mail waits with the closed account...
    assert db.session.get(OutgoingMail, sent_id) is not None
    assert run_retention(deleted_at + 29 * DAY).purged == []
    db.session.commit()
    # ...until the period ends.
    assert run_retention(deleted_at + 31 * DAY).purged == [teacher_id]
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(User, teacher_id) is None
    assert db.session.get(OutgoingMail, sent_id) is None
    assert (
        db.session.scalar(select(OutgoingMail).where(OutgoingMail.recipient == "weg@school.test"))
        is None
    )
    assert db.session.get(Booking, booking.id).school_id == school.id


def test_the_mail_log_and_one_time_links_go_after_the_log_period(app, db, periods):
    school = factories.school()
    teacher = factories.user(school, "teacher")
    now = utcnow()
    old, recent = now - 91 * DAY, now - 10 * DAY

    def mail(status, created):
        row = OutgoingMail(
            kind="x",
            recipient="a@b.test",
            subject="s",
            text_body="t",
            html_body="",
            status=status,
            created_at=created,
        )
        db.session.add(row)
        return row

    kept = [mail("pending", old), mail("sent", recent), mail("failed", recent)]
    gone = [mail("sent", old), mail("failed", old), mail("expired", old)]
    links = [
        Invitation(
            organisation=school,
            email="oud@school.test",
            role="teacher",
            expires_at=old,
            created_at=old - 14 * DAY,
        ),
        PasswordReset(user=teacher, expires_at=old, created_at=old),
    ]
    fresh = Invitation(
        organisation=school, email="nieuw@school.test", role="teacher", expires_at=now + 14 * DAY
    )
    db.session.add_all([*links, fresh])
    db.session.commit()
    ids = [m.id for m in kept], [m.id for m in gone]

    result = run_retention(now)
    db.session.commit()
    assert (result.mails_removed, result.links_removed) == (3, 2)
    remaining = set(db.session.scalars(select(OutgoingMail.id)))
    assert remaining == set(ids[0])
    assert [i.email for i in db.session.scalars(select(Invitation))] == ["nieuw@school.test"]
    assert db.session.scalar(select(PasswordReset)) is None


def test_zero_switches_the_removal_of_inactive_accounts_off(app, db, periods):
    app.config["RETENTION_INACTIVE_DAYS"] = 0
    person = factories.user(factories.school(), "teacher")
    idle_since(db, person, utcnow() - 5000 * DAY)
    result = run_retention(utcnow())
    assert result.warned == [] and result.deleted == []


def test_the_scheduler_runs_the_job_at_night(app, db, periods):
    person = factories.user(factories.school(), "teacher")
    delete_account(person, person)
    db.session.commit()
    person_id = person.id
    scheduler.privacy_retention(now=person.deleted_at + 31 * DAY)
    db.session.expire_all()
    assert db.session.get(User, person_id) is None


def test_the_periods_are_whole_days_from_the_environment(monkeypatch):
    monkeypatch.setenv("TECHNIEKPOORT_RETENTION_LOG_DAYS", "45")
    assert _days("TECHNIEKPOORT_RETENTION_LOG_DAYS", 180) == 45
    monkeypatch.setenv("TECHNIEKPOORT_RETENTION_LOG_DAYS", "")
    assert _days("TECHNIEKPOORT_RETENTION_LOG_DAYS", 180) == 180
    for wrong in ("-1", "twee", "1.5"):
        monkeypatch.setenv("TECHNIEKPOORT_RETENTION_LOG_DAYS", wrong)
        with pytest.raises(ValueError, match="whole number of days"):
            _days("TECHNIEKPOORT_RETENTION_LOG_DAYS", 180)
