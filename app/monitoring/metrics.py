"""Prometheus metrics (prometheus_client).

Each gunicorn worker and each scheduler is a process of its own. With
PROMETHEUS_MULTIPROC_DIR set (scripts/run.sh and the Procfile set it to one
folder per machine), prometheus_client keeps every process's samples in that
folder and /metrics adds them up: the latency of both workers, and the
scheduler's dispatcher counters, in one scrape. Without it (a single process,
`flask run`, the tests) /metrics shows the process that answers.

What is a fact of the database, not of a process (the mail queue, the
schedulers' heartbeats), is read from the database at each scrape, so every
app server reports the same cluster-wide figures.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable

from flask import Flask, request
from prometheus_client import (
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily

ROUTE_KEY = "techniekpoort.route"
# Requests that matched no route (404s, probes) share one label, so a
# scanner's random paths cannot create a time series each.
UNMATCHED = "<unmatched>"

REQUEST_SECONDS = Histogram(
    "techniekpoort_request_duration_seconds",
    "Time from the request reaching the app to its response starting, per route.",
    ["route", "method", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
DISPATCHED = Counter(
    "techniekpoort_dispatcher_mails",
    "Mails the dispatcher handled, by outcome (sent, retried, failed, expired).",
    ["outcome"],
)
DISPATCH_RUNS = Counter(
    "techniekpoort_dispatcher_runs",
    "Dispatcher runs, by result (ok, or transport_failed when the SMTP server was unreachable).",
    ["result"],
)
HEARTBEATS = Counter(
    "techniekpoort_scheduler_heartbeats", "Heartbeats written by this machine's schedulers."
)


def record_dispatch(result) -> None:
    """Count one dispatcher run (a DispatchResult) in this process."""
    DISPATCHED.labels("sent").inc(len(result.sent))
    DISPATCHED.labels("retried").inc(len(result.retried))
    DISPATCHED.labels("failed").inc(len(result.failed))
    DISPATCHED.labels("expired").inc(result.expired)
    DISPATCH_RUNS.labels("transport_failed" if result.transport_failed else "ok").inc()


class Timed:
    """WSGI middleware: the latency of every request, including the calendar
    polls that FeedsFirst answers before Flask. The route is the URL rule
    Flask matched (or the feed's), never the path, which holds ids and tokens."""

    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        started = time.perf_counter()
        status = ["500"]

        def starting(status_line, headers, exc_info=None):
            status[0] = status_line.split(" ", 1)[0]
            return start_response(status_line, headers, exc_info)

        try:
            return self.wsgi_app(environ, starting)
        finally:
            REQUEST_SECONDS.labels(
                environ.get(ROUTE_KEY, UNMATCHED), environ.get("REQUEST_METHOD", ""), status[0]
            ).observe(time.perf_counter() - started)


def _note_route() -> None:
    if request.url_rule is not None:
        request.environ[ROUTE_KEY] = request.url_rule.rule


def init_app(app: Flask) -> None:
    app.before_request(_note_route)
    app.wsgi_app = Timed(app.wsgi_app)


class _Facts:
    """A collector for one scrape: gauges read from the database just before."""

    def __init__(self, families: Iterable[GaugeMetricFamily]):
        self.families = list(families)

    def collect(self):
        return self.families


def database_facts(queue: dict, heartbeats: dict[str, float]) -> list[GaugeMetricFamily]:
    due = GaugeMetricFamily(
        "techniekpoort_mail_queue_due", "Mails due to be sent and not sent yet."
    )
    due.add_metric([], queue["due"])
    failed = GaugeMetricFamily(
        "techniekpoort_mail_queue_failed", "Mails that failed for good and wait for a person."
    )
    failed.add_metric([], queue["failed"])
    oldest = GaugeMetricFamily(
        "techniekpoort_mail_oldest_due_age_seconds",
        "How long the oldest due mail has waited (0 when none waits).",
    )
    oldest.add_metric([], queue["oldest_pending_seconds"])
    beats = GaugeMetricFamily(
        "techniekpoort_scheduler_heartbeat_age_seconds",
        "Seconds since each scheduler process last wrote its heartbeat.",
        labels=["scheduler"],
    )
    for name, age in sorted(heartbeats.items()):
        beats.add_metric([name], age)
    return [due, failed, oldest, beats]


def exposition(facts: list[GaugeMetricFamily]) -> bytes:
    """The text format Prometheus scrapes: every process's samples (or this
    one's) and the database facts."""
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.MultiProcessCollector(registry)
        sources = [registry]
    else:
        sources = [REGISTRY, registry]
    registry.register(_Facts(facts))
    return b"".join(generate_latest(source) for source in sources)
