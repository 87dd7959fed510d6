"""submit_evaluation: one evaluation per side of a completed booking, by a
party of that side, with a head count from the school that fits the booking."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.errors import Conflict, DomainError
from app.evaluations import service
from app.evaluations.models import Evaluation
from app.events.models import EventLogEntry
from tests import factories
from tests.evaluations import builders


def answers(rating=4, attended=18, **values):
    return service.Answers(rating=rating, students_attended=attended, **values)


def test_the_school_and_the_company_each_evaluate_once(db, completed, teacher, contact):
    mine = service.submit_evaluation(
        teacher, completed, "school", answers(5, 18, went_well="  Goede uitleg  ")
    )
    theirs = service.submit_evaluation(
        contact, completed, "company", answers(3, attended=99, could_be_better="Later beginnen")
    )
    db.session.commit()

    assert (mine.side, mine.rating, mine.students_attended, mine.went_well) == (
        "school",
        5,
        18,
        "Goede uitleg",
    )
    assert mine.submitted_by_id == teacher.id
    # The company does not count the school's students.
    assert (theirs.side, theirs.students_attended, theirs.could_be_better) == (
        "company",
        None,
        "Later beginnen",
    )
    assert service.evaluations_of(completed) == {"school": mine, "company": theirs}

    logged = db.session.scalars(
        select(EventLogEntry)
        .where(EventLogEntry.name == "EvaluationSubmitted")
        .order_by(EventLogEntry.id)
    ).all()
    assert [(e.subject_type, e.subject_id, e.actor_id) for e in logged] == [
        ("evaluation", mine.id, teacher.id),
        ("evaluation", theirs.id, contact.id),
    ]
    assert logged[0].payload | {} == {
        "evaluation_id": mine.id,
        "booking_id": completed.id,
        "side": "school",
        "rating": 5,
        "school_id": completed.school_id,
        "company_id": completed.slot.activity.company_id,
        "students_attended": 18,
    }


def test_a_side_evaluates_only_once(db, completed, teacher, school):
    service.submit_evaluation(teacher, completed, "school", answers())
    db.session.commit()
    colleague = factories.user(school, "teacher")
    with pytest.raises(Conflict) as refused:
        service.submit_evaluation(colleague, completed, "school", answers(rating=1))
    assert refused.value.code == "already_evaluated"
    db.session.rollback()
    assert db.session.scalars(select(Evaluation.rating)).all() == [4]


def test_only_a_booking_that_took_place_is_evaluated(db, activity, school, teacher):
    upcoming = builders.booking(factories.slot(activity), school, status="confirmed")
    with pytest.raises(Conflict) as refused:
        service.submit_evaluation(teacher, upcoming, "school", answers())
    assert refused.value.code == "not_completed"


def test_only_a_party_of_the_side_evaluates(db, completed, teacher, contact):
    stranger = factories.user(factories.school(), "teacher")
    for actor, side in ((stranger, "school"), (teacher, "company"), (contact, "school")):
        with pytest.raises(DomainError) as refused:
            service.submit_evaluation(actor, completed, side, answers())
        assert refused.value.code == "not_a_party"
    with pytest.raises(DomainError) as refused:
        service.submit_evaluation(teacher, completed, "parents", answers())
    assert refused.value.field == "side"
    assert db.session.scalars(select(Evaluation)).all() == []


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"rating": 0}, "rating"),
        ({"rating": 6}, "rating"),
        ({"rating": None}, "rating"),
        ({"attended": None}, "students_attended"),
        ({"attended": -1}, "students_attended"),
        ({"attended": 21}, "students_attended"),  # 20 were booked
        ({"went_well": "x" * 2001}, "went_well"),
    ],
)
def test_answers_that_do_not_fit_are_refused_at_their_field(db, completed, teacher, values, field):
    with pytest.raises(DomainError) as refused:
        service.submit_evaluation(teacher, completed, "school", answers(**values))
    assert refused.value.field == field
    db.session.rollback()
    assert db.session.scalars(select(Evaluation)).all() == []


def test_nobody_came_is_a_valid_count(db, completed, teacher):
    row = service.submit_evaluation(teacher, completed, "school", answers(rating=1, attended=0))
    assert row.students_attended == 0


def test_what_each_side_still_has_to_evaluate(db, completed, activity, school, teacher, contact):
    company = contact.organisations()[0]
    assert service.awaiting([school]) == [(completed, "school")]
    assert service.awaiting([company]) == [(completed, "company")]
    service.submit_evaluation(teacher, completed, "school", answers())
    db.session.commit()
    assert service.awaiting([school]) == []
    assert service.awaiting([company]) == [(completed, "company")]
    assert [e.side for e in service.evaluations_for([company])] == ["school"]
    # Another school's bookings are not this school's business.
    other = factories.school()
    builders.booking(builders.past_slot(activity), other)
    assert service.awaiting([school]) == []
