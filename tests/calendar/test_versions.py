"""Which feeds an event raises: all that show the thing, and only those."""

from __future__ import annotations

from datetime import timedelta

from app.bookings import service as bookings
from app.calendar import service as feeds
from app.calendar.models import CalendarFeed
from app.catalogue import service as catalogue
from tests import factories
from tests.calendar.helpers import book, make_feed


def versions(db) -> dict[int, int]:
    db.session.expire_all()
    return dict(db.session.query(CalendarFeed.id, CalendarFeed.version).all())


def raised(db, before: dict[int, int]) -> set[int]:
    after = versions(db)
    return {feed_id for feed_id, version in after.items() if version > before[feed_id]}


def test_a_booking_raises_the_feeds_that_show_it_and_no_others(app, db, world):
    shown = {
        make_feed(db, world.teacher).id,
        make_feed(db, world.teacher, "organisation", organisation=world.school).id,
        make_feed(db, world.contact).id,
        make_feed(db, world.contact, "organisation", organisation=world.company).id,
        make_feed(db, world.coordinator, "filtered", filters={}).id,
        make_feed(db, world.coordinator, "filtered", filters={"sectors": ["metal"]}).id,
        make_feed(db, world.coordinator, "filtered", filters={"schools": [world.school.id]}).id,
    }
    not_shown = {
        make_feed(db, world.other_teacher).id,
        make_feed(db, world.other_teacher, "organisation", organisation=world.other_school).id,
        make_feed(db, world.other_contact).id,
        make_feed(db, world.coordinator, "filtered", filters={"sectors": ["ict"]}).id,
        make_feed(db, world.coordinator, "filtered", filters={"regions": ["zuid"]}).id,
        make_feed(
            db, world.coordinator, "filtered", filters={"schools": [world.other_school.id]}
        ).id,
    }
    revoked = make_feed(db, world.teacher)
    feeds.revoke_feed(revoked)
    db.session.commit()

    before = versions(db)
    booking = book(db, world)
    assert raised(db, before) == shown

    before = versions(db)
    bookings.confirm_booking(world.contact, booking)
    db.session.commit()
    assert raised(db, before) == shown
    assert versions(db)[revoked.id] == before[revoked.id]
    assert not_shown.isdisjoint(raised(db, before))


def test_slot_changes_reach_the_schools_that_booked_it(app, db, world):
    book(db, world)
    school_feed = make_feed(db, world.teacher, "organisation", organisation=world.school).id
    other_school_feed = make_feed(db, world.other_teacher).id
    before = versions(db)
    catalogue.reschedule_slot(world.slot, world.contact, capacity=40)
    db.session.commit()
    assert school_feed in raised(db, before)
    assert other_school_feed not in raised(db, before)

    before = versions(db)
    next_year = timedelta(days=364)
    new = catalogue.add_slot(
        world.activity,
        world.slot.starts_at + next_year,
        world.slot.ends_at + next_year,
        20,
        world.contact,
    ).value
    db.session.commit()
    assert school_feed not in raised(db, before)  # nobody booked the new date yet
    assert new.id


def test_an_activity_that_leaves_a_filter_raises_that_feed(app, db, world, fetch):
    book(db, world)
    metal = make_feed(db, world.coordinator, "filtered", filters={"sectors": ["metal"]})
    region = make_feed(db, world.coordinator, "filtered", filters={"regions": ["zuid"]})
    assert fetch(metal).data.count(b"BEGIN:VEVENT") == 1
    before = versions(db)
    catalogue.update_activity(world.activity, {"sectors": ["ict"]}, world.contact)
    db.session.commit()
    # It matched before the change: the feed must learn that the event left it.
    assert metal.id in raised(db, before)
    assert region.id not in raised(db, before)
    assert fetch(metal).data.count(b"BEGIN:VEVENT") == 0


def test_publishing_an_activity_raises_the_company_and_region_feeds(app, db, world):
    draft = factories.activity(world.company, title="Welding", status="draft")
    factories.slot(draft)
    db.session.commit()
    company_feed = make_feed(db, world.contact).id
    region_feed = make_feed(db, world.coordinator, "filtered", filters={}).id
    before = versions(db)
    catalogue.publish_activity(draft, world.contact)
    db.session.commit()
    assert {company_feed, region_feed} <= raised(db, before)


def test_joining_an_organisation_raises_the_persons_feeds(app, db, world):
    from app.accounts import service as accounts

    feed = make_feed(db, world.other_contact).id
    before = versions(db)
    accounts.add_membership(world.other_contact, world.company, "contact")
    db.session.commit()
    assert raised(db, before) == {feed}
