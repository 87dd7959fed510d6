"""One of everything a route can name, for the hostile-input tests: a school,
a company and a coordinator organisation, each with a member of every role
they have, and the objects their pages and forms act on. Built through the
services, as people would, so every page has something to show and every
form a real object to act on."""

from __future__ import annotations

from datetime import timedelta

from app.accounts.service import create_api_token, invite_member
from app.bookings import service as bookings
from app.calendar.service import create_feed
from app.curriculum.service import entries, load_reference
from app.extensions import db
from app.holidays.models import SchoolHoliday
from app.notifications.models import Notification, OutgoingMail
from app.placements import service as placements
from app.placements.schedule import lesson_dates
from app.school_requests import service as school_requests
from tests import factories
from tests.evaluations import builders
from tests.placements import helpers as placement_helpers

# The people who sign in, one per role (and anonymous, who signs in as nobody).
ROLES = ["teacher", "contact", "coordinator", "administrator"]


def build() -> dict:
    """The world, as {"people": {role: user}, "ids": {route argument: [ids]},
    "values": {route argument: a valid string value}}."""
    school = factories.school(name="Vakcollege De Kolk", holiday_region="oost")
    company = factories.company(name="Hengelo Aandrijftechniek")
    network = factories.network(name="Techniekpact Twente")
    people = {
        "teacher": factories.user(school, "teacher", name="Docent Kolk"),
        "contact": factories.user(company, "contact", name="Contact Hengelo"),
        "coordinator": factories.user(network, "coordinator", name="Coördinator Twente"),
        "administrator": factories.user(company, "administrator", name="Beheer Hengelo"),
    }
    teacher, contact = people["teacher"], people["contact"]

    activity = factories.activity(company, contact=contact, title="Draaien en frezen")
    slot = factories.slot(activity)
    booking = bookings.request_booking(
        teacher, slot, school, bookings.Group(size=10, year="3", path="KB", profile="PIE")
    ).booking
    past = builders.past_slot(activity, days_ago=3)
    completed = builders.booking(past, school, teacher=teacher)

    professional = placement_helpers.professional(company)
    proposed = placement_helpers.propose(contact, company, school, professional)
    agreed = placement_helpers.propose(
        contact, company, school, placement_helpers.professional(company, name="Piet Smit")
    )
    placements.accept(teacher, agreed)

    request = school_requests.post_request(
        teacher,
        school,
        school_requests.RequestInput(
            kind="company_visit",
            topic="Een kijkje bij een metaalbedrijf",
            group_size=10,
            year="3",
            path="KB",
            profile="PIE",
            first_day=slot.starts_at.date() - timedelta(days=3),
            last_day=slot.starts_at.date() + timedelta(days=3),
            venues={"company"},
            max_km=None,
            remarks="",
        ),
    )
    response = school_requests.propose_slot(contact, request, company, slot, "Wij hebben plek.")

    feed = create_feed(teacher, kind="personal")
    token, _raw = create_api_token(teacher, "tests")
    invite_member(company, "nieuw@company.test", "contact", contact)
    holiday = SchoolHoliday(
        region="oost",
        name="Herfstvakantie",
        start_date=slot.starts_at.date() + timedelta(days=60),
        end_date=slot.starts_at.date() + timedelta(days=68),
    )
    db.session.add(holiday)
    mail = OutgoingMail(
        kind="test",
        recipient=teacher.email,
        subject="Niet verstuurd",
        text_body="",
        html_body="",
        status="failed",
        last_error="refused",
    )
    db.session.add(mail)
    notification = Notification(user_id=teacher.id, kind="test", text="Nieuws", link="/")
    db.session.add(notification)
    load_reference()
    db.session.flush()
    db.session.commit()

    lesson_date = lesson_dates(agreed)[0].isoformat()
    ids = {
        "activity_id": [activity.id],
        "slot_id": [slot.id],
        "booking_id": [booking.id, completed.id],
        "placement_id": [proposed.id, agreed.id],
        "request_id": [request.id],
        "response_id": [response.id],
        "token_id": [token.id],
        "feed_id": [feed.id],
        "company_id": [company.id],
        "organisation_id": [company.id],
        "school_id": [school.id],
        "location_id": [school.id],
        "entry_id": [entries("module")[0].id],
        "holiday_id": [holiday.id],
        "notification_id": [notification.id],
        "mail_id": [mail.id],
        "professional_id": [professional.id],
        # the company's memberships: organisation_id above is the company
        "membership_id": [m.id for m in company.memberships],
    }
    values = {
        "original_date": lesson_date,
        "value": lesson_date,
        "kind": "company_visit",
        "name": "kind",
        "token": "no-such-token",
    }
    return {"people": people, "ids": ids, "values": values}
