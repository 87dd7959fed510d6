"""Each mail about a booking, sent through a real SMTP server: who receives it,
in which language, and what it says."""

from __future__ import annotations

import re

from app.bookings import service
from app.catalogue import service as catalogue
from app.notifications.models import Notification
from tests import factories
from tests.notifications.helpers import DAY, book, commit
from tests.pages import dutch_text

DUTCH_DAYS = ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag")
ENGLISH_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def only(received):
    assert len(received) == 1, [r.message["Subject"] for r in received]
    return received[0]


def assert_one_recipient(received, address):
    assert received.envelope_to == [address]
    assert received.message["To"] == address
    assert received.message["Cc"] is None and received.message["Bcc"] is None


def assert_english(received):
    assert '<html lang="en">' in received.html
    assert any(day in received.text for day in ENGLISH_DAYS)


def assert_dutch(received):
    assert '<html lang="nl">' in received.html
    assert any(day in received.text for day in DUTCH_DAYS)


def links(received) -> list[str]:
    return re.findall(r"http://techniekpoort\.test(/\S*)", received.text)


def test_a_request_tells_the_company_contact_in_dutch_with_a_link_to_the_booking(
    world, smtp, dispatch
):
    booking = book(world)
    commit()
    result = dispatch()
    assert len(result.sent) == 1
    mail = only(smtp.sink.to("contact@company.test"))
    assert_one_recipient(mail, "contact@company.test")
    assert_dutch(mail)
    assert mail.message["Subject"] == dutch_text(
        "New booking request for %(title)s", title="Lassen voor beginners"
    )
    assert dutch_text("Hello %(name)s,", name="Kees Contact") in mail.text
    assert "Vakcollege Noord" in mail.text and "20" in mail.text
    # The link leads to the page where confirming is a POST, never to an action.
    assert links(mail)[0] == f"/bookings/{booking.id}"
    assert "/notifications/settings" in links(mail)
    assert "confirm" not in links(mail)[0]
    assert f'href="http://techniekpoort.test/bookings/{booking.id}"' in mail.html
    # The school learns nothing by mail yet; the teacher made the request.
    assert smtp.sink.to("teacher@school.test") == []


def test_confirmation_goes_to_the_teacher_in_english_with_the_company_contact(
    world, smtp, dispatch
):
    booking = book(world)
    service.confirm_booking(world.contact, booking)
    commit()
    dispatch()
    mail = only(smtp.sink.to("teacher@school.test"))
    assert_one_recipient(mail, "teacher@school.test")
    assert_english(mail)
    assert mail.message["Subject"] == "Booking confirmed: Lassen voor beginners"
    assert "Hello Tess Teacher," in mail.text
    assert "Your booking of Lassen voor beginners at Metaal Twente is confirmed." in mail.text
    # The parties of a booking see each other's contact details.
    assert "Kees Contact, contact@company.test, 053 123 4567" in mail.text
    assert links(mail)[0] == f"/bookings/{booking.id}"
    # The contact confirmed it themselves: no mail back to them.
    assert [m.message["Subject"] for m in smtp.sink.to("contact@company.test")] == [
        dutch_text("New booking request for %(title)s", title="Lassen voor beginners")
    ]


def test_an_activity_without_approval_confirms_at_once_and_tells_both(world, smtp, dispatch):
    world.activity.requires_approval = False
    booking = book(world)
    assert booking.status == "confirmed"
    commit()
    dispatch()
    assert only(smtp.sink.to("teacher@school.test")).message["Subject"] == (
        "Booking confirmed: Lassen voor beginners"
    )
    received = only(smtp.sink.to("contact@company.test"))
    assert received.message["Subject"] == dutch_text(
        "New booking for %(title)s", title="Lassen voor beginners"
    )


def test_a_decline_tells_the_teacher_the_reason(world, smtp, dispatch):
    booking = book(world)
    service.decline_booking(world.contact, booking, "Onze werkplaats is dan in onderhoud.")
    commit()
    dispatch()
    mail = only(smtp.sink.to("teacher@school.test"))
    assert mail.message["Subject"] == "Booking declined: Lassen voor beginners"
    assert "Reason: Onze werkplaats is dan in onderhoud." in mail.text
    assert "Onze werkplaats is dan in onderhoud." in mail.html


def test_waiting_list_and_promotion(world, smtp, dispatch):
    other_school = factories.school()
    other_teacher = factories.user(other_school, "teacher", email="other@school.test")
    world.slot.capacity = 25
    first = service.request_booking(
        other_teacher, world.slot, other_school, service.Group(size=20, year="2", path="KB")
    ).booking
    waiting = book(world, size=10, waitlist=True)
    assert waiting.status == "waitlisted"
    commit()
    dispatch()
    assert only(smtp.sink.to("teacher@school.test")).message["Subject"] == (
        "On the waiting list: Lassen voor beginners"
    )

    service.cancel_booking(other_teacher, first, "De bus is niet beschikbaar.")
    commit()
    dispatch()
    assert waiting.status == "requested"
    teacher_mails = smtp.sink.to("teacher@school.test")
    assert [m.message["Subject"] for m in teacher_mails][1:] == [
        "Places came free: Lassen voor beginners"
    ]
    assert "still has to confirm it" in teacher_mails[1].text
    contact_subjects = [m.message["Subject"] for m in smtp.sink.to("contact@company.test")]
    assert (
        dutch_text("Places came free: %(title)s", title="Lassen voor beginners") in contact_subjects
    )
    assert (
        dutch_text("Booking cancelled: %(title)s", title="Lassen voor beginners")
        in contact_subjects
    )


