"""Who hears what about a request, through a real SMTP server: the teacher when
a company proposes, the companies not chosen politely, and the companies'
weekly digest of new requests that fit them."""

from __future__ import annotations

from datetime import timedelta

from app.notifications import digests
from app.notifications import service as notifications
from app.school_requests import service
from app.timeutil import utcnow
from tests import factories
from tests.clock import later_the_same_week
from tests.pages import dutch_text
from tests.school_requests.helpers import post, propose


def only(received):
    assert len(received) == 1, [r.message["Subject"] for r in received]
    return received[0]


def test_the_teacher_hears_of_each_proposal(db, teacher, contact, slot, smtp, dispatch):
    posted = post(teacher)
    propose(contact, posted, slot, "Wij hebben nog plek op die dag.")
    dispatch()
    mail = only(smtp.sink.to(teacher.email))
    assert mail.message["Subject"] == dutch_text(
        "New proposal for your request: %(topic)s", topic=posted.topic
    )
    assert slot.activity.company.name in mail.text
    assert "Wij hebben nog plek op die dag." in mail.text
    assert f"http://techniekpoort.test/requests/{posted.id}" in mail.text
    assert smtp.sink.to(contact.email) == []


def test_companies_not_chosen_are_thanked_politely_in_their_language(
    db, teacher, contact, slot, smtp, dispatch
):
    posted = post(teacher)
    chosen = propose(contact, posted, slot)
    rival_company = factories.company(name="Elektro Oost", sectors=frozenset({"electrical"}))
    rival = factories.user(rival_company, "contact", email="rival@company.test", locale="en")
    propose(rival, posted, factories.slot(factories.activity(rival_company, kind="workshop")))
    service.accept(teacher, posted, chosen)
    db.session.commit()
    dispatch()
    thanks = only(smtp.sink.to("rival@company.test"))
    assert thanks.message["Subject"] == f"Thank you for your proposal to {posted.school.name}"
    assert "The school chose another proposal." in thanks.text
    assert '<html lang="en">' in thanks.html
    # Companies never learn who asked.
    assert teacher.email not in thanks.text and teacher.name not in thanks.text
    # The chosen company hears through the booking, not through a "thank you".
    subjects = [m.message["Subject"] for m in smtp.sink.to(contact.email)]
    assert not any(
        s.startswith(dutch_text("Thank you for your proposal to %(school)s", school="")[:10])
        for s in subjects
    )
    assert dutch_text("New booking request for %(title)s", title=slot.activity.title) in subjects


def test_a_hybrid_teacher_not_chosen_is_one_mail_to_the_company(
    db, teacher, contact, company, smtp, dispatch
):
    from tests.school_requests.test_service import placement_request, professional, terms_for

    posted = placement_request(teacher)
    rival_company = factories.company(name="Staal Oost")
    rival = factories.user(rival_company, "contact", email="rival@company.test", locale="en")
    chosen = service.propose_placement(
        contact, posted, company, professional(company), terms_for(posted)
    )
    service.propose_placement(
        rival,
        posted,
        rival_company,
        professional(rival_company, "Jan Smit"),
        terms_for(posted, ("we",)),
    )
    service.accept(teacher, posted, chosen)
    db.session.commit()
    dispatch()
    thanks = only(smtp.sink.to("rival@company.test"))
    assert thanks.message["Subject"] == f"Thank you for your proposal to {posted.school.name}"
    assert "The school chose another proposal." in thanks.text


def test_expiry_tells_the_teacher_and_closes_proposals_politely(db, teacher, contact, slot, outbox):
    posted = post(teacher)
    propose(contact, posted, slot)
    service.expire_ended_requests(posted.last_day + timedelta(days=1))
    db.session.commit()
    [expired] = outbox("request_expired")
    assert expired.recipient == teacher.email
    [closed] = outbox("request_closed")
    assert closed.recipient == contact.email
    assert dutch_text("The request's period ended.") in closed.text_body


# --- the weekly digest ------------------------------------------------------------------------


def test_companies_get_the_new_requests_that_fit_them(
    db, teacher, contact, activity, smtp, dispatch
):
    fitting = post(teacher)
    post(teacher, topic="Game design", profile="MVI")  # an ICT request: not for metal
    queued = digests.send_request_digests()
    db.session.commit()
    assert [m.recipient for m in queued] == [contact.email]
    dispatch()
    mail = only(smtp.sink.to(contact.email))
    assert mail.message["Subject"] == dutch_text(
        "New requests from schools for %(company)s", company=activity.company.name
    )
    assert fitting.topic in mail.text and "Game design" not in mail.text
    assert dutch_text("Profile %(profile)s matches", profile="PIE") not in mail.text
    assert dutch_text("Offers profile %(profile)s", profile="PIE") in mail.text
    assert f"http://techniekpoort.test/requests/{fitting.id}" in mail.text
    unsubscribe = mail.message["List-Unsubscribe"].strip("<>")
    assert unsubscribe.startswith("http://techniekpoort.test/notifications/unsubscribe/")


def test_the_digest_leaves_out_what_the_company_answered_and_old_requests(
    db, teacher, contact, slot, outbox
):
    answered = post(teacher)
    propose(contact, answered, slot)
    old = post(teacher, topic="Van vorige maand")
    old.created_at = utcnow() - timedelta(days=10)
    db.session.commit()
    assert digests.send_request_digests() == []


def test_one_digest_a_week_and_none_for_who_switched_them_off(
    db, teacher, contact, activity, outbox
):
    post(teacher)
    now = utcnow()
    assert len(digests.send_request_digests(now)) == 1
    assert digests.send_request_digests(later_the_same_week(now, timedelta(hours=1))) == []
    db.session.commit()
    assert len(outbox("digest_requests")) == 1
    post(teacher, topic="Nog een")
    notifications.set_digests(contact, False)
    assert digests.send_request_digests(now + timedelta(days=7)) == []


def test_the_weekly_job_sends_both_digests(
    app, db, teacher, contact, coordinator, activity, outbox
):
    from app import scheduler

    post(teacher)
    factories.school(name="Nieuwe School", status="pending")
    db.session.commit()
    scheduler.weekly_digests()
    assert [m.recipient for m in outbox("digest_requests")] == [contact.email]
    assert [m.recipient for m in outbox("digest_coordinator")] == [coordinator.email]


def test_the_expiry_job_expires_and_commits(app, db, teacher):
    from app import scheduler
    from app.school_requests.models import SchoolRequest

    posted_id = post(teacher).id
    scheduler.expire_requests(utcnow() + timedelta(days=60))
    db.session.remove()
    assert db.session.get(SchoolRequest, posted_id).status == "expired"
