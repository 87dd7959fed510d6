"""The dispatcher against a real SMTP server: every due mail once, also with
several dispatchers at once and after one of them was killed; retries when the
server is down; one bad address fails only its own mail; nothing is sent after
its moment. Time is injected, never slept on."""

from __future__ import annotations

import multiprocessing
import os
import signal
import subprocess
import sys
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from jinja2 import ChoiceLoader, DictLoader
from sqlalchemy import func, insert, select

from app.notifications import dispatcher
from app.notifications.compose import queue_mail
from app.notifications.delivery import MailSettingsError, validate_smtp_url
from app.notifications.models import OutgoingMail
from app.timeutil import utcnow
from tests.apps import make_app
from tests.notifications.workers import run_dispatcher
from tests.servers import free_port

# The dispatcher marks mails on connections of its own, in several processes.
pytestmark = pytest.mark.commits

MINUTE = timedelta(minutes=1)


def add_due_mails(db, count: int, *, now=None, recipient=None, **values) -> list[int]:
    """`count` composed mails, due now, inserted in one statement."""
    now = now or utcnow()
    rows = [
        {
            "kind": "test",
            "recipient": recipient or f"person{n}@school.test",
            "subject": f"Mail {n}",
            "text_body": f"Body {n}",
            "html_body": f"<p>Body {n}</p>",
            "attachments": [],
            "headers": {},
            "created_at": now,
            "due_at": now,
            "status": "pending",
            "attempts": 0,
            "last_error": "",
            **values,
        }
        for n in range(count)
    ]
    db.session.execute(insert(OutgoingMail), rows)
    db.session.commit()
    return list(db.session.scalars(select(OutgoingMail.id).order_by(OutgoingMail.id)))


def statuses(db) -> Counter:
    return Counter(
        dict(
            db.session.execute(
                select(OutgoingMail.status, func.count()).group_by(OutgoingMail.status)
            ).all()
        )
    )


def start_dispatchers(app, tmp_path, smtp, count: int, batch_size: int):
    """`count` dispatcher processes; they start sending once the test passes
    the returned barrier too."""
    context = multiprocessing.get_context("spawn")
    ready, results = context.Barrier(count + 1), context.Queue()
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    processes = [
        context.Process(
            target=run_dispatcher, args=(url, str(tmp_path), smtp.url, ready, results, batch_size)
        )
        for _ in range(count)
    ]
    for process in processes:
        process.start()
    return processes, ready, results


def test_every_mail_arrives_exactly_once_with_dispatchers_in_parallel(app, db, smtp, tmp_path):
    """1,000 due mails; three dispatcher processes on PostgreSQL, two on SQLite
    (one writer at a time is all SQLite has), all started at the same moment."""
    count = 3 if db.engine.dialect.name == "postgresql" else 2
    ids = add_due_mails(db, 1000)
    db.session.remove()
    processes, ready, results = start_dispatchers(app, tmp_path, smtp, count, batch_size=50)
    ready.wait(60)
    sent_by = [results.get(timeout=60)[0] for _ in processes]
    for process in processes:
        process.join(30)
        assert process.exitcode == 0
    arrived = Counter(smtp.sink.ids())
    assert sorted(arrived) == ids
    assert max(arrived.values()) == 1
    # Each mail was sent by exactly one dispatcher, and the work was shared.
    assert sorted(i for sent in sent_by for i in sent) == ids
    assert sum(1 for sent in sent_by if sent) >= 2
    assert statuses(db) == {"sent": 1000}


