"""Every transition of a placement, allowed and refused, and the events each
leaves in the history."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from app import scheduler
from app.errors import Conflict, DomainError
from app.events.models import EventLogEntry
from app.notifications.models import OutgoingMail
from app.placements import service
from tests.placements.helpers import monday_in, propose, terms, today

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def names(db, placement) -> list[str]:
    return list(
        db.session.scalars(
            select(EventLogEntry.name)
            .where(
                EventLogEntry.subject_type == "placement", EventLogEntry.subject_id == placement.id
            )
            .order_by(EventLogEntry.id)
        )
    )


def mails_to(db, user) -> list[OutgoingMail]:
    return list(
        db.session.scalars(
            select(OutgoingMail)
            .where(OutgoingMail.recipient == user.email)
            .order_by(OutgoingMail.id)
        )
    )


@pytest.fixture
def proposed(world, db):
    placement = propose(world.contact, world.company, world.school, world.professional)
    db.session.commit()
    return placement


def test_a_proposal_awaits_the_school_and_tells_its_teachers(world, db, proposed):
    assert proposed.status == "proposed"
    assert proposed.awaiting == "school"
    assert proposed.proposed_by == "company"
    assert names(db, proposed) == ["PlacementProposed"]
    [mail] = mails_to(db, world.teacher)
    assert world.professional.name in mail.subject
    assert mail.status == "pending"
    assert mails_to(db, world.contact) == []


def test_the_school_accepts_a_proposal(world, db, proposed):
    service.accept(world.teacher, proposed)
    db.session.commit()

    assert proposed.status == "agreed"
    assert proposed.agreed_at is not None
    assert proposed.awaiting is None
    assert names(db, proposed) == ["PlacementProposed", "PlacementAgreed"]
    entry = db.session.scalars(
        select(EventLogEntry).where(EventLogEntry.name == "PlacementAgreed")
    ).one()
    assert entry.payload["by"] == "school"
    assert [m.kind for m in mails_to(db, world.contact)] == ["placement_update"]


def test_a_counter_goes_back_to_the_company_who_accepts_it(world, db, proposed):
    new = terms(weekdays={"tu", "th"}, start_time=time(13), end_time=time(15, 30))
    service.counter(world.teacher, proposed, new, "Dinsdag en donderdag past beter")
    db.session.commit()

    assert proposed.status == "countered"
    assert proposed.awaiting == "company"
    assert proposed.weekdays == frozenset({"tu", "th"})
    assert (proposed.start_time, proposed.end_time) == (time(13), time(15, 30))
    assert proposed.counter_message == "Dinsdag en donderdag past beter"

    service.accept(world.contact, proposed)
    db.session.commit()
    assert proposed.status == "agreed"
    assert names(db, proposed) == ["PlacementProposed", "PlacementCountered", "PlacementAgreed"]


def test_a_countered_proposal_cannot_be_countered_again(world, db, proposed):
    service.counter(world.teacher, proposed, terms(weekdays={"tu"}))
    with pytest.raises(Conflict) as refused:
        service.counter(world.contact, proposed, terms(weekdays={"th"}))
    assert refused.value.code == "invalid_state"


@pytest.mark.parametrize("first", ["proposed", "countered"])
def test_an_open_proposal_can_be_declined_with_a_reason(world, db, proposed, first):
    if first == "countered":
        service.counter(world.teacher, proposed, terms(weekdays={"tu"}))
    with pytest.raises(DomainError) as refused:
        service.decline(world.teacher, proposed, "   ")
    assert refused.value.field == "reason"

    service.decline(world.teacher, proposed, "Geen lokaal vrij")
    assert proposed.status == "declined"
    assert proposed.decline_reason == "Geen lokaal vrij"
    assert names(db, proposed)[-1] == "PlacementDeclined"


@pytest.mark.parametrize("first", ["proposed", "countered"])
def test_an_open_proposal_can_be_withdrawn(world, db, proposed, first):
    if first == "countered":
        service.counter(world.teacher, proposed, terms(weekdays={"tu"}))
    service.withdraw(world.contact, proposed, "Collega gaat verhuizen")
    assert proposed.status == "withdrawn"
    assert names(db, proposed)[-1] == "PlacementWithdrawn"


def test_an_agreed_placement_ends_early_with_a_reason(world, db, proposed):
    service.accept(world.teacher, proposed)
    with pytest.raises(DomainError) as refused:
        service.end_early(world.contact, proposed, "")
    assert refused.value.field == "reason"
    day = proposed.first_date + timedelta(weeks=3)
    service.end_early(world.contact, proposed, "Nieuwe baan", ended_on=day)
    db.session.commit()

    assert proposed.status == "ended"
    assert proposed.ended_early is True
    assert proposed.ended_on == day
    assert proposed.effective_last_date == day
    assert names(db, proposed)[-1] == "PlacementEnded"
    assert any("Nieuwe baan" in m.text_body for m in mails_to(db, world.teacher))


def test_ending_early_needs_a_date_before_the_last_and_not_past(world, db, proposed):
    service.accept(world.teacher, proposed)
    with pytest.raises(DomainError) as refused:
        service.end_early(world.contact, proposed, "x", ended_on=proposed.last_date)
    assert refused.value.field == "ended_on"
    with pytest.raises(DomainError) as refused:
        service.end_early(world.contact, proposed, "x", ended_on=today() - timedelta(days=1))
    assert refused.value.field == "ended_on"


def test_a_placement_finishes_after_its_last_date(world, db, proposed):
    service.accept(world.teacher, proposed)
    db.session.commit()

    assert service.finish_ended(today=proposed.last_date) == []
    [done] = service.finish_ended(today=proposed.last_date + timedelta(days=1))
    assert done.status == "ended" and done.ended_early is False
    assert done.ended_on == proposed.last_date
    # Run twice: nothing more happens, and nobody is mailed about a planned end.
    assert service.finish_ended(today=proposed.last_date + timedelta(days=2)) == []
    assert names(db, proposed)[-1] == "PlacementEnded"
    assert [m for m in mails_to(db, world.teacher) if "end" in m.subject.lower()] == []


def test_the_nightly_job_finishes_placements_on_the_next_local_day(world, db, proposed):
    service.accept(world.teacher, proposed)
    db.session.commit()
    last_evening = datetime.combine(proposed.last_date, time(22, 30), tzinfo=AMSTERDAM)

    # The job reads the date in Amsterdam: at 22:30 on the last day the
    # placement still runs, two hours later (still that day in UTC) it has ended.
    scheduler.finish_placements(now=last_evening.astimezone(UTC).replace(tzinfo=None))
    assert proposed.status == "agreed"
    scheduler.finish_placements(
        now=(last_evening + timedelta(hours=2)).astimezone(UTC).replace(tzinfo=None)
    )
    db.session.expire_all()
    assert proposed.status == "ended" and proposed.ended_on == proposed.last_date


REFUSED = [
    # (state reached first, operation)
    ("agreed", "counter"),
    ("agreed", "decline"),
    ("agreed", "withdraw"),
    ("declined", "accept"),
    ("declined", "counter"),
    ("declined", "decline"),
    ("declined", "withdraw"),
    ("declined", "end"),
    ("withdrawn", "accept"),
    ("withdrawn", "end"),
    ("proposed", "end"),
    ("countered", "end"),
    ("ended", "accept"),
    ("ended", "decline"),
    ("ended", "end"),
    ("ended", "counter"),
]


def _reach(world, placement, state):
    if state == "countered":
        service.counter(world.teacher, placement, terms(weekdays={"tu"}))
    elif state == "agreed":
        service.accept(world.teacher, placement)
    elif state == "declined":
        service.decline(world.teacher, placement, "Nee")
    elif state == "withdrawn":
        service.withdraw(world.contact, placement)
    elif state == "ended":
        service.accept(world.teacher, placement)
        service.end_early(world.contact, placement, "Stop", ended_on=today())


@pytest.mark.parametrize(("state", "operation"), REFUSED)
def test_refused_transitions_are_conflicts(world, db, proposed, state, operation):
    _reach(world, proposed, state)
    calls = {
        "accept": lambda: service.accept(world.teacher, proposed),
        "counter": lambda: service.counter(world.teacher, proposed, terms(weekdays={"fr"})),
        "decline": lambda: service.decline(world.teacher, proposed, "Nee"),
        "withdraw": lambda: service.withdraw(world.contact, proposed),
        "end": lambda: service.end_early(world.contact, proposed, "Stop", ended_on=today()),
    }
    if state == "agreed" and operation == "accept":
        pytest.skip("accepting an agreed placement is a no-op")
    with pytest.raises(Conflict) as refused:
        calls[operation]()
    assert refused.value.code == "invalid_state"
    assert proposed.status == state


def test_accepting_an_agreed_placement_again_changes_nothing(world, db, proposed):
    service.accept(world.teacher, proposed)
    revision = proposed.revision
    service.accept(world.teacher, proposed)
    assert proposed.revision == revision
    assert names(db, proposed).count("PlacementAgreed") == 1


def test_a_school_may_propose_to_a_company_which_then_answers(world, db):
    placement = propose(
        world.teacher,
        world.company,
        world.school,
        world.professional,
        by="school",
        first_date=monday_in(3),
    )
    assert placement.awaiting == "company"
    service.counter(world.contact, placement, terms(weekdays={"fr"}, first_date=monday_in(3)))
    assert placement.awaiting == "school"
    service.accept(world.teacher, placement)
    assert placement.status == "agreed"
