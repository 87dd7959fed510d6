"""The scheduler process (`flask --app wsgi scheduler run`).

It runs beside the web workers, never inside them: inside gunicorn or under
the reloader every job would run once per process (docs/INTEROPERABILITY.md,
rules 12-13). Nothing in create_app() starts it; only this command does.
A deployment may run two, on different machines, so that mail goes out
while one is down (docs/OPERATIONS.md); each beats under its own
TECHNIEKPOORT_SCHEDULER_NAME. The jobs are safe to run twice: the mail dispatcher claims rows with a
lease, completing bookings is a conditional state change, and digests carry a
per-week dedupe key; an offer lapses by a conditional state change. After
downtime, missed runs are coalesced into one and the frequent jobs run once
at start (rule 14); reminders are rows, so the
ones that fell due meanwhile go out then, unless their activity has started
(rule 16).
"""

from __future__ import annotations

import logging
import os
import signal
from datetime import datetime, timedelta

from apscheduler.schedulers.blocking import BlockingScheduler
from flask import current_app

from app.bookings.service import complete_ended_bookings
from app.bookings.waiting_list import lapse_offers
from app.extensions import db
from app.insights.facts import rebuild
from app.monitoring import logs, metrics
from app.notifications.digests import send_coordinator_digests, send_request_digests
from app.notifications.dispatcher import dispatch_all
from app.placements.service import finish_ended
from app.privacy.retention import run_retention
from app.scheduler_state import SchedulerHeartbeat
from app.school_requests.service import expire_ended_requests
from app.timeutil import to_local, utcnow

log = logging.getLogger("techniekpoort.scheduler")

TIMEZONE = "Europe/Amsterdam"
JOB_DEFAULTS = {"coalesce": True, "misfire_grace_time": 300, "max_instances": 1}
# A dispatch run stops taking new batches after this share of the interval
# between runs (MAIL_DISPATCH_SECONDS), so that it ends before the next run is
# due (max_instances=1 would skip that run).
DISPATCH_BUDGET_SHARE = 0.75


def heartbeat(now: datetime | None = None) -> None:

    now = now or utcnow()
    name = current_app.config["SCHEDULER_NAME"]
    beat = db.session.get(SchedulerHeartbeat, name)
    if beat is None:
        beat = SchedulerHeartbeat(name=name, beat_at=now, pid=os.getpid())
        db.session.add(beat)
    beat.beat_at = now
    beat.pid = os.getpid()
    db.session.commit()
    metrics.HEARTBEATS.inc()


def dispatch_mail() -> None:

    config = current_app.config
    result = dispatch_all(
        time_budget=config["MAIL_DISPATCH_SECONDS"] * DISPATCH_BUDGET_SHARE,
        lease=timedelta(seconds=config["MAIL_LEASE_SECONDS"]),
    )
    metrics.record_dispatch(result)
    if result.sent or result.failed or result.retried or result.expired:
        log.info(
            "mail: %d sent, %d retried, %d failed, %d expired",
            len(result.sent),
            len(result.retried),
            len(result.failed),
            result.expired,
        )


def complete_bookings(now: datetime | None = None) -> None:
    """Confirmed bookings whose slot has ended become completed; their
    evaluation requests are planned by the BookingCompleted handler."""

    done = complete_ended_bookings(now or utcnow())
    db.session.commit()
    if done:
        log.info("bookings: %d completed", len(done))


def pass_on_lapsed_offers(now: datetime | None = None) -> None:
    """Offers of freed places that nobody accepted in time lapse, and the
    places go to the next group in line (BookingOfferLapsed, then a new offer)."""

    lapsed = lapse_offers(now or utcnow())
    db.session.commit()
    if lapsed:
        log.info("waiting lists: %d offers lapsed", len(lapsed))


def weekly_digests(now: datetime | None = None) -> None:

    now = now or utcnow()
    queued = send_coordinator_digests(now)
    db.session.commit()
    # Companies' digest of new school requests, in its own transaction: a
    # failure there does not take the coordinators' digest with it.
    requests = send_request_digests(now)
    db.session.commit()
    log.info("digests: %d queued, %d about requests", len(queued), len(requests))


def expire_requests(now: datetime | None = None) -> None:
    """School requests whose period has ended expire (RequestExpired)."""

    done = expire_ended_requests(to_local(now or utcnow()).date())
    db.session.commit()
    if done:
        log.info("requests: %d expired", len(done))


def finish_placements(now: datetime | None = None) -> None:
    """Agreed placements whose last date has passed become ended (PlacementEnded)."""

    done = finish_ended(to_local(now or utcnow()).date())
    db.session.commit()
    if done:
        log.info("placements: %d finished", len(done))


def rebuild_reach_facts() -> None:
    """`flask insights rebuild` (app/insights/facts.py): the facts are kept by
    the event handlers; this puts right what reached the tables without events
    (an import, a repair by hand, the demo and bench loaders)."""

    count = rebuild()
    db.session.commit()
    log.info("insights: %d reach facts rebuilt", count)


