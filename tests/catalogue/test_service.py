"""catalogue.service: the rules of activities and slots, on both databases."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest

from app.catalogue import service
from app.catalogue.models import Activity, Slot
from app.errors import DomainError
from app.holidays.models import SchoolHoliday
from app.timeutil import local_to_utc, to_local, utcnow
from tests import factories


def activity_values(**changes) -> dict:
    values = {
        "kind": "workshop",
        "title": "Solderen voor beginners",
        "description": "Een middag solderen.",
        "years": ["3", "4"],
        "paths": ["BB", "KB"],
        "profiles": ["PIE"],
        "venue": "company",
        "duration_minutes": 90,
        "max_group_size": 20,
        "min_notice_days": 5,
        "requires_approval": False,
    }
    values.update(changes)
    return values


@pytest.fixture
def company(contact):
    return contact.organisations()[0]


def future(days: int, hour: int = 10) -> datetime:
    """Naive UTC at a local wall-clock hour, `days` from today."""
    day = date.today() + timedelta(days=days)
    return local_to_utc(datetime.combine(day, time(hour)))


# --- activities ---------------------------------------------------------------------


def test_create_activity_makes_a_draft_with_the_company_as_defaults(db, company, contact):
    company.sectors = frozenset({"electrical", "energy"})
    activity = service.create_activity(company, activity_values(contact_id=contact.id), contact)
    db.session.commit()

    stored = db.session.get(Activity, activity.id)
    assert stored.status == "draft" and stored.published_at is None
    assert stored.title == "Solderen voor beginners"
    assert stored.years == {"3", "4"} and stored.paths == {"BB", "KB"}
    # Empty address and sectors come from the company; its coordinates too.
    assert (stored.address, stored.postcode, stored.city) == (
        company.address,
        company.postcode,
        company.city,
    )
    assert (stored.latitude, stored.longitude) == (company.latitude, company.longitude)
    assert stored.sectors == {"electrical", "energy"}
    assert stored.contact_id == contact.id
    assert stored.requires_approval is False


def test_create_activity_keeps_an_address_of_its_own(db, company, contact):
    activity = service.create_activity(
        company,
        activity_values(
            venue="school",
            address="  Schoolplein 1 ",
            postcode="7512ab",
            city="Hengelo",
            sectors=["ict"],
        ),
        contact,
    )
    assert (activity.address, activity.postcode, activity.city) == (
        "Schoolplein 1",
        "7512 AB",
        "Hengelo",
    )
    assert activity.sectors == {"ict"}


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": "   "}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"kind": "party"}, "kind"),
        ({"venue": "moon"}, "venue"),
        ({"years": []}, "years"),
        ({"years": ["7"]}, "years"),
        ({"paths": []}, "paths"),
        ({"profiles": ["XYZ"]}, "profiles"),
        ({"sectors": ["bakery"]}, "sectors"),
        ({"max_group_size": 0}, "max_group_size"),
        ({"max_group_size": 5000}, "max_group_size"),
        ({"min_notice_days": -1}, "min_notice_days"),
        ({"duration_minutes": 0}, "duration_minutes"),
        ({"postcode": "12345"}, "postcode"),
    ],
)
def test_create_activity_refuses_bad_values_at_their_field(db, company, contact, changes, field):
    with pytest.raises(DomainError) as refused:
        service.create_activity(company, activity_values(**changes), contact)
    assert refused.value.field == field
    assert refused.value.message


def test_the_contact_person_must_belong_to_the_company(db, company, contact):
    stranger = factories.user(factories.company(), "contact")
    with pytest.raises(DomainError) as refused:
        service.create_activity(company, activity_values(contact_id=stranger.id), contact)
    assert refused.value.field == "contact_id"


def test_update_activity_changes_it_and_logs_the_change(db, company, contact, events):
    activity = factories.activity(company, status="draft")
    service.update_activity(activity, {"title": "Nieuwe titel", "years": ["1"]}, contact)
    db.session.commit()

    assert db.session.get(Activity, activity.id).title == "Nieuwe titel"
    assert activity.years == {"1"}
    [changed] = events("ActivityChanged")
    assert changed.subject_id == activity.id and changed.actor_id == contact.id


def test_update_refuses_invalid_values_and_archived_activities(db, company, contact):
    activity = factories.activity(company, status="draft")
    with pytest.raises(DomainError) as refused:
        service.update_activity(activity, {"paths": []}, contact)
    assert refused.value.field == "paths"
    db.session.rollback()

    archived = factories.activity(company, status="archived")
    with pytest.raises(DomainError) as refused:
        service.update_activity(archived, {"title": "Toch"}, contact)
    assert refused.value.code == "archived"


def test_publish_and_archive(db, company, contact, events):
    activity = factories.activity(company, status="draft")
    service.publish_activity(activity, contact)
    db.session.commit()
    assert activity.status == "published" and activity.published_at is not None
    first_published = activity.published_at

    service.publish_activity(activity, contact)  # again: nothing changes
    assert activity.published_at == first_published
    assert len(events("ActivityPublished")) == 1

    service.archive_activity(activity, contact)
    db.session.commit()
    assert db.session.get(Activity, activity.id).status == "archived"
    [archived] = events("ActivityArchived")
    assert archived.subject_id == activity.id


def test_a_company_waiting_for_approval_cannot_publish(db, contact, events):
    pending = factories.company(status="pending")
    activity = factories.activity(pending, status="draft")
    with pytest.raises(DomainError) as refused:
        service.publish_activity(activity, contact)
    assert refused.value.code == "not_approved"
    assert activity.status == "draft"
    assert events("ActivityPublished") == []


def test_publishing_checks_the_activity_again(db, company, contact):
    activity = factories.activity(company, status="draft", years=frozenset())
    with pytest.raises(DomainError) as refused:
        service.publish_activity(activity, contact)
    assert refused.value.field == "years"


# --- slots --------------------------------------------------------------------------


def test_add_slot_stores_utc_and_logs_it(db, company, contact, events):
    activity = factories.activity(company)
    starts = future(20, hour=9)
    outcome = service.add_slot(activity, starts, starts + timedelta(hours=3), 24, contact)
    db.session.commit()

    slot = db.session.get(Slot, outcome.value.id)
    assert (slot.starts_at, slot.capacity, slot.taken, slot.status) == (starts, 24, 0, "open")
    assert to_local(slot.starts_at).hour == 9
    assert outcome.warnings == []
    [added] = events("SlotAdded")
    assert added.subject_id == slot.id and added.payload["capacity"] == 24


@pytest.mark.parametrize(
    ("start_days", "length_hours", "capacity", "field"),
    [
        (-1, 2, 10, "starts_at"),  # in the past
        (10, -1, 10, "ends_at"),  # ends before it starts
        (10, 0, 10, "ends_at"),  # ends when it starts
        (10, 2, 0, "capacity"),
        (10, 2, -5, "capacity"),
        (10, 2, 100_000, "capacity"),
    ],
)
def test_add_slot_refuses(db, company, contact, start_days, length_hours, capacity, field):
    activity = factories.activity(company)
    starts = future(start_days)
    with pytest.raises(DomainError) as refused:
        service.add_slot(
            activity, starts, starts + timedelta(hours=length_hours), capacity, contact
        )
    assert refused.value.field == field
    assert db.session.query(Slot).count() == 0


def test_an_archived_activity_gets_no_slots(db, company, contact):
    activity = factories.activity(company, status="archived")
    starts = future(10)
    with pytest.raises(DomainError) as refused:
        service.add_slot(activity, starts, starts + timedelta(hours=1), 10, contact)
    assert refused.value.code == "archived"


def test_a_slot_in_the_companys_holidays_is_added_with_a_warning(db, company, contact):
    day = date.today() + timedelta(days=40)
    db.session.add_all(
        [
            SchoolHoliday(
                region="noord",
                name="Herfstvakantie",
                start_date=day - timedelta(days=2),
                end_date=day + timedelta(days=2),
            ),
            SchoolHoliday(
                region="zuid",
                name="Zuidvakantie",
                start_date=day + timedelta(days=7),
                end_date=day + timedelta(days=9),
            ),
        ]
    )
    db.session.commit()
    activity = factories.activity(company)

    starts = local_to_utc(datetime.combine(day, time(10)))
    outcome = service.add_slot(activity, starts, starts + timedelta(hours=2), 10, contact)
    assert outcome.value.id is not None
    assert len(outcome.warnings) == 1 and "Herfstvakantie" in outcome.warnings[0]

    # Another region's holiday is no concern of a company in region noord.
    other = local_to_utc(datetime.combine(day + timedelta(days=8), time(10)))
    assert service.add_slot(activity, other, other + timedelta(hours=2), 10, contact).warnings == []


def _weekdays_between(first: date, last: date, weekday: int) -> list[date]:
    days, day = [], first
    while day <= last:
        if day.weekday() == weekday:
            days.append(day)
        day += timedelta(days=1)
    return days


def test_a_series_skips_the_holidays_and_keeps_the_local_time(db, company, contact, events):
    # March to mid-April of next year: crosses the change to summer time.
    year = date.today().year + 1
    first, last = date(year, 3, 1), date(year, 4, 15)
    tuesdays = _weekdays_between(first, last, 1)
    holiday_tuesday = tuesdays[2]
    db.session.add_all(
        [
            SchoolHoliday(
                region="noord",
                name="Voorjaarsvakantie",
                start_date=holiday_tuesday - timedelta(days=1),
                end_date=holiday_tuesday + timedelta(days=3),
            ),
            # Another region's holiday does not count for a company in noord.
            SchoolHoliday(region="zuid", name="Zuid", start_date=tuesdays[3], end_date=tuesdays[3]),
        ]
    )
    db.session.commit()
    activity = factories.activity(company)

    outcome = service.add_slot_series(
        activity,
        first_day=first,
        last_day=last,
        weekdays={1},
        start=time(13, 30),
        end=time(15, 0),
        capacity=16,
        actor=contact,
    )
    db.session.commit()

    slots = db.session.query(Slot).order_by(Slot.starts_at).all()
    assert [to_local(s.starts_at).date() for s in slots] == [
        d for d in tuesdays if d != holiday_tuesday
    ]
    assert {to_local(s.starts_at).time() for s in slots} == {time(13, 30)}
    assert {to_local(s.ends_at).time() for s in slots} == {time(15, 0)}
    # The same local time is a different UTC hour in winter and summer time.
    assert len({s.starts_at.hour for s in slots}) == 2
    assert {s.capacity for s in slots} == {16}
    assert len({s.series_key for s in slots}) == 1 and slots[0].series_key
    assert len(outcome.warnings) == 1 and "1" in outcome.warnings[0]
    assert len(events("SlotAdded")) == len(slots)


def test_a_series_that_keeps_holidays_warns_about_each(db, company, contact):
    year = date.today().year + 1
    first, last = date(year, 10, 1), date(year, 10, 31)
    mondays = _weekdays_between(first, last, 0)
    db.session.add(
        SchoolHoliday(
            region="noord",
            name="Herfstvakantie",
            start_date=mondays[1],
            end_date=mondays[1] + timedelta(days=4),
        )
    )
    db.session.commit()
    activity = factories.activity(company)

    outcome = service.add_slot_series(
        activity,
        first_day=first,
        last_day=last,
        weekdays={0},
        start=time(9),
        end=time(12),
        capacity=10,
        actor=contact,
        skip_holidays=False,
    )
    assert len(outcome.value) == len(mondays)
    assert len(outcome.warnings) == 1 and "Herfstvakantie" in outcome.warnings[0]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"last_day": -1}, "last_day"),  # last day before the first
        ({"weekdays": set()}, "weekdays"),
        ({"end": time(13)}, "end"),  # ends before it starts
        ({"weekdays": {6}, "last_day": 5}, "weekdays"),  # no Sunday in the period
        ({"last_day": 500, "weekdays": {0, 1, 2, 3, 4}}, "last_day"),  # too many slots
        ({"first_day": -30}, "starts_at"),  # starts in the past
        ({"capacity": 0}, "capacity"),
    ],
)
def test_a_series_refuses(db, company, contact, changes, field):
    activity = factories.activity(company)
    # A Monday, at least two weeks ahead.
    monday = date.today() + timedelta(days=14 - date.today().weekday() + 7)
    arguments = {
        "first_day": monday,
        "last_day": monday + timedelta(days=20),
        "weekdays": {0, 2},
        "start": time(14),
        "end": time(16),
        "capacity": 12,
    }
    for name, value in changes.items():
        if name in ("first_day", "last_day") and isinstance(value, int):
            value = (
                monday + timedelta(days=value)
                if name == "last_day"
                else (date.today() + timedelta(days=value))
            )
        arguments[name] = value
    with pytest.raises(DomainError) as refused:
        service.add_slot_series(activity, actor=contact, **arguments)
    assert refused.value.field == field
    db.session.rollback()
    assert db.session.query(Slot).count() == 0


def test_reschedule_moves_a_slot_and_raises_its_revision(db, company, contact, events):
    slot = factories.slot(factories.activity(company), days_ahead=20, capacity=20)
    new_start = future(25, hour=14)
    outcome = service.reschedule_slot(
        slot,
        contact,
        starts_at=new_start,
        ends_at=new_start + timedelta(hours=1),
        capacity=30,
        reason="Machine in onderhoud",
    )
    db.session.commit()

    stored = db.session.get(Slot, slot.id)
    assert (stored.starts_at, stored.ends_at, stored.capacity, stored.revision) == (
        new_start,
        new_start + timedelta(hours=1),
        30,
        1,
    )
    assert outcome.warnings == []
    [moved] = events("SlotRescheduled")
    assert moved.payload["reason"] == "Machine in onderhoud"
    assert moved.payload["new_starts_at"] == new_start.isoformat()


def test_reschedule_refuses_a_capacity_below_the_places_taken(db, company, contact):
    slot = factories.slot(factories.activity(company), capacity=30, taken=18)
    db.session.commit()
    with pytest.raises(DomainError) as refused:
        service.reschedule_slot(slot, contact, capacity=17)
    assert refused.value.field == "capacity"
    assert "18" in refused.value.message
    db.session.rollback()
    stored = db.session.get(Slot, slot.id)
    assert (stored.capacity, stored.taken, stored.revision) == (30, 18, 0)

    # Exactly the places taken is fine.
    service.reschedule_slot(slot, contact, capacity=18)
    db.session.commit()
    assert db.session.get(Slot, slot.id).capacity == 18


@pytest.mark.parametrize(
    ("start_days", "length_hours", "field"),
    [(-2, 2, "starts_at"), (10, -1, "ends_at")],
)
def test_reschedule_refuses_bad_times(db, company, contact, start_days, length_hours, field):
    slot = factories.slot(factories.activity(company))
    starts = future(start_days)
    with pytest.raises(DomainError) as refused:
        service.reschedule_slot(
            slot, contact, starts_at=starts, ends_at=starts + timedelta(hours=length_hours)
        )
    assert refused.value.field == field


def test_a_cancelled_slot_cannot_be_rescheduled(db, company, contact):
    slot = factories.slot(factories.activity(company), status="cancelled")
    with pytest.raises(DomainError) as refused:
        service.reschedule_slot(slot, contact, capacity=40)
    assert refused.value.code == "cancelled"


def test_cancel_slot_needs_a_reason(db, company, contact, events):
    slot = factories.slot(factories.activity(company))
    for reason in ("", "   "):
        with pytest.raises(DomainError) as refused:
            service.cancel_slot(slot, reason, contact)
        assert refused.value.field == "reason"
    assert slot.status == "open"

    service.cancel_slot(slot, "  Zieke instructeur ", contact)
    db.session.commit()
    stored = db.session.get(Slot, slot.id)
    assert (stored.status, stored.cancel_reason, stored.revision) == (
        "cancelled",
        "Zieke instructeur",
        1,
    )
    assert stored.cancelled_at is not None and stored.cancelled_at <= utcnow()
    [cancelled] = events("SlotCancelled")
    assert cancelled.payload["reason"] == "Zieke instructeur"


def test_a_reschedule_that_changes_nothing_is_no_event(db, company, contact, events):
    slot = factories.slot(factories.activity(company))
    service.reschedule_slot(
        slot,
        contact,
        starts_at=slot.starts_at,
        ends_at=slot.ends_at,
        capacity=slot.capacity,
        reason="niets",
    )
    db.session.commit()
    assert db.session.get(Slot, slot.id).revision == 0
    assert events("SlotRescheduled") == []


def test_an_activity_serves_any_of_the_ten_profiles_and_old_masks_keep_their_meaning(
    db, company, contact
):
    values = activity_values(contact_id=contact.id, profiles=["Z&W", "Groen", "PIE"])
    activity = service.create_activity(company, values, contact)
    db.session.commit()

    stored = db.session.get(Activity, activity.id)
    assert stored.profiles == {"Z&W", "Groen", "PIE"}
    # The new profiles were appended: PIE is still bit 1, so masks stored before
    # them read as they did.
    raw = db.session.execute(
        db.text("SELECT profiles FROM activity WHERE id = :id"), {"id": activity.id}
    ).scalar_one()
    assert raw == (1 << 1) | (1 << 6) | (1 << 9)
