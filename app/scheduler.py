"""The scheduler process (`flask --app wsgi scheduler run`).

Exactly one runs beside the web workers, never inside them: inside gunicorn or
under the reloader every job would run once per process (INTEROP.md 12-13).
The jobs are safe to run twice anyway: the mail dispatcher claims rows with a
lease. After downtime, missed runs are coalesced into one (rule 14).
"""

from __future__ import annotations

import logging
import os
import signal

from apscheduler.schedulers.blocking import BlockingScheduler
from flask import current_app

from app.extensions import db
from app.timeutil import utcnow

log = logging.getLogger("techniekpoort.scheduler")

JOB_DEFAULTS = {"coalesce": True, "misfire_grace_time": 300, "max_instances": 1}


def heartbeat() -> None:
    from app.scheduler_state import SchedulerHeartbeat

    beat = db.session.get(SchedulerHeartbeat, "main")
    if beat is None:
        beat = SchedulerHeartbeat(name="main", beat_at=utcnow(), pid=os.getpid())
        db.session.add(beat)
    beat.beat_at = utcnow()
    beat.pid = os.getpid()
    db.session.commit()


def dispatch_mail() -> None:
    from app.notifications.dispatcher import dispatch_due

    result = dispatch_due()
    if result.sent or result.failed or result.retried:
        log.info("mail: %d sent, %d retried, %d failed", len(result.sent), len(result.retried), len(result.failed))


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

    run.__name__ = job.__name__
    return run


def build_scheduler(app) -> BlockingScheduler:
    scheduler = BlockingScheduler(job_defaults=JOB_DEFAULTS, timezone="Europe/Amsterdam")
    scheduler.add_job(_in_app_context(app, heartbeat), "interval", seconds=30, id="heartbeat")
    scheduler.add_job(_in_app_context(app, dispatch_mail), "interval", seconds=20, id="dispatch_mail")
    return scheduler


def run_scheduler() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s scheduler %(levelname)s %(message)s")
    app = current_app._get_current_object()
    scheduler = build_scheduler(app)
    # Beat once at start so /healthz sees the scheduler straight away.
    _in_app_context(app, heartbeat)()
    signal.signal(signal.SIGTERM, lambda *_: scheduler.shutdown(wait=False))
    log.info("scheduler started (pid %d)", os.getpid())
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        pass