def test_a_killed_dispatcher_leaves_leased_mails_that_another_sends_after_the_lease(
    app, db, smtp, tmp_path
):
    app.config["SMTP_URL"] = smtp.url
    ids = add_due_mails(db, 200)
    db.session.remove()
    smtp.sink.delay = 0.01  # slow enough to be killed in the middle of a batch
    [process], ready, _ = start_dispatchers(app, tmp_path, smtp, 1, batch_size=40)
    ready.wait(60)
    smtp.sink.wait_for(30)
    os.kill(process.pid, signal.SIGKILL)
    process.join(10)
    assert process.exitcode == -signal.SIGKILL
    smtp.sink.delay = 0

    killed_at = utcnow()
    leased = db.session.scalars(
        select(OutgoingMail.id).where(
            OutgoingMail.status == "pending", OutgoingMail.lease_until > killed_at
        )
    ).all()
    assert leased, "the dispatcher was killed while holding a batch"
    # While the lease runs, nobody touches the dead dispatcher's batch.
    dispatcher.dispatch_all(clock=lambda: killed_at)
    still_leased = db.session.scalars(
        select(OutgoingMail.id).where(OutgoingMail.id.in_(leased), OutgoingMail.status == "pending")
    ).all()
    assert still_leased == leased

    # After the lease (the clock moved, nobody waited five minutes) they go out.
    dispatcher.dispatch_all(clock=lambda: killed_at + dispatcher.LEASE + timedelta(seconds=1))
    arrived = Counter(smtp.sink.ids())
    assert sorted(arrived) == ids
    duplicates = [i for i, n in arrived.items() if n > 1]
    # The documented window: at most the one mail the server had accepted and
    # the dead process had not yet marked sent.
    assert len(duplicates) <= 1
    assert statuses(db) == {"sent": 200}


def test_smtp_down_then_back_loses_nothing_and_shows_the_retries(app, db, smtp):
    app.config["SMTP_URL"] = f"smtp://127.0.0.1:{free_port()}"  # nothing listens there
    ids = add_due_mails(db, 5)
    now = utcnow()
    result = dispatcher.dispatch_all(clock=lambda: now)
    assert sorted(result.retried) == ids and not result.sent and result.transport_failed
    rows = db.session.scalars(select(OutgoingMail).order_by(OutgoingMail.id)).all()
    assert {(r.status, r.attempts) for r in rows} == {("pending", 1)}
    assert all("ConnectionRefusedError" in r.last_error for r in rows)
    assert all(r.due_at == now + MINUTE and r.lease_until is None for r in rows)

    # Growing delays: 1, 4, 16 minutes.
    later = now + MINUTE
    dispatcher.dispatch_all(clock=lambda: later)
    db.session.expire_all()
    assert {(r.attempts, r.due_at - later) for r in rows} == {(2, 4 * MINUTE)}
    assert dispatcher.dispatch_all(clock=lambda: later + 3 * MINUTE).claimed == 0

    app.config["SMTP_URL"] = smtp.url
    result = dispatcher.dispatch_all(clock=lambda: later + 4 * MINUTE)
    assert sorted(result.sent) == ids
    assert sorted(smtp.sink.ids()) == ids
    db.session.expire_all()
    assert {(r.status, r.attempts) for r in rows} == {("sent", 3)}
    assert all("ConnectionRefusedError" in r.last_error for r in rows)  # the history stays visible


def test_after_the_last_attempt_a_mail_is_failed_with_its_error(app, db):
    app.config["SMTP_URL"] = f"smtp://127.0.0.1:{free_port()}"
    [mail_id] = add_due_mails(db, 1)
    moment = utcnow()
    for _ in range(dispatcher.MAX_ATTEMPTS):
        dispatcher.dispatch_all(clock=lambda at=moment: at)
        moment += timedelta(days=1)
    mail = db.session.get(OutgoingMail, mail_id)
    assert (mail.status, mail.attempts) == ("failed", dispatcher.MAX_ATTEMPTS)
    assert "ConnectionRefusedError" in mail.last_error
    assert dispatcher.queue_health(moment)["failed"] == 1


def test_a_rejected_address_fails_only_its_own_mail(app, db, smtp):
    app.config["SMTP_URL"] = smtp.url
    smtp.sink.reject = {"bad@school.test"}
    first = add_due_mails(db, 2)
    [bad] = set(add_due_mails(db, 1, recipient="bad@school.test")) - set(first)
    last = set(add_due_mails(db, 2)) - set(first) - {bad}
    result = dispatcher.dispatch_all()
    assert result.failed == [bad]
    assert sorted(result.sent) == sorted([*first, *last])
    mail = db.session.get(OutgoingMail, bad)
    assert mail.status == "failed" and mail.attempts == 1  # a 550 is not retried
    assert "550" in mail.last_error and "bad@school.test" in mail.last_error
    assert sorted(smtp.sink.ids()) == sorted([*first, *last])


