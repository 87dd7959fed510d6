"""The recipe of docs/OPERATIONS.md, followed from scratch: scripts/cluster.sh
on a throw-away PostgreSQL database starts two gunicorn app servers behind
Debian's nginx and two schedulers (deploy/Procfile, through honcho); requests
reach both servers through nginx, the mail due before the start goes out once
although two schedulers run, each server's /metrics sees both schedulers, and
SIGTERM stops it all."""

from __future__ import annotations

import http.client
import json
import os
import re
import signal
import socket
import subprocess
from pathlib import Path

import pytest

from app.notifications.models import OutgoingMail
from tests.apps import make_app
from tests.mail import SmtpServer
from tests.postgres import create_database
from tests.servers import free_port, wait_until

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "cluster-health-token"

pytestmark = pytest.mark.filterwarnings("ignore:'get_engine' is deprecated:DeprecationWarning")


def get(port: int, path: str, headers=None) -> tuple[int, dict, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def answers(port: int, path: str) -> bool:
    try:
        return get(port, path)[0] == 200
    except OSError:
        return False


def listening(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def test_the_one_machine_recipe_runs_two_servers_and_two_schedulers(postgres_server, tmp_path):
    url = create_database(
        postgres_server, f"tp_cluster_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"
    )
    smtp = SmtpServer().start()
    ports = {"PORT": free_port(), "WEB_1_PORT": free_port(), "WEB_2_PORT": free_port()}
    environment = {
        **os.environ,
        **{name: str(port) for name, port in ports.items()},
        "TECHNIEKPOORT_DATABASE_URL": url,
        "TECHNIEKPOORT_SMTP_URL": smtp.url,
        "TECHNIEKPOORT_HEALTH_TOKEN": TOKEN,
        "CLUSTER_DIR": str(tmp_path / "cluster"),
    }
    environment.pop("PROMETHEUS_MULTIPROC_DIR", None)
    # The schema first, then a mail that is due before anything runs.
    subprocess.run(
        [str(ROOT / ".venv/bin/flask"), "--app", "wsgi", "db", "upgrade"],
        cwd=ROOT,
        env={**environment, "TECHNIEKPOORT_BASE_URL": "http://127.0.0.1"},
        check=True,
        capture_output=True,
    )
    app = make_app(url, tmp_path)
    with app.app_context():
        from app.extensions import db

        mail = OutgoingMail(
            kind="test",
            recipient="docent@cluster.test",
            subject="Eén keer",
            text_body="Hallo",
            html_body="<p>Hallo</p>",
        )
        db.session.add(mail)
        db.session.commit()
        mail_id = mail.id
        db.session.remove()
        db.engine.dispose()

    log = (tmp_path / "cluster.log").open("w")
    cluster = subprocess.Popen(
        [str(ROOT / "scripts/cluster.sh")],
        cwd=ROOT,
        env=environment,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    proxy = ports["PORT"]
    try:

        def ready() -> bool:
            assert cluster.poll() is None, (tmp_path / "cluster.log").read_text()[-3000:]
            return answers(proxy, "/readyz")

        wait_until(ready, 90, "the cluster behind nginx")
        for port in (ports["WEB_1_PORT"], ports["WEB_2_PORT"]):
            wait_until(lambda p=port: answers(p, "/readyz"), 60, f"app server on {port}")

        # nginx spreads the requests over both app servers and logs JSON.
        for _n in range(20):
            assert get(proxy, "/healthz")[0] == 200
        access = (tmp_path / "cluster/access.log").read_text().splitlines()
        lines = [json.loads(line) for line in access]
        upstreams = {line["upstream"] for line in lines if line["uri"] == "/healthz"}
        assert upstreams == {f"127.0.0.1:{ports['WEB_1_PORT']}", f"127.0.0.1:{ports['WEB_2_PORT']}"}
        assert all(line["request_id"] for line in lines)
        # Prometheus scrapes the servers themselves, never through the proxy.
        assert get(proxy, "/metrics", {"Authorization": f"Bearer {TOKEN}"})[0] == 404

        # Two schedulers, one mail: the lease lets only one of them send it.
        smtp.sink.wait_for(1)

        def both_schedulers_beat() -> bool:
            body = get(ports["WEB_1_PORT"], "/metrics", {"Authorization": f"Bearer {TOKEN}"})[2]
            return all(
                f'techniekpoort_scheduler_heartbeat_age_seconds{{scheduler="{name}"}}'.encode()
                in body
                for name in ("scheduler-1", "scheduler-2")
            )

        wait_until(both_schedulers_beat, 60, "both schedulers' heartbeats")

        # The schedulers' counters reach every server of the machine through
        # the shared PROMETHEUS_MULTIPROC_DIR: one mail sent, by either of them.
        def sent_counted() -> bool:
            body = get(ports["WEB_2_PORT"], "/metrics", {"Authorization": f"Bearer {TOKEN}"})[2]
            found = re.search(
                rb'^techniekpoort_dispatcher_mails_total\{outcome="sent"\} (\S+)$', body, re.M
            )
            return found is not None and float(found.group(1)) == 1

        wait_until(sent_counted, 30, "the sent mail in the dispatcher's counter")
        health = json.loads(get(proxy, "/healthz", {"Authorization": f"Bearer {TOKEN}"})[2])
        assert set(health["scheduler"]["processes"]) == {"scheduler-1", "scheduler-2"}
        assert health["mail_queue"]["due"] == 0
        assert smtp.sink.ids() == [mail_id]
    finally:
        # SIGTERM to honcho stops every process of the layout.
        try:
            os.killpg(cluster.pid, signal.SIGTERM)
            cluster.wait(timeout=30)
        finally:
            if cluster.poll() is None:
                os.killpg(cluster.pid, signal.SIGKILL)
            log.close()
            smtp.stop()
    for port in ports.values():
        assert not listening(port), f"something still listens on {port}"
    assert smtp.sink.ids() == [mail_id]
