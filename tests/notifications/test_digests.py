"""The coordinators' weekly digest, switching digests off, and the signed
unsubscribe link that only digests carry."""

from __future__ import annotations

from datetime import timedelta

from app.bookings import service
from app.notifications import digests
from app.notifications import service as notifications
from app.timeutil import utcnow
from tests import factories
from tests.clock import later_the_same_week
from tests.notifications.helpers import book, commit


def week_of_activity(world):
    """A pending organisation, a booking this week and a cancellation."""
    factories.school(name="Nieuwe School", status="pending")
    world.activity.min_notice_days = 0
    soon = factories.slot(world.activity, starts_at=utcnow() + timedelta(days=3))
    book(world, slot=soon, size=12)
    cancelled = book(world, size=8)
    service.cancel_booking(world.teacher, cancelled, "De bus rijdt niet.")
    commit()


def test_the_weekly_digest_tells_each_coordinator_what_needs_attention(world, smtp, dispatch):
    coordinator = world.coordinator
    week_of_activity(world)
    second = factories.user(
        factories.network(), "coordinator", email="second@network.test", locale="en"
    )
    queued = digests.send_coordinator_digests()
    commit()
    assert sorted(m.recipient for m in queued) == [coordinator.email, second.email]
    dispatch()
    mail = next(m for m in smtp.sink.to(second.email))
    assert mail.message["Subject"].startswith("Techniekpoort this week (week ")
    text = mail.text
    assert "Waiting for approval (1)" in text and "Nieuwe School" in text
    assert "Bookings in the coming seven days (1)" in text
    assert "Lassen voor beginners, Metaal Twente, Vakcollege Noord, 12 students" in text
    assert "Cancelled in the past seven days (1)" in text and "De bus rijdt niet." in text
    assert "http://techniekpoort.test/organisations" in text
    # Only digests can be unsubscribed from, by a one-click link (RFC 8058).
    unsubscribe = mail.message["List-Unsubscribe"].strip("<>")
    assert unsubscribe.startswith("http://techniekpoort.test/notifications/unsubscribe/")
    assert mail.message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert unsubscribe in text and unsubscribe in mail.html
    assert all(
        m.message["List-Unsubscribe"] is None
        for m in smtp.sink.messages()
        if m.envelope_to != [coordinator.email] and m.envelope_to != [second.email]
    )


def test_one_digest_per_week_even_when_the_job_runs_twice(world, outbox):
    week_of_activity(world)
    now = utcnow()
    digests.send_coordinator_digests(now)
    assert digests.send_coordinator_digests(later_the_same_week(now)) == []
    commit()
    assert len(outbox("digest_coordinator")) == 1
    assert len(digests.send_coordinator_digests(now + timedelta(days=7))) == 1


def test_a_quiet_week_sends_no_digest(coordinator, outbox):
    assert digests.send_coordinator_digests() == []


def test_someone_who_switched_digests_off_gets_none(world, outbox):
    coordinator = world.coordinator
    week_of_activity(world)
    notifications.set_digests(coordinator, False)
    assert digests.send_coordinator_digests() == []


def test_the_unsubscribe_link_asks_first_and_switches_off_on_post(world, app, db):
    coordinator = world.coordinator
    token = notifications.unsubscribe_token(coordinator)
    client = app.test_client()
    page = client.get(f"/notifications/unsubscribe/{token}")
    assert page.status_code == 200
    assert coordinator.email in page.get_data(as_text=True)
    assert notifications.wants_digests(coordinator)  # a GET (a link scanner) changes nothing
    done = client.post(f"/notifications/unsubscribe/{token}")
    assert done.status_code == 200
    db.session.expire_all()
    assert not notifications.wants_digests(coordinator)
    week_of_activity(world)
    assert digests.send_coordinator_digests() == []


def test_one_click_unsubscribe_works_without_a_session_or_csrf_token(
    coordinator, app, db, csrf_enabled
):
    token = notifications.unsubscribe_token(coordinator)
    response = app.test_client().post(
        f"/notifications/unsubscribe/{token}", data={"List-Unsubscribe": "One-Click"}
    )
    assert response.status_code == 200
    db.session.expire_all()
    assert not notifications.wants_digests(coordinator)


def test_a_link_with_a_wrong_signature_is_refused(coordinator, app, db):
    token = notifications.unsubscribe_token(coordinator)
    payload, signature = token.rsplit(".", 1)
    forged = payload + "." + ("A" if signature[0] != "A" else "B") + signature[1:]
    other = factories.user(factories.network(), "coordinator")
    # Someone else's id with this person's signature does not pass either.
    swapped = notifications.unsubscribe_token(other).rsplit(".", 1)[0] + "." + signature
    client = app.test_client()
    for bad in (forged, swapped, "nonsense", payload):
        assert client.get(f"/notifications/unsubscribe/{bad}").status_code == 404
        assert client.post(f"/notifications/unsubscribe/{bad}").status_code == 404
    db.session.expire_all()
    assert notifications.wants_digests(coordinator) and notifications.wants_digests(other)


def test_a_link_made_with_another_secret_is_refused(coordinator, app, db):
    token = notifications.unsubscribe_token(coordinator)
    app.config["SECRET_KEY"] = "another-secret"
    assert app.test_client().post(f"/notifications/unsubscribe/{token}").status_code == 404
