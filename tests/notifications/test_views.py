"""The notification pages: the in-app list and its unread badge, preferences,
the coordinators' reminder settings and the administrators' mail queue."""

from __future__ import annotations

import re

from sqlalchemy import select

from app.bookings import service
from app.notifications.models import Notification, OutgoingMail
from app.notifications.reminders import policy_for
from tests import factories
from tests.apps import login
from tests.notifications.helpers import book, commit
from tests.pages import dutch

HTMX = {"HX-Request": "true"}


def unread_badge_count(page: str) -> int:
    match = re.search(
        r'<span id="unread-badge"[^>]*>(?:<span class="visually-hidden">[^<]*</span>)?(\d*)</span>',
        page,
    )
    assert match, "no unread badge on the page"
    return int(match.group(1) or 0)


def test_the_list_shows_the_news_and_the_badge_counts_the_unread(world, app):
    booking = book(world)
    service.confirm_booking(world.contact, booking)
    commit()
    client = login(app.test_client(), world.teacher)
    page = client.get("/notifications").get_data(as_text=True)
    assert "Booking confirmed: Lassen voor beginners" in page
    # The contact's news is not the teacher's.
    assert "New booking request" not in page
    assert unread_badge_count(page) == 1
    # The badge asks again on its own every 30 seconds, and after "mark read".
    assert 'hx-get="/notifications/badge"' in page
    assert 'hx-trigger="every 30s, NotificationsRead from:body"' in page
    # It is on every page, beside the navigation item.
    assert unread_badge_count(client.get("/").get_data(as_text=True)) == 1


def test_the_badge_fragment_updates_without_a_reload(world, app):
    client = login(app.test_client(), world.teacher)
    assert (
        unread_badge_count(client.get("/notifications/badge", headers=HTMX).get_data(as_text=True))
        == 0
    )
    booking = book(world)
    service.confirm_booking(world.contact, booking)
    commit()
    fragment = client.get("/notifications/badge", headers=HTMX).get_data(as_text=True)
    assert "<html" not in fragment
    assert unread_badge_count(fragment) == 1


def test_marking_all_read_with_htmx_answers_the_list_and_triggers_the_badge(world, app, db):
    booking = book(world)
    service.confirm_booking(world.contact, booking)
    commit()
    client = login(app.test_client(), world.teacher)
    response = client.post("/notifications/read", headers=HTMX)
    assert response.status_code == 200
    assert response.headers["HX-Trigger"] == "NotificationsRead"
    body = response.get_data(as_text=True)
    assert "<html" not in body and 'id="notification-list"' in body
    assert 'hx-post="/notifications/read"' not in body  # nothing left to mark
    db.session.expire_all()
    assert (
        db.session.scalar(
            select(Notification.read_at).where(Notification.user_id == world.teacher.id)
        )
        is not None
    )
    # The contact's notifications are untouched.
    assert (
        db.session.scalar(
            select(Notification.read_at).where(Notification.user_id == world.contact.id)
        )
        is None
    )


def test_marking_all_read_without_javascript_redirects(world, app):
    book(world)
    commit()
    client = login(app.test_client(), world.contact)
    response = client.post("/notifications/read")
    assert response.status_code == 302 and response.location == "/notifications"
    assert unread_badge_count(client.get("/notifications").get_data(as_text=True)) == 0


def test_opening_a_notification_marks_it_read_and_goes_to_its_page(world, app, db):
    booking = book(world)
    commit()
    notification = db.session.scalar(select(Notification))
    client = login(app.test_client(), world.contact)
    response = client.post(f"/notifications/{notification.id}/open")
    assert response.status_code == 302 and response.location == f"/bookings/{booking.id}"
    db.session.expire_all()
    assert db.session.get(Notification, notification.id).read_at is not None


def test_someone_elses_notification_is_not_found(world, app, db):
    book(world)
    commit()
    notification = db.session.scalar(select(Notification))
    client = login(app.test_client(), world.teacher)
    assert client.post(f"/notifications/{notification.id}/open").status_code == 404
    db.session.expire_all()
    assert db.session.get(Notification, notification.id).read_at is None


def test_reading_requires_a_post_with_the_csrf_token(world, app, csrf_enabled):
    book(world)
    commit()
    client = login_with_csrf(app, world.contact)
    assert client.get("/notifications/read").status_code == 405
    assert client.post("/notifications/read").status_code == 400