def privacy_retention(now: datetime | None = None) -> None:
    """Personal data of deleted and long-inactive accounts, and old mail
    logs and links, go when their period ends (app/privacy/retention.py)."""

    result = run_retention(now or utcnow())
    db.session.commit()
    log.info(
        "privacy: %d warned, %d inactive deleted, %d purged, %d mails and %d links removed",
        len(result.warned),
        len(result.deleted),
        len(result.purged),
        result.mails_removed,
        result.links_removed,
    )


def _in_app_context(app, job):
    def run():
        with app.app_context():
            try:
                job()
            except Exception:
                db.session.rollback()
                log.exception("job %s failed", job.__name__)
                raise
            finally:
                db.session.remove()

    run.__name__ = run.__qualname__ = job.__name__
    return run


def build_scheduler(app, scheduler_class=BlockingScheduler):
    """The scheduler with its jobs; tests pass a BackgroundScheduler to start
    it paused and look at the jobs as APScheduler will run them."""
    scheduler = scheduler_class(job_defaults=JOB_DEFAULTS, timezone=TIMEZONE)
    start = datetime.now(scheduler.timezone)
    scheduler.add_job(_in_app_context(app, heartbeat), "interval", seconds=30, id="heartbeat")
    # The frequent jobs also run right at start: what fell due while the
    # scheduler was stopped goes out now, not a minute later.
    scheduler.add_job(
        _in_app_context(app, dispatch_mail),
        "interval",
        seconds=app.config["MAIL_DISPATCH_SECONDS"],
        id="dispatch_mail",
        next_run_time=start,
    )
    scheduler.add_job(
        _in_app_context(app, complete_bookings),
        "interval",
        minutes=5,
        id="complete_bookings",
        next_run_time=start,
    )
    # An offer's deadline is hours away, so a few minutes late is fine.
    scheduler.add_job(
        _in_app_context(app, pass_on_lapsed_offers),
        "interval",
        minutes=5,
        id="pass_on_lapsed_offers",
        next_run_time=start,
    )
    # Just after midnight, local time: a request's last day is over. Also at
    # start, so a scheduler that was down catches up at once.
    scheduler.add_job(
        _in_app_context(app, expire_requests),
        "cron",
        hour=0,
        minute=5,
        id="expire_requests",
        next_run_time=start,
    )
    scheduler.add_job(
        _in_app_context(app, finish_placements),
        "cron",
        hour=0,
        minute=10,
        id="finish_placements",
        next_run_time=start,
    )
    # Monday morning, local time. A scheduler that was down then sends the
    # week's digest when it comes back, up to three days late; the per-week
    # dedupe key keeps it to one.
    scheduler.add_job(
        _in_app_context(app, weekly_digests),
        "cron",
        day_of_week="mon",
        hour=7,
        id="weekly_digests",
        misfire_grace_time=3 * 24 * 3600,
    )
    # At night, local time: the reach facts again from the raw rows, which
    # repairs whatever a loader that bypassed the events left behind.
    scheduler.add_job(
        _in_app_context(app, rebuild_reach_facts),
        "cron",
        hour=3,
        minute=30,
        id="rebuild_reach_facts",
        misfire_grace_time=6 * 3600,
    )
    # At night, local time: retention periods are counted in days.
    scheduler.add_job(
        _in_app_context(app, privacy_retention),
        "cron",
        hour=4,
        minute=0,
        id="privacy_retention",
        misfire_grace_time=12 * 3600,
    )
    return scheduler


def run_scheduler() -> None:
    app = current_app._get_current_object()
    logs.configure(app.config["LOG_FORMAT"], "scheduler")
    # APScheduler logs every run of every job; the jobs log what they did.
    logging.getLogger("apscheduler.executors").setLevel(logging.WARNING)
    _warn_about_a_second_scheduler()
    scheduler = build_scheduler(app)
    # Beat once at start so /healthz sees the scheduler straight away.
    _in_app_context(app, heartbeat)()
    signal.signal(signal.SIGTERM, lambda *_: scheduler.shutdown(wait=False))
    log.info("scheduler started (pid %d)", os.getpid())
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        pass
    log.info("scheduler stopped")


def _warn_about_a_second_scheduler() -> None:
    """Two schedulers under one name do no harm (leases), but hide each
    other's heartbeat and usually mean a deployment mistake; say so."""

    beat = db.session.get(SchedulerHeartbeat, current_app.config["SCHEDULER_NAME"])
    if (
        beat is not None
        and beat.pid != os.getpid()
        and (utcnow() - beat.beat_at).total_seconds() < 60
    ):
        log.warning(
            "another scheduler (pid %d) beat %s under this name; give each its own "
            "TECHNIEKPOORT_SCHEDULER_NAME",
            beat.pid,
            beat.beat_at.isoformat(),
        )
    db.session.remove()