def test_mails_that_fell_due_during_a_stop_go_out_unless_their_moment_passed(app, db, smtp):
    app.config["SMTP_URL"] = smtp.url
    stopped_at = utcnow()
    back_at = stopped_at + timedelta(hours=30)
    # A reminder due during the stop for an activity still ahead, one for an
    # activity that started during the stop, and a mail without a deadline.
    useful = add_due_mails(
        db, 1, now=stopped_at + timedelta(hours=2), expires_at=stopped_at + timedelta(days=3)
    )
    late = set(
        add_due_mails(
            db, 1, now=stopped_at + timedelta(hours=3), expires_at=stopped_at + timedelta(hours=20)
        )
    ) - set(useful)
    plain = set(add_due_mails(db, 1, now=stopped_at + timedelta(hours=4))) - set(useful) - late
    result = dispatcher.dispatch_all(clock=lambda: back_at)
    assert sorted(result.sent) == sorted([*useful, *plain])
    assert result.expired == 1
    assert sorted(smtp.sink.ids()) == sorted([*useful, *plain])
    [late_id] = late
    assert db.session.get(OutgoingMail, late_id).status == "expired"


def test_a_mail_that_expires_while_it_waits_in_a_batch_is_not_sent(app, db, smtp):
    app.config["SMTP_URL"] = smtp.url
    now = utcnow()
    ids = add_due_mails(db, 3, now=now, expires_at=now + timedelta(seconds=10))
    moments = iter(
        [
            now,
            now,
            now + timedelta(seconds=5),
            now + timedelta(seconds=11),
            now + timedelta(seconds=12),
            now + timedelta(seconds=12),
        ]
    )
    result = dispatcher.dispatch_due(clock=lambda: next(moments, now + timedelta(seconds=13)))
    assert result.sent == ids[:1] and result.expired == 2
    assert smtp.sink.ids() == ids[:1]


def test_a_template_error_marks_that_mail_failed_with_the_error(app, db, smtp):
    original = app.jinja_env.loader
    app.jinja_env.loader = ChoiceLoader(
        [
            DictLoader(
                {
                    "emails/broken.txt": "Hello {{ person.name }",
                    "emails/broken.html": "<p>Hello</p>",
                    "emails/raising.txt": "{{ booking.slot.starts_at|local_datetime }}",
                    "emails/raising.html": "<p></p>",
                    "emails/fine.txt": "Fine",
                    "emails/fine.html": "<p>Fine</p>",
                }
            ),
            original,
        ]
    )
    try:
        broken = queue_mail("broken", recipient="a@school.test", locale="en", subject="Broken")
        raising = queue_mail("raising", recipient="b@school.test", locale="en", subject="Raising")
        fine = queue_mail("fine", recipient="c@school.test", locale="en", subject="Fine")
        db.session.commit()
    finally:
        app.jinja_env.loader = original
    assert broken.status == "failed" and "TemplateSyntaxError" in broken.last_error
    assert "emails/broken.txt" in broken.last_error
    assert raising.status == "failed" and "UndefinedError" in raising.last_error
    assert fine.status == "pending"
    app.config["SMTP_URL"] = smtp.url
    result = dispatcher.dispatch_all()
    assert result.sent == [fine.id]
    assert dispatcher.queue_health()["failed"] == 2


def test_mails_without_smtp_are_written_to_the_outbox_folder(app, db, tmp_path):
    app.config["SMTP_URL"] = ""
    app.config["OUTBOX_DIR"] = str(tmp_path / "outbox")
    [mail_id] = add_due_mails(db, 1)
    assert dispatcher.dispatch_all().sent == [mail_id]
    written = (tmp_path / "outbox" / f"mail{mail_id}.eml").read_text()
    assert "Subject: Mail 0" in written and "To: person0@school.test" in written


