"""The weekly schedule: every chosen weekday from the first to the last date,
minus the holidays of the school's region, with single lessons cancelled or
moved as exceptions to the rule."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest

from app.errors import Conflict, DomainError
from app.placements import schedule, service
from tests import factories
from tests.placements.helpers import holiday, monday_in, propose, today


def agreed(world, db, **term_values):
    placement = propose(
        world.contact, world.company, world.school, world.professional, **term_values
    )
    service.accept(world.teacher, placement)
    db.session.commit()
    return placement


def test_every_chosen_weekday_between_the_dates_is_a_lesson(world, db):
    first = monday_in(2)
    placement = agreed(world, db, first_date=first, last_date=first + timedelta(days=13))
    lessons = schedule.lessons(placement)
    assert [lesson.date for lesson in lessons] == [
        first,
        first + timedelta(days=2),
        first + timedelta(days=7),
        first + timedelta(days=9),
    ]
    assert {lesson.status for lesson in lessons} == {"scheduled"}
    assert all((lesson.start_time, lesson.end_time) == (time(9), time(12)) for lesson in lessons)
    rule = schedule.rule(placement)
    assert rule.byday == ["MO", "WE"]
    assert (rule.first_date, rule.last_date) == (first, first + timedelta(days=13))


def test_the_autumn_holiday_of_the_schools_region_has_no_lessons(world, db):
    first = monday_in(2)
    autumn = holiday("Herfstvakantie", first + timedelta(days=12), first + timedelta(days=20))
    # The same week is no holiday in region zuid, so it does not count here.
    holiday("Herfstvakantie", first + timedelta(days=26), first + timedelta(days=34), "zuid")
    placement = agreed(world, db, first_date=first, last_date=first + timedelta(weeks=5))

    dates = [lesson.date for lesson in schedule.lessons(placement)]
    assert all(not (autumn.start_date <= day <= autumn.end_date) for day in dates)
    assert schedule.holiday_exdates(placement) == [
        first + timedelta(days=14),
        first + timedelta(days=16),
    ]
    assert len(dates) == len(schedule.rule_dates(placement)) - 2
    # Zuid's holiday is a normal week for a school in noord.
    assert first + timedelta(days=28) in dates


def test_a_school_in_region_zuid_skips_zuids_christmas(world, db):
    first = monday_in(2)
    zuid = factories.school(name="Zuidschool", holiday_region="zuid")
    factories.user(zuid, "teacher")
    holiday("Kerstvakantie", first + timedelta(days=5), first + timedelta(days=20), "zuid")
    placement = service.propose(
        world.contact,
        company=world.company,
        school=zuid,
        professional=world.professional,
        terms=service.Terms(
            2, {"fr"}, time(8, 30), time(10, 30), first, first + timedelta(weeks=4, days=4)
        ),
    )
    fridays = [first + timedelta(days=4 + 7 * n) for n in range(5)]
    assert [lesson.date for lesson in schedule.lessons(placement)] == [
        fridays[0],
        fridays[3],
        fridays[4],
    ]


def test_a_cancelled_lesson_stays_in_the_list_marked_cancelled(world, db):
    placement = agreed(world, db)
    day = placement.first_date + timedelta(days=7)
    change = service.cancel_lesson(world.teacher, placement, day, "Toetsweek")
    db.session.commit()

    lesson = schedule.lesson_on(placement, day)
    assert lesson.is_cancelled and lesson.reason == "Toetsweek"
    assert lesson.change is change
    assert day not in [x.date for x in schedule.lessons(placement, include_cancelled=False)]
    assert placement.revision >= 2
    with pytest.raises(Conflict) as again:
        service.cancel_lesson(world.teacher, placement, day, "Nog eens")
    assert again.value.code == "lesson_cancelled"


def test_a_moved_lesson_keeps_its_original_date_as_key(world, db):
    placement = agreed(world, db)
    day = placement.first_date + timedelta(days=7)  # a Monday
    thursday = day + timedelta(days=3)
    service.move_lesson(world.contact, placement, day, thursday, time(13), time(15), "Storing")
    db.session.commit()

    lesson = schedule.lesson_on(placement, day)
    assert lesson.is_moved and lesson.date == thursday
    assert (lesson.start_time, lesson.end_time) == (time(13), time(15))
    dates = [x.date for x in schedule.lessons(placement)]
    assert thursday in dates and day not in dates
    assert dates == sorted(dates)

    # Moving it again updates the same exception and raises its revision.
    service.move_lesson(
        world.contact, placement, day, thursday + timedelta(days=1), time(9), time(11)
    )
    [change] = schedule.changes(placement)
    assert change.new_date == thursday + timedelta(days=1) and change.revision == 1


def test_a_lesson_cannot_move_into_a_holiday_a_weekend_or_onto_another_lesson(world, db):
    placement = agreed(world, db)
    day = placement.first_date + timedelta(days=7)
    holiday("Studiedag", day + timedelta(days=1), day + timedelta(days=1))
    cases = [
        (day + timedelta(days=1), time(9), time(11), "holiday"),
        (day + timedelta(days=5), time(9), time(11), "invalid"),
        (day + timedelta(days=2), time(11), time(13), "clash"),  # Wednesday's own lesson
        (day, time(11), time(9), "invalid"),
    ]
    for new_date, start, end, code in cases:
        with pytest.raises(DomainError) as refused:
            service.move_lesson(world.contact, placement, day, new_date, start, end)
        assert refused.value.code == code, (new_date, refused.value.message)


def test_no_lesson_on_a_date_outside_the_schedule(world, db):
    placement = agreed(world, db)
    with pytest.raises(DomainError) as refused:
        service.cancel_lesson(
            world.teacher, placement, placement.first_date + timedelta(days=1), "x"
        )
    assert refused.value.code == "no_lesson"


def test_past_lessons_and_open_placements_cannot_change(world, db):
    placement = propose(world.contact, world.company, world.school, world.professional)
    with pytest.raises(Conflict):
        service.cancel_lesson(world.teacher, placement, placement.first_date, "x")
    service.accept(world.teacher, placement)
    with pytest.raises(Conflict) as refused:
        service.cancel_lesson(
            world.teacher,
            placement,
            placement.first_date,
            "x",
            today=placement.first_date + timedelta(days=1),
        )
    assert refused.value.code == "lesson_past"


def test_ending_early_drops_the_later_lessons(world, db):
    placement = agreed(world, db)
    stop = placement.first_date + timedelta(days=8)  # a Tuesday in week two
    service.end_early(world.contact, placement, "Reorganisatie", ended_on=stop)
    assert [x.date for x in schedule.lessons(placement)] == [
        placement.first_date,
        placement.first_date + timedelta(days=2),
        placement.first_date + timedelta(days=7),
    ]


def test_lesson_instants_are_utc_of_the_local_time(world, db):
    # A winter date: Amsterdam is UTC+1.
    first = date(today().year + 1, 1, 11)
    first -= timedelta(days=first.weekday())
    placement = agreed(world, db, first_date=first, last_date=first + timedelta(days=6))
    lesson = schedule.lessons(placement)[0]
    assert lesson.starts_at.hour == 8 and lesson.ends_at.hour == 11


def test_the_mail_about_a_cancelled_lesson_writes_its_date_as_the_reader_does(world, db):
    from sqlalchemy import select

    from app.notifications.models import OutgoingMail

    world.contact.locale = "en"
    placement = agreed(world, db)
    day = placement.first_date + timedelta(days=7)
    service.cancel_lesson(world.teacher, placement, day, "Toetsweek")
    db.session.commit()
    mail = db.session.scalars(
        select(OutgoingMail)
        .where(OutgoingMail.recipient == world.contact.email)
        .order_by(OutgoingMail.id.desc())
    ).first()
    # British English, day before month, like every English page and document.
    assert f"The lesson of {day:%A}, {day.day} {day:%B} {day.year} is cancelled." in mail.text_body
