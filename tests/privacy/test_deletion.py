"""Deleting one's account: the name leaves bookings, history and later mails;
the bookings stay with the organisation; nothing of the account works any more."""

from __future__ import annotations

import base64

from sqlalchemy import select

from app.accounts.models import ApiToken, Membership, User
from app.calendar.models import CalendarFeed
from app.events.models import EventLogEntry
from app.notifications.models import Notification, OutgoingMail
from app.privacy.erasure import closed_address, delete_account
from tests import factories
from tests.api.helpers import api_as
from tests.apps import login
from tests.pages import dutch, field_errors


def delete_through_the_page(client, password="secret-password"):
    return client.post("/account/delete", data={"password": password, "understood": "y"})


def everything_text(db) -> str:
    """Every mail, notification and history entry, as one text to search."""
    parts = []
    for mail in db.session.scalars(select(OutgoingMail)):
        parts += [mail.recipient, mail.subject, mail.text_body, mail.html_body]
        for attachment in mail.attachments:
            parts.append(base64.b64decode(attachment["data"]).decode("utf-8", "replace"))
    parts += [n.text for n in db.session.scalars(select(Notification))]
    parts += [str(e.payload) for e in db.session.scalars(select(EventLogEntry))]
    return "\n".join(parts)


def test_deleting_takes_the_name_out_of_bookings_history_and_later_mails(app, db, world, outbox):
    jan, carla = world.teacher, world.contact
    # Before: Jan's name is in the booking, its history and mails to the company.
    company_mails = [m for m in outbox() if m.recipient == carla.email]
    assert any("Jan Jansen" in m.text_body for m in company_mails)
    jans_mails = [m for m in outbox() if m.recipient == jan.email]
    assert any(m.status == "pending" for m in jans_mails)  # reminders still to come
    carla_page = login(app.test_client(), carla).get(f"/bookings/{world.booking.id}")
    assert "Jan Jansen" in carla_page.get_data(as_text=True)

    client = login(app.test_client(), jan)
    response = delete_through_the_page(client)
    assert response.status_code == 302 and response.location == "/"
    db.session.expire_all()

    # The booking stays with the school, nameless, and still holds its places.
    booking = world.booking
    assert (booking.school_id, booking.status, booking.group_size) == (
        world.school.id,
        "confirmed",
        24,
    )
    assert booking.teacher_id is None and booking.booked_by_id is None
    assert world.slot.taken == 24
    for reader in (carla, world.colleague, world.coordinator):
        page = login(app.test_client(), reader).get(f"/bookings/{booking.id}")
        assert page.status_code == 200
        text = page.get_data(as_text=True)
        assert "Jan Jansen" not in text and jan.email not in text and "06 12345678" not in text
    # History: every entry is still there, none names Jan.
    history = db.session.scalars(
        select(EventLogEntry)
        .where(EventLogEntry.subject_type == "booking", EventLogEntry.subject_id == booking.id)
        # In the order they happened: PostgreSQL returns updated rows in any order.
        .order_by(EventLogEntry.id)
    ).all()
    assert [e.name for e in history] == ["BookingRequested", "BookingConfirmed"]
    assert (
        db.session.scalar(
            select(EventLogEntry).where(
                EventLogEntry.name != "AccountDeleted", EventLogEntry.actor_id == jan.id
            )
        )
        is None
    )
    # Later mails: nothing more goes to Jan; none to others names Jan.
    assert [m for m in outbox() if m.user_id == jan.id and m.status == "pending"] == []
    assert "Jan Jansen" not in everything_text(db) and "jan@kolk.test" not in everything_text(db)
    rewritten = [m for m in outbox() if m.recipient == carla.email and "Contact" in m.text_body]
    assert rewritten and all(dutch("a former user") in m.text_body for m in rewritten)


