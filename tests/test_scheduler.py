"""The one scheduler process: its jobs and their settings (docs/INTEROPERABILITY.md, rules
12-14), the process itself sending a due mail and stopping on SIGTERM, and the
development server with its reloader starting no scheduler at all."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import urllib.request
from datetime import timedelta
from pathlib import Path

import pytest
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import select

from app import scheduler
from app.bookings import service
from app.notifications.models import OutgoingMail
from app.scheduler_state import SchedulerHeartbeat
from tests import factories
from tests.apps import make_app
from tests.mail import SmtpServer
from tests.servers import free_port, wait_until

# The scheduler and its jobs run in processes and on connections of their own.
pytestmark = pytest.mark.commits

ROOT = Path(__file__).resolve().parent.parent
FLASK = str(Path(sys.executable).parent / "flask")


def test_the_jobs_coalesce_missed_runs_and_never_overlap(app):
    paused = scheduler.build_scheduler(app, BackgroundScheduler)
    paused.start(paused=True)
    try:
        jobs = {job.id: job for job in paused.get_jobs()}
    finally:
        paused.shutdown(wait=False)
    assert set(jobs) == {
        "heartbeat",
        "dispatch_mail",
        "complete_bookings",
        "pass_on_lapsed_offers",
        "weekly_digests",
        "rebuild_reach_facts",
        "expire_requests",
        "finish_placements",
        "privacy_retention",
    }
    for job in jobs.values():
        assert job.coalesce is True
        assert job.max_instances == 1
        assert job.misfire_grace_time >= 300
    assert isinstance(jobs["dispatch_mail"].trigger, IntervalTrigger)
    assert jobs["dispatch_mail"].trigger.interval == timedelta(minutes=1)
    weekly = jobs["weekly_digests"].trigger
    assert isinstance(weekly, CronTrigger)
    assert str(weekly.timezone) == "Europe/Amsterdam"
    assert {f.name: str(f) for f in weekly.fields}["day_of_week"] == "mon"
    # A digest missed on Monday morning still goes out when the scheduler is back that week.
    assert jobs["weekly_digests"].misfire_grace_time >= 24 * 3600


def test_the_mail_interval_is_a_setting(app, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_DISPATCH_SECONDS", 5)
    paused = scheduler.build_scheduler(app, BackgroundScheduler)
    paused.start(paused=True)
    try:
        job = paused.get_job("dispatch_mail")
    finally:
        paused.shutdown(wait=False)
    assert job.trigger.interval == timedelta(seconds=5)


def test_the_completion_job_completes_ended_bookings_and_plans_evaluations(app, db, outbox):
    school = factories.school()
    teacher = factories.user(school, "teacher")
    company = factories.company()
    contact = factories.user(company, "contact")
    activity = factories.activity(company, contact=contact)
    slot = factories.slot(activity)
    booking = service.request_booking(
        teacher, slot, school, service.Group(size=10, year="1", path="BB")
    ).booking
    service.confirm_booking(contact, booking)
    db.session.commit()
    scheduler.complete_bookings(now=slot.ends_at - timedelta(minutes=1))
    assert booking.status == "confirmed"
    scheduler.complete_bookings(now=slot.ends_at + timedelta(minutes=1))
    db.session.expire_all()
    assert booking.status == "completed"
    assert sorted(m.recipient for m in outbox("evaluation_request")) == sorted(
        [teacher.email, contact.email]
    )
    # Running it again changes nothing.
    scheduler.complete_bookings(now=slot.ends_at + timedelta(minutes=2))
    assert len(outbox("evaluation_request")) == 2


def test_the_scheduler_process_beats_sends_what_is_due_and_stops_on_sigterm(app, db):
    mail = OutgoingMail(
        kind="test",
        recipient="someone@school.test",
        subject="Due while stopped",
        text_body="Hello",
        html_body="<p>Hello</p>",
    )
    db.session.add(mail)
    db.session.commit()
    smtp = SmtpServer().start()
    environment = {
        **os.environ,
        "TECHNIEKPOORT_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "TECHNIEKPOORT_SMTP_URL": smtp.url,
    }
    process = subprocess.Popen(
        [FLASK, "--app", "wsgi", "scheduler", "run"],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        # The dispatch job also runs at start: no waiting a minute for a due mail.
        smtp.sink.wait_for(1)
        assert smtp.sink.ids() == [mail.id]
        db.session.expire_all()
        beat = db.session.scalar(select(SchedulerHeartbeat))
        assert beat is not None and beat.pid == process.pid

        def marked_sent() -> bool:
            db.session.expire_all()
            return db.session.get(OutgoingMail, mail.id).status == "sent"

        wait_until(marked_sent, 10, "the mail marked sent")
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=20)
        assert process.returncode == 0, output
        assert "scheduler started" in output and "scheduler stopped" in output
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        smtp.stop()


def test_the_development_server_with_its_reloader_starts_no_scheduler(tmp_path):
    from app.extensions import db

    url = f"sqlite:///{tmp_path / 'dev.db'}"
    with make_app(url, tmp_path).app_context():
        db.create_all()
        db.engine.dispose()
    port = free_port()
    environment = {
        **os.environ,
        "TECHNIEKPOORT_DATABASE_URL": url,
        "TECHNIEKPOORT_HEALTH_TOKEN": "monitor",
    }
    process = subprocess.Popen(
        [FLASK, "--app", "wsgi", "run", "--debug", "--port", str(port)],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )

    def answers() -> bool:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
                return response.status == 200
        except OSError:
            return False

    try:
        wait_until(answers, 30, "the development server")
        # The reloader runs the app in a child process: two Python processes,
        # and neither of them a scheduler.
        children = subprocess.run(
            ["ps", "-o", "args=", "--ppid", str(process.pid)], capture_output=True, text=True
        ).stdout
        assert "flask" in children or "python" in children
        # A scheduler beats once as it starts, before its first job
        # (app/scheduler.py): a server that answers without a heartbeat started none.
        detailed = urllib.request.Request(
            f"http://127.0.0.1:{port}/healthz", headers={"Authorization": "Bearer monitor"}
        )
        with urllib.request.urlopen(detailed, timeout=5) as response:
            assert json.load(response)["scheduler"] == {"ok": False, "last_heartbeat": None}
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(10)


def test_make_run_starts_exactly_one_scheduler_and_make_dev_none():
    """The scripts, read as the shell will run them."""
    run_script = (ROOT / "scripts" / "run.sh").read_text()
    commands = [
        line.strip()
        for line in run_script.splitlines()
        if line.strip() and not line.strip().startswith("#")
    ]
    assert sum("scheduler run" in line for line in commands) == 1
    makefile = (ROOT / "Makefile").read_text()
    dev_recipe = makefile.split("\ndev:", 1)[1].split("\n\n", 1)[0]
    assert "scheduler" not in dev_recipe and "run --debug" in dev_recipe
