"""/metrics, /readyz and the JSON log format, on both databases."""

from __future__ import annotations

import json
import logging
import re
from datetime import timedelta

from prometheus_client import REGISTRY
from sqlalchemy import text

from app.notifications.models import OutgoingMail
from app.timeutil import utcnow
from tests import factories
from tests.apps import login
from tests.calendar.helpers import feed_path, make_feed

TOKEN = "health-token-for-the-tests"
OPERATOR = {"Authorization": f"Bearer {TOKEN}"}


def sample(text_body: str, name: str, **labels) -> float | None:
    """One sample's value from the exposition text."""
    wanted = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
    for line in text_body.splitlines():
        found = re.fullmatch(rf"{name}(?:\{{(.*)\}})? (\S+)", line)
        if found and ",".join(sorted((found.group(1) or "").split(","))) == wanted:
            return float(found.group(2))
    return None


def scrape(client) -> str:
    response = client.get("/metrics", headers=OPERATOR)
    assert response.status_code == 200
    assert response.mimetype == "text/plain"
    return response.get_data(as_text=True)


def test_metrics_are_for_operators_only(app, db, client):
    app.config["HEALTH_TOKEN"] = TOKEN
    for headers in ({}, {"Authorization": "Bearer wrong"}):
        response = client.get("/metrics", headers=headers)
        assert response.status_code == 401
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
        assert response.get_json()["error"]["code"] == "unauthorized"
    teacher = factories.user(factories.school(), "teacher")
    db.session.commit()
    assert login(app.test_client(), teacher).get("/metrics").status_code == 401
    administrator = factories.user(factories.network(), "administrator")
    db.session.commit()
    assert login(app.test_client(), administrator).get("/metrics").status_code == 200


def test_latency_is_counted_per_route_never_per_path(app, db, client):
    app.config["HEALTH_TOKEN"] = TOKEN
    teacher = factories.user(factories.school(), "teacher")
    feed = make_feed(db, teacher)

    def count(route, status):
        return (
            REGISTRY.get_sample_value(
                "techniekpoort_request_duration_seconds_count",
                {"route": route, "method": "GET", "status": status},
            )
            or 0
        )

    before = {
        "login": count("/login", "200"),
        "activity": count("/activities/<int:activity_id>", "404"),
        "feed": count("/calendar/<token>.ics", "200"),
        "unmatched": count("<unmatched>", "404"),
    }
    client.get("/login")
    client.get("/activities/987654")
    client.get(feed_path(feed))  # answered by the feeds' middleware, before Flask
    client.get("/no/such/page/4711")
    assert count("/login", "200") == before["login"] + 1
    assert count("/activities/<int:activity_id>", "404") == before["activity"] + 1
    assert count("/calendar/<token>.ics", "200") == before["feed"] + 1
    assert count("<unmatched>", "404") == before["unmatched"] + 1
    body = scrape(client)
    assert "techniekpoort_request_duration_seconds_bucket" in body
    routes = set(re.findall(r'route="([^"]*)"', body))
    assert {"/login", "/calendar/<token>.ics", "<unmatched>"} <= routes
    assert not [route for route in routes if "4711" in route or "987654" in route]