def test_a_deleted_account_opens_nothing_any_more(app, db, world):
    jan = world.teacher
    client = login(app.test_client(), jan)
    api = api_as(app, db, jan)
    [feed] = db.session.scalars(select(CalendarFeed).where(CalendarFeed.owner_id == jan.id))
    from app.calendar.service import feed_token

    feed_url = f"/calendar/{feed_token(feed)}.ics"
    assert app.test_client().get(feed_url).status_code == 200
    old_email = jan.email

    copied_cookie = app.test_client()
    login(copied_cookie, jan)
    assert delete_through_the_page(client).status_code == 302
    db.session.expire_all()

    assert client.get("/account").status_code == 302  # signed out
    assert copied_cookie.get("/account").status_code == 302  # every other session too
    assert api.get("/me").status_code == 401
    assert app.test_client().get(feed_url).status_code == 404
    refused = app.test_client().post(
        "/login", data={"email": old_email, "password": "secret-password"}
    )
    assert refused.status_code == 200
    account = db.session.get(User, jan.id)
    assert (account.name, account.email, account.phone, account.password_hash, account.active) == (
        "",
        closed_address(jan.id),
        "",
        "",
        False,
    )
    assert account.deleted_at is not None
    for model, column in (
        (Membership, Membership.user_id),
        (ApiToken, ApiToken.user_id),
        (CalendarFeed, CalendarFeed.owner_id),
    ):
        assert db.session.scalar(select(model).where(column == jan.id)) is None
    # The address is free again: the person may come back as someone new.
    assert factories.user(email=old_email).id != jan.id


def test_deleting_needs_the_password_and_the_tick(app, db, world):
    client = login(app.test_client(), world.teacher)
    assert client.get("/account/delete").status_code == 200
    wrong = delete_through_the_page(client, password="wrong-password")
    assert wrong.status_code == 422
    assert dutch("This is not your current password.") in field_errors(
        wrong.get_data(as_text=True), "password"
    )
    untouched = client.post("/account/delete", data={"password": "secret-password"})
    assert untouched.status_code == 422
    db.session.expire_all()
    assert world.teacher.deleted_at is None and world.teacher.active
    assert app.test_client().get("/account/delete").status_code == 302  # sign in first


def test_a_deleted_contact_leaves_the_activity_and_the_calendar_attachments(app, db, world, outbox):
    """Carla's name is in the .ics attached to the teacher's confirmation."""
    carla = world.contact
    confirmation = [m for m in outbox() if m.recipient == world.teacher.email and m.attachments]
    assert confirmation and any(
        "Carla Contact" in base64.b64decode(a["data"]).decode()
        for m in confirmation
        for a in m.attachments
    )
    # Make the confirmation still to be sent, as it is before the dispatcher runs.
    for mail in confirmation:
        mail.status = "pending"
    db.session.commit()

    delete_account(carla, carla)
    db.session.commit()
    db.session.expire_all()
    assert world.slot.activity.contact_id is None
    assert "Carla Contact" not in everything_text(db) and carla.email not in everything_text(db)
    from icalendar import Calendar

    for mail in confirmation:
        for attachment in mail.attachments:
            parsed = Calendar.from_ical(base64.b64decode(attachment["data"]))
            assert parsed.walk("VEVENT")  # still a valid calendar


def test_the_last_administrator_may_delete_their_account_and_a_coordinator_appoints_the_next(
    app, db, coordinator
):
    school = factories.school()
    administrator = factories.user(school, "administrator")
    teacher = factories.user(school, "teacher")
    delete_account(administrator, administrator)
    db.session.commit()
    db.session.expire_all()
    assert [m.user_id for m in school.memberships] == [teacher.id]
    from app.accounts.permissions import roles_to_invite

    assert roles_to_invite(coordinator, school) == ["administrator"]


def test_deleting_twice_changes_nothing(db, world):
    delete_account(world.teacher, world.teacher)
    db.session.commit()
    deleted_at = world.teacher.deleted_at
    delete_account(world.teacher, world.teacher)
    db.session.commit()
    assert world.teacher.deleted_at == deleted_at
    assert (
        len(
            db.session.scalars(
                select(EventLogEntry).where(EventLogEntry.name == "AccountDeleted")
            ).all()
        )
        == 1
    )
