"""The clash rule: one professional never has overlapping hours on the same
weekday in overlapping periods across placements that are proposed, countered
or agreed."""

from __future__ import annotations

from datetime import time, timedelta

import pytest

from app.errors import Conflict
from app.placements import service
from tests.placements.helpers import monday_in, professional, propose, terms


@pytest.fixture
def first(world, db):
    """Mondays and Wednesdays 09:00-12:00 at the first school, proposed."""
    placement = propose(world.contact, world.company, world.school, world.professional)
    db.session.commit()
    return placement


def offer_to_other_school(world, **values):
    return propose(world.contact, world.company, world.other_school, world.professional, **values)


def test_an_overlap_is_refused_naming_the_school_and_the_day(world, db, first):
    with pytest.raises(Conflict) as refused:
        offer_to_other_school(world, weekdays={"we", "fr"}, start_time=time(11), end_time=time(13))
    assert refused.value.code == "clash"
    assert refused.value.field == "weekdays"
    assert "Vakcollege De Kolk" in refused.value.message
    assert "woensdag" in refused.value.message  # Dutch, lower case inside a sentence


@pytest.mark.parametrize(("start", "end"), [(time(12), time(14)), (time(7, 30), time(9))])
def test_adjacent_times_on_the_same_day_are_allowed(world, db, first, start, end):
    placement = offer_to_other_school(world, start_time=start, end_time=end)
    assert placement.status == "proposed"


def test_different_weekdays_are_allowed(world, db, first):
    assert offer_to_other_school(world, weekdays={"tu", "th", "fr"}).status == "proposed"


def test_periods_that_do_not_overlap_are_allowed(world, db, first):
    after = first.last_date + timedelta(days=1)
    placement = offer_to_other_school(world, first_date=after, last_date=after + timedelta(weeks=4))
    assert placement.status == "proposed"
    # One day of overlap is enough to clash.
    with pytest.raises(Conflict):
        offer_to_other_school(
            world,
            first_date=first.last_date - timedelta(days=2),
            last_date=first.last_date + timedelta(weeks=1),
        )


@pytest.mark.parametrize("state", ["declined", "withdrawn", "ended"])
def test_declined_withdrawn_and_ended_placements_do_not_clash(world, db, first, state):
    if state == "declined":
        service.decline(world.teacher, first, "Nee")
    elif state == "withdrawn":
        service.withdraw(world.contact, first)
    else:
        service.accept(world.teacher, first)
        service.end_early(world.contact, first, "Stop", ended_on=service.today_local())
    assert offer_to_other_school(world).status == "proposed"


@pytest.mark.parametrize("state", ["countered", "agreed"])
def test_countered_and_agreed_placements_clash(world, db, first, state):
    if state == "countered":
        service.counter(world.teacher, first, terms(weekdays={"mo"}))
    else:
        service.accept(world.teacher, first)
    with pytest.raises(Conflict):
        offer_to_other_school(world, weekdays={"mo"})


def test_a_counter_that_clashes_is_refused(world, db, first):
    second = offer_to_other_school(world, weekdays={"tu"})
    with pytest.raises(Conflict) as refused:
        service.counter(world.other_teacher, second, terms(weekdays={"mo", "tu"}))
    assert "Vakcollege De Kolk" in refused.value.message
    # Countering its own placement's days does not clash with itself.
    service.counter(world.teacher, first, terms(weekdays={"mo", "we"}, start_time=time(10)))
    assert first.status == "countered"


def test_other_professionals_do_not_clash(world, db, first):
    other = professional(world.company, name="Piet Installateur")
    placement = service.propose(
        world.contact,
        company=world.company,
        school=world.other_school,
        professional=other,
        terms=terms(),
    )
    assert placement.status == "proposed"


def test_a_moved_lesson_may_not_land_on_another_schools_lesson(world, db, first):
    service.accept(world.teacher, first)
    second = offer_to_other_school(world, weekdays={"tu"})
    service.accept(world.other_teacher, second)
    monday = first.first_date + timedelta(days=7)
    with pytest.raises(Conflict) as refused:
        service.move_lesson(
            world.contact, first, monday, monday + timedelta(days=1), time(10), time(11)
        )
    assert "Het Assink Lyceum" in refused.value.message
    moved = service.move_lesson(
        world.contact, first, monday, monday + timedelta(days=1), time(12), time(14)
    )
    assert moved.kind == "moved"


def test_the_first_date_may_not_lie_in_the_past(world, db):
    from app.errors import DomainError

    with pytest.raises(DomainError) as refused:
        offer_to_other_school(world, first_date=monday_in(-1))
    assert refused.value.field == "first_date"