def login_with_csrf(app, user):
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    client.post(
        "/login", data={"email": user.email, "password": factories.PASSWORD, "csrf_token": token}
    )
    return client


def test_pages_need_a_signed_in_person(app, db):
    client = app.test_client()
    for path in (
        "/notifications",
        "/notifications/badge",
        "/notifications/settings",
        "/notifications/reminders",
        "/notifications/mail-queue",
    ):
        response = client.get(path)
        assert response.status_code == 302 and "/login" in response.location


def test_switching_digests_off_and_on(coordinator_client, coordinator, db):
    from app.notifications.service import wants_digests

    page = coordinator_client.get("/notifications/settings").get_data(as_text=True)
    assert 'name="digests"' in page and "checked" in page
    response = coordinator_client.post("/notifications/settings", data={})
    assert response.status_code == 302
    db.session.expire_all()
    assert not wants_digests(coordinator)
    coordinator_client.post("/notifications/settings", data={"digests": "y"})
    db.session.expire_all()
    assert wants_digests(coordinator)


def test_a_coordinator_sets_reminders_per_kind_on_a_page(coordinator_client, db):
    page = coordinator_client.get("/notifications/reminders").get_data(as_text=True)
    assert 'value="7, 1"' in page
    response = coordinator_client.post(
        "/notifications/reminders/workshop",
        data={"workshop-days_before": "10, 2", "workshop-evaluation_days_after": "3"},
    )
    assert response.status_code == 302
    assert policy_for("workshop").days_before == (10, 2)
    assert policy_for("workshop").evaluation_days_after == 3
    assert policy_for("company_visit").days_before == (7, 1)


def test_wrong_reminder_days_are_shown_at_the_field(coordinator_client, db):
    response = coordinator_client.post(
        "/notifications/reminders/workshop",
        data={"workshop-days_before": "7, tomorrow", "workshop-evaluation_days_after": "1"},
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    message = dutch("Give whole days between 1 and %(n)d, separated by commas.", n=60)
    assert f'id="workshop-days_before-error">{message}</small>' in page
    assert policy_for("workshop").days_before == (7, 1)
    response = coordinator_client.post(
        "/notifications/reminders/workshop",
        data={"workshop-days_before": "7", "workshop-evaluation_days_after": "99"},
    )
    assert response.status_code == 422
    assert 'id="workshop-evaluation_days_after-error"' in response.get_data(as_text=True)
    assert coordinator_client.post("/notifications/reminders/pub_crawl", data={}).status_code == 404


def test_only_coordinators_set_reminders(teacher_client, db):
    assert teacher_client.get("/notifications/reminders").status_code == 403
    assert (
        teacher_client.post(
            "/notifications/reminders/workshop",
            data={"workshop-days_before": "1", "workshop-evaluation_days_after": "1"},
        ).status_code
        == 403
    )
    assert policy_for("workshop").days_before == (7, 1)


def test_failed_mails_are_shown_with_their_error_and_can_be_sent_again(app, db):
    admin = factories.user(factories.network(), "administrator", email="admin@network.test")
    mail = OutgoingMail(
        kind="test",
        recipient="typo@school",
        subject="Hello",
        text_body="Hi",
        html_body="<p>Hi</p>",
        status="failed",
        attempts=6,
        last_error="SMTPRecipientsRefused: 550 No such mailbox here",
    )
    broken = OutgoingMail(
        kind="test",
        recipient="x@school.test",
        subject="Broken",
        text_body="",
        html_body="",
        status="failed",
        last_error="not composed: TemplateSyntaxError",
    )
    db.session.add_all([mail, broken])
    commit()
    client = login(app.test_client(), admin)
    page = client.get("/notifications/mail-queue").get_data(as_text=True)
    assert "typo@school" in page and "550 No such mailbox here" in page
    assert dutch("Failed: %(n)d", n=2) in page
    assert client.post(f"/notifications/mail-queue/{mail.id}/retry").status_code == 302
    db.session.expire_all()
    assert (mail.status, mail.attempts) == ("pending", 0)
    # A mail that was never written cannot be sent again.
    client.post(f"/notifications/mail-queue/{broken.id}/retry")
    db.session.expire_all()
    assert broken.status == "failed"
    assert client.post("/notifications/mail-queue/999999/retry").status_code == 404


def test_teachers_do_not_see_the_mail_queue(teacher_client, db):
    assert teacher_client.get("/notifications/mail-queue").status_code == 403
    assert teacher_client.post("/notifications/mail-queue/1/retry").status_code == 403