def test_mail_queue_and_heartbeats_come_from_the_database(app, db, client):
    from app.scheduler import heartbeat

    app.config["HEALTH_TOKEN"] = TOKEN
    now = utcnow()
    db.session.add_all(
        [
            OutgoingMail(
                kind="test",
                recipient=f"r{n}@school.test",
                subject="Hallo",
                text_body="Hoi",
                html_body="<p>Hoi</p>",
                due_at=now - timedelta(minutes=minutes),
            )
            for n, minutes in enumerate((30, 5))
        ]
        + [
            OutgoingMail(
                kind="test",
                recipient="later@school.test",
                subject="Later",
                text_body="",
                html_body="",
                due_at=now + timedelta(hours=1),
            ),
            OutgoingMail(
                kind="test",
                recipient="typo@school",
                subject="Kapot",
                text_body="",
                html_body="",
                status="failed",
            ),
        ]
    )
    db.session.commit()
    app.config["SCHEDULER_NAME"] = "scheduler-a"
    heartbeat(now - timedelta(seconds=100))
    app.config["SCHEDULER_NAME"] = "scheduler-b"
    heartbeat()
    body = scrape(client)
    assert sample(body, "techniekpoort_mail_queue_due") == 2
    assert sample(body, "techniekpoort_mail_queue_failed") == 1
    assert 30 * 60 - 5 <= sample(body, "techniekpoort_mail_oldest_due_age_seconds") <= 30 * 60 + 60
    assert (
        100
        <= sample(body, "techniekpoort_scheduler_heartbeat_age_seconds", scheduler="scheduler-a")
        < 160
    )
    assert (
        sample(body, "techniekpoort_scheduler_heartbeat_age_seconds", scheduler="scheduler-b") < 60
    )
    # /healthz is up while one of the two beats.
    health = client.get("/healthz", headers=OPERATOR).get_json()
    assert health["scheduler"]["ok"] is True
    assert set(health["scheduler"]["processes"]) == {"scheduler-a", "scheduler-b"}


def test_dispatcher_runs_are_counted(app, db):
    from app.monitoring import metrics
    from app.notifications.dispatcher import DispatchResult

    def value(outcome):
        return (
            REGISTRY.get_sample_value("techniekpoort_dispatcher_mails_total", {"outcome": outcome})
            or 0
        )

    sent, failed = value("sent"), value("failed")
    runs = REGISTRY.get_sample_value("techniekpoort_dispatcher_runs_total", {"result": "ok"}) or 0
    metrics.record_dispatch(DispatchResult(sent=[1, 2, 3], failed=[4]))
    assert value("sent") == sent + 3 and value("failed") == failed + 1
    assert (
        REGISTRY.get_sample_value("techniekpoort_dispatcher_runs_total", {"result": "ok"})
        == runs + 1
    )


def _version_table(db, revision: str | None) -> None:
    db.session.execute(text("DROP TABLE IF EXISTS alembic_version"))
    if revision is not None:
        db.session.execute(text("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)"))
        db.session.execute(text("INSERT INTO alembic_version VALUES (:r)"), {"r": revision})


def test_ready_only_on_a_schema_this_code_runs_against(app, db, client):
    from app.monitoring.schema import _scripts

    head, known = _scripts()
    older = next(r for r in known if r != head)
    expected = {
        None: (503, "not ready"),  # never migrated
        older: (503, "not ready"),  # this release's migrations have not run yet
        head: (200, "ready"),
        "f00dfeedbeef": (200, "ready"),  # a newer release migrated it: still served
    }
    for revision, (status, word) in expected.items():
        _version_table(db, revision)
        response = client.get("/readyz")
        assert (response.status_code, response.get_json()["status"]) == (status, word), revision
    _version_table(db, older)
    assert client.get("/readyz").get_json()["reason"] == "migrations"


def test_json_logs_are_one_object_per_line(app, capsys):
    from app.monitoring import logs

    root = logging.getLogger()
    saved = list(root.handlers), root.level
    try:
        logs.configure("json", "web")
        with app.test_request_context("/catalogue", headers={"X-Request-ID": "abc-123"}):
            logging.getLogger("techniekpoort.test").warning("Boeking %s geweigerd", 42)
        line = capsys.readouterr().err.strip().splitlines()[-1]
    finally:
        root.handlers[:] = saved[0]
        root.setLevel(saved[1])
    record = json.loads(line)
    assert record["message"] == "Boeking 42 geweigerd"
    assert record["level"] == "WARNING" and record["logger"] == "techniekpoort.test"
    assert record["component"] == "web" and record["request_id"] == "abc-123"
    assert record["path"] == "/catalogue" and "time" in record