@pytest.mark.parametrize(
    "url, reason",
    [
        ("smpt://mail.example.test", "scheme"),
        ("mail.example.test:25", "scheme"),
        ("smtp://:25", "host"),
        ("smtp://mail.example.test:port", "Port"),
        ("smtp://mail.example.test:99999", "out of range"),
        ("smtp://:secret@mail.example.test", "user name"),
        ("smtp://mail.example.test?tls=1", "unknown option"),
        ("smtps://mail.example.test?starttls=1", "STARTTLS"),
    ],
)
def test_an_unusable_smtp_url_is_refused_with_the_reason(url, reason):
    with pytest.raises(MailSettingsError) as error:
        validate_smtp_url(url)
    assert "TECHNIEKPOORT_SMTP_URL" in str(error.value)
    assert reason.lower() in str(error.value).lower()


@pytest.mark.parametrize(
    "url",
    [
        "",
        "smtp://127.0.0.1:2525",
        "smtp://user:p%40ss@mail.example.test:587?starttls=1",
        "smtps://user:pass@mail.example.test:465",
    ],
)
def test_usable_smtp_urls_pass(url):
    validate_smtp_url(url)


def test_an_unusable_smtp_url_stops_the_app_from_starting(tmp_path):
    with pytest.raises(MailSettingsError, match="TECHNIEKPOORT_SMTP_URL"):
        make_app(f"sqlite:///{tmp_path / 'x.db'}", tmp_path, SMTP_URL="smtp//mail.example.test")
    environment = {
        **os.environ,
        "TECHNIEKPOORT_SMTP_URL": "smtp://mail.example.test:port",
        "TECHNIEKPOORT_DATABASE_URL": f"sqlite:///{tmp_path / 'y.db'}",
    }
    finished = subprocess.run(
        [str(Path(sys.executable).parent / "flask"), "--app", "wsgi", "reminders", "dispatch"],
        cwd=Path(__file__).resolve().parents[2],
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert finished.returncode != 0
    assert "TECHNIEKPOORT_SMTP_URL is not usable" in finished.stderr


def test_a_batch_that_runs_out_of_lease_hands_back_what_it_has_not_sent(app, db, smtp):
    app.config["SMTP_URL"] = smtp.url
    ids = add_due_mails(db, 4)
    now = utcnow()
    # The clock as a slow server would make it: the second mail comes after the
    # batch's lease is nearly over.
    moments = iter(
        [now, now, now + timedelta(seconds=1), now + dispatcher.LEASE - timedelta(seconds=5)]
    )
    result = dispatcher.dispatch_due(clock=lambda: next(moments))
    assert result.sent == ids[:1] and result.released == 3
    assert smtp.sink.ids() == ids[:1]
    rows = db.session.scalars(select(OutgoingMail).where(OutgoingMail.id.in_(ids[1:]))).all()
    assert {(r.status, r.lease_owner, r.attempts) for r in rows} == {("pending", None, 0)}
    # The next run sends them.
    assert sorted(dispatcher.dispatch_all().sent) == ids[1:]


def test_the_dispatch_command_sends_everything_that_is_due(app, db, smtp):
    app.config["SMTP_URL"] = smtp.url
    ids = add_due_mails(db, 250)  # more than one batch
    output = app.test_cli_runner().invoke(args=["reminders", "dispatch"]).output
    assert output.strip() == "sent 250, retry later 0, failed 0, expired 0"
    assert sorted(smtp.sink.ids()) == ids


def test_without_a_mail_server_one_run_spends_attempts_on_one_batch_only(app, db):
    """Also: a batch is never larger than asked (see claim_due on PostgreSQL)."""
    app.config["SMTP_URL"] = f"smtp://127.0.0.1:{free_port()}"
    add_due_mails(db, 25)
    result = dispatcher.dispatch_all(batch_size=10)
    assert len(result.retried) == 10
    attempts = Counter(db.session.scalars(select(OutgoingMail.attempts)))
    assert attempts == {1: 10, 0: 15}