def test_a_school_cancellation_tells_the_company_once(world, smtp, dispatch, outbox):
    from app.events import emit
    from app.events import types as ev

    booking = book(world)
    service.confirm_booking(world.contact, booking)
    service.cancel_booking(world.teacher, booking, "De klas heeft een toets.")
    # The same event again (a retried request, a replayed handler): no second mail.
    emit(
        ev.BookingCancelled(
            booking_id=booking.id,
            slot_id=booking.slot_id,
            school_id=booking.school_id,
            company_id=world.company.id,
            group_size=booking.group_size,
            reason="De klas heeft een toets.",
        )
    )
    commit()
    assert len(outbox("booking_cancelled")) == 1
    dispatch()
    cancellations = [
        m for m in smtp.sink.to("contact@company.test") if "De klas heeft een toets." in m.text
    ]
    assert len(cancellations) == 1
    assert cancellations[0].message["Subject"] == dutch_text(
        "Booking cancelled: %(title)s", title="Lassen voor beginners"
    )


def test_a_moved_slot_tells_the_teacher_old_and_new_time(world, smtp, dispatch):
    booking = book(world)
    service.confirm_booking(world.contact, booking)
    commit()
    dispatch()
    old_start = world.slot.starts_at
    catalogue.reschedule_slot(
        world.slot,
        world.contact,
        starts_at=old_start + 2 * DAY,
        reason="Een machine is in reparatie.",
    )
    commit()
    dispatch()
    mail = only(smtp.sink.messages("New date for"))
    assert_one_recipient(mail, "teacher@school.test")
    assert "Reason: Een machine is in reparatie." in mail.text
    from app.timeutil import to_local

    old_local, new_local = to_local(old_start), to_local(old_start + 2 * DAY)
    assert f"{old_local:%-d} {old_local:%B} {old_local:%Y}, {old_local:%H:%M}" in mail.text
    assert (
        f"When: {new_local:%A} {new_local:%-d} {new_local:%B} {new_local:%Y}, {new_local:%H:%M}"
        in mail.text
    )
    assert links(mail)[0] == f"/bookings/{booking.id}"

    # Only a new capacity: nothing a teacher needs to hear about.
    catalogue.reschedule_slot(world.slot, world.contact, capacity=40)
    commit()
    dispatch()
    assert len(smtp.sink.messages("New date for")) == 1


def test_a_cancelled_slot_tells_each_teacher(world, smtp, dispatch):
    other_school = factories.school()
    other_teacher = factories.user(other_school, "teacher", email="other@school.test", locale="nl")
    booking = book(world)
    service.confirm_booking(world.contact, booking)
    service.request_booking(
        other_teacher, world.slot, other_school, service.Group(size=5, year="1", path="BB")
    )
    commit()
    dispatch()
    catalogue.cancel_slot(world.slot, "De hal is afgekeurd.", world.contact)
    commit()
    dispatch()
    english = only(
        [m for m in smtp.sink.to("teacher@school.test") if "Cancelled by" in m.message["Subject"]]
    )
    assert english.message["Subject"] == "Cancelled by the company: Lassen voor beginners"
    assert "Reason: De hal is afgekeurd." in english.text
    subject_nl = dutch_text("Cancelled by the company: %(title)s", title="Lassen voor beginners")
    dutch_mail = only(
        [m for m in smtp.sink.to("other@school.test") if m.message["Subject"] == subject_nl]
    )
    assert_dutch(dutch_mail)
    # Cancelling again changes nothing and sends nothing.
    catalogue.cancel_slot(world.slot, "Nogmaals.", world.contact)
    commit()
    dispatch()
    subjects = {subject_nl, "Cancelled by the company: Lassen voor beginners"}
    assert len([m for m in smtp.sink.messages() if m.message["Subject"] in subjects]) == 2


def test_every_mail_also_lands_in_the_in_app_list(world, db):
    booking = book(world)
    service.confirm_booking(world.contact, booking)
    commit()
    from sqlalchemy import select

    rows = db.session.scalars(select(Notification).order_by(Notification.id)).all()
    assert [(n.user_id, n.kind, n.link) for n in rows] == [
        (world.contact.id, "booking_requested", f"/bookings/{booking.id}"),
        (world.teacher.id, "booking_confirmed", f"/bookings/{booking.id}"),
    ]
    assert rows[1].text == "Booking confirmed: Lassen voor beginners"
    assert all(n.read_at is None for n in rows)


def test_a_deactivated_person_gets_nothing(world, outbox):
    world.contact.active = False
    book(world)
    commit()
    assert outbox("booking_requested") == []


def test_the_contacts_of_the_company_are_told_when_the_activity_names_nobody(world, outbox):
    second = factories.user(world.company, "contact", email="second@company.test")
    world.activity.contact = None
    book(world)
    commit()
    assert sorted(m.recipient for m in outbox("booking_requested")) == sorted(
        ["contact@company.test", second.email]
    )


def test_the_confirmation_carries_the_booking_as_a_calendar_file(world, smtp, dispatch):
    booking = book(world)
    service.confirm_booking(world.contact, booking)
    commit()
    dispatch()
    mail = only(smtp.sink.to("teacher@school.test"))
    [attachment] = list(mail.message.iter_attachments())
    assert attachment.get_content_type() == "text/calendar"
    assert attachment.get_filename() == f"techniekpoort-booking-{booking.id}.ics"
    calendar = attachment.get_payload(decode=True).decode()
    assert calendar.startswith("BEGIN:VCALENDAR\r\n")
    assert "BEGIN:VEVENT" in calendar and f"UID:booking-{booking.id}@" in calendar
    assert "Lassen voor beginners" in calendar
    # The text and HTML parts are still there beside it.
    assert "is confirmed" in mail.text and '<html lang="en">' in mail.html
    # The request mail to the company has no attachment.
    assert list(only(smtp.sink.to("contact@company.test")).message.iter_attachments()) == []
