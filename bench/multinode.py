"""The production layout under a mixed load, with one app server and one
scheduler killed partway (issue 17's multi-node test), and the same load's
throughput per number of app servers.

    python -m bench scale [--scale regional] [--nodes 1,2,3] [--update-docs]

`Layout` starts what deploy/Procfile starts, with its commands (two or more
gunicorn app servers, two named schedulers) and deploy/nginx.conf in front,
on one PostgreSQL database; unlike honcho, it can SIGKILL one process group
and start it again while the others run. `Load` is a pool of virtual users,
each a thread with its own keep-alive connection to nginx, doing what the
product's users do: browsing the catalogue (anonymous and signed in, random
filters), activity pages, "Mijn boekingen", a company's incoming bookings,
the coordinator's dashboard, calendar clients polling their feeds (with
If-None-Match), booking through the API (with an Idempotency-Key, sent again
after a lost answer), cancelling, and the company confirming. One more user
checks the caches across servers: it reads a slot's free places on one app
server, books or cancels through the other, and reads again on the first.
`verify` then checks the database, the mail server, the feeds and the
answers (docs/OPERATIONS.md, "The multi-node test"). Why a driver of our own
rather than locust: docs/decisions/0019.

tests/monitoring/test_multinode.py runs it at a small size in `make test`;
`python -m bench scale` at a large one, and measures throughput per node
count with hello world behind the same nginx in the same run.
"""

from __future__ import annotations

import http.client
import json
import os
import random
import re
import signal
import subprocess
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from statistics import median
from string import Template

from bench.workload import (
    SECRET_KEY,
    USER_AGENT,
    booking_bodies,
    catalogue_path,
    my_bookings_path,
    random_filters,
)

ROOT = Path(__file__).resolve().parent.parent
PROCFILE = ROOT / "deploy" / "Procfile"
NGINX_CONF = ROOT / "deploy" / "nginx.conf"
HEALTH_TOKEN = "multinode-health-token"
REASON = "Het rooster is gewijzigd"
# How long after the kill nginx may still send a POST over a connection it
# kept open to the killed server (it notices when it uses the connection).
AFTER_KILL_SECONDS = 1.0
# Slots that only the cross-node checker books, one group of one at a time.
PROBES = 4

# What the virtual users do, and how often (relative weights).
MIX = {
    "catalogue": 22,
    "catalogue-anonymous": 8,
    "activity": 14,
    "my-bookings": 9,
    "incoming": 7,
    "dashboard": 3,
    "feed": 14,
    "book": 13,
    "cancel": 4,
    "confirm": 6,
}


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def procfile() -> dict[str, str]:
    """deploy/Procfile's commands by name."""
    commands = {}
    for line in PROCFILE.read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, command = line.split(":", 1)
            commands[name.strip()] = command.strip()
    return commands


def nginx_conf(ports: list[int], proxy_port: int, directory: Path) -> str:
    """deploy/nginx.conf with one upstream server line per app server."""
    lines = []
    for line in NGINX_CONF.read_text().splitlines():
        if "${WEB_1_PORT}" in line:
            lines += [line.replace("${WEB_1_PORT}", str(port)) for port in ports]
        elif "${WEB_" not in line:
            lines.append(line)
    return Template("\n".join(lines) + "\n").substitute(PORT=proxy_port, CLUSTER_DIR=str(directory))


def _answers(port: int, path: str) -> bool:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        connection.request("GET", path)
        return connection.getresponse().status == 200
    except OSError:
        return False
    finally:
        connection.close()


class Layout:
    """App servers, schedulers and nginx as deploy/Procfile runs them, each
    process group started and killed on its own."""

    def __init__(
        self,
        database_url: str,
        work: Path,
        *,
        nodes: int = 2,
        schedulers: int = 2,
        smtp_url: str = "",
        app: str = "wsgi:app",
        ready_path: str = "/readyz",
        settings: dict[str, str] | None = None,
    ):
        self.work = work
        self.work.mkdir(parents=True, exist_ok=True)
        self.ports = [free_port() for _ in range(nodes)]
        self.proxy_port = free_port()
        self.scheduler_count = schedulers
        self.ready_path = ready_path
        commands = procfile()
        self.web_command = commands["web1"].replace("wsgi:app", app)
        self.scheduler_commands = [commands[f"scheduler{n}"] for n in (1, 2)]
        self.proxy_command = commands["proxy"]
        metrics = work / "metrics"
        metrics.mkdir(exist_ok=True)
        self.env = {
            **os.environ,
            "TECHNIEKPOORT_DATABASE_URL": database_url,
            "TECHNIEKPOORT_SMTP_URL": smtp_url,
            "TECHNIEKPOORT_BASE_URL": f"http://127.0.0.1:{self.proxy_port}",
            "TECHNIEKPOORT_TRUSTED_PROXIES": "1",
            # The sessions and tokens of the virtual users are made in this
            # process (bench/workload.py), so the servers share its key.
            "TECHNIEKPOORT_SECRET_KEY": SECRET_KEY,
            # Every virtual user comes from 127.0.0.1: the limits per client
            # would refuse them, which is not what is measured here.
            "TECHNIEKPOORT_RATELIMITS": "off",
            "TECHNIEKPOORT_HEALTH_TOKEN": HEALTH_TOKEN,
            "PROMETHEUS_MULTIPROC_DIR": str(metrics),
            "CLUSTER_DIR": str(work),
            **(settings or {}),
        }
        self.webs: list[subprocess.Popen | None] = [None] * nodes
        self.schedulers: list[subprocess.Popen | None] = [None] * schedulers
        self.proxy: subprocess.Popen | None = None

    def _spawn(self, command: str, log: str, **env) -> subprocess.Popen:
        with (self.work / log).open("a") as out:
            return subprocess.Popen(
                ["bash", "-c", command],
                cwd=ROOT,
                env={**self.env, **env},
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def log(self, name: str, size: int = 3000) -> str:
        path = self.work / name
        return path.read_text(errors="replace")[-size:] if path.exists() else ""

    def start_web(self, n: int, wait: bool = True) -> None:
        self.webs[n] = self._spawn(
            self.web_command, f"web{n + 1}.log", WEB_1_PORT=str(self.ports[n])
        )
        if wait:
            self.wait_web(n)

    def wait_web(self, n: int, seconds: float = 60) -> None:
        deadline = time.monotonic() + seconds
        while not _answers(self.ports[n], self.ready_path):
            if self.webs[n].poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(
                    f"app server {n + 1} did not start:\n{self.log(f'web{n + 1}.log')}"
                )
            time.sleep(0.05)

    def start_scheduler(self, n: int) -> None:
        self.schedulers[n] = self._spawn(self.scheduler_commands[n], f"scheduler{n + 1}.log")

    def start(self) -> Layout:
        (self.work / "nginx.conf").write_text(nginx_conf(self.ports, self.proxy_port, self.work))
        for n in range(len(self.ports)):
            self.start_web(n, wait=False)
        for n in range(self.scheduler_count):
            self.start_scheduler(n)
        self.proxy = self._spawn(self.proxy_command, "nginx.log")
        for n in range(len(self.ports)):
            self.wait_web(n)
        deadline = time.monotonic() + 30
        while not _answers(self.proxy_port, self.ready_path):
            if self.proxy.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"nginx did not start:\n{self.log('nginx.log')}")
            time.sleep(0.05)
        return self

    @staticmethod
    def _kill(process: subprocess.Popen | None) -> None:
        if process is not None and process.poll() is None:
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            process.wait()

    def kill_web(self, n: int) -> None:
        """SIGKILL to the app server's master and workers at once, as when
        its machine dies."""
        self._kill(self.webs[n])

    def kill_scheduler(self, n: int) -> None:
        self._kill(self.schedulers[n])

    def stop(self) -> None:
        for process in [self.proxy, *self.webs, *self.schedulers]:
            if process is not None and process.poll() is None:
                try:
                    os.killpg(process.pid, signal.SIGTERM)
                except ProcessLookupError:
                    continue
        for process in [self.proxy, *self.webs, *self.schedulers]:
            if process is not None:
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    self._kill(process)

    def __enter__(self) -> Layout:
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(self, *exc) -> None:
        self.stop()


# --- who acts -----------------------------------------------------------------------------


@dataclass
class Cast:
    """The people the virtual users act as, made in the database beforehand:
    sessions (bench/workload.session_cookie) for the pages, bearer tokens for
    the API, an organisation feed per school."""

    teachers: list[dict] = field(default_factory=list)  # cookie, token, school_id, feed
    contacts: dict[int, dict] = field(default_factory=dict)  # company_id: cookie, token
    coordinator: str = ""
    activities: list[int] = field(default_factory=list)
    # (slot_id, company_id, teacher index, body): bookings that are valid to ask for.
    targets: list[tuple[int, int, int, dict]] = field(default_factory=list)
    # Slots only the cross-node checker books: (slot_id, catalogue path, teacher index, body).
    probes: list[tuple[int, str, int, dict]] = field(default_factory=list)
    today: object = None


def cast(database_url: str, *, schools: int, companies: int, seed: int = 17) -> Cast:
    from sqlalchemy import func, select

    from app import create_app
    from app.accounts.models import Membership, Organisation, User
    from app.accounts.service import create_api_token
    from app.bookings.models import Booking
    from app.calendar.service import create_feed, feed_token
    from app.catalogue.models import Activity, Slot
    from app.extensions import db
    from app.timeutil import to_local, utcnow
    from bench.workload import _teachers, session_cookie

    rng = random.Random(seed)
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": SECRET_KEY})
    found = Cast()
    with app.app_context():
        found.today = to_local(utcnow()).date()
        teachers = _teachers(limit=schools)
        for user, school in teachers:
            feed = create_feed(user, kind="organisation", organisation=school)
            db.session.flush()
            found.teachers.append(
                {
                    "cookie": session_cookie(app, user),
                    "token": create_api_token(user, "multinode")[1],
                    "school_id": school.id,
                    "feed": f"/calendar/{feed_token(feed)}.ics",
                }
            )
        # The companies with the most bookable dates, each with a contact.
        busiest = db.session.execute(
            select(Activity.company_id, func.count())
            .join(Slot, Slot.activity_id == Activity.id)
            .join(Organisation, Organisation.id == Activity.company_id)
            .where(
                Activity.status == "published",
                Organisation.status == "approved",
                Slot.status == "open",
                Slot.starts_at > utcnow() + timedelta(days=16),
            )
            .group_by(Activity.company_id)
            .order_by(func.count().desc(), Activity.company_id)
            .limit(companies)
        ).all()
        for company_id, _ in busiest:
            contact = db.session.scalar(
                select(User)
                .join(Membership, Membership.user_id == User.id)
                .where(Membership.organisation_id == company_id, Membership.role == "contact")
                .order_by(User.id)
                .limit(1)
            )
            if contact is not None:
                found.contacts[company_id] = {
                    "cookie": session_cookie(app, contact),
                    "token": create_api_token(contact, "multinode")[1],
                }
        coordinator = db.session.scalar(select(User).where(User.email == "coordinator@bench.test"))
        found.coordinator = session_cookie(app, coordinator)
        found.activities = db.session.scalars(
            select(Activity.id).where(Activity.status == "published").order_by(Activity.id)
        ).all()
        schools_by_id = {school.id: n for n, (_, school) in enumerate(teachers)}
        bodies = booking_bodies(
            rng, [school for _, school in teachers], company_ids=list(found.contacts)
        )
        # Slots without bookings, whose places only the checker moves.
        booked = set(db.session.scalars(select(Booking.slot_id).distinct()))
        for slot_id, company_id, school, body in bodies:
            teacher = schools_by_id[school.id]
            if len(found.probes) < PROBES and slot_id not in booked:
                slot = db.session.get(Slot, slot_id)
                day = to_local(slot.starts_at).date().isoformat()
                path = catalogue_path({"q": slot.activity.title, "date_from": day, "date_to": day})
                body = {**body, "group_size": 1, "accept_waitlist": False}
                found.probes.append((slot_id, path, teacher, body))
            else:
                found.targets.append((slot_id, company_id, teacher, body))
        db.session.commit()
        db.engine.dispose()
    return found


# --- the load -------------------------------------------------------------------------------


@dataclass
class Answer:
    kind: str
    method: str
    started: float
    ended: float
    status: int  # 0: no answer (the connection failed)


_FREE = re.compile(r'<span class="free-places">(.*?)</span>\s*</p>', re.S)


def free_places(html: str, slot_id: int) -> int | None:
    start = html.find(f'data-slot="{slot_id}"')
    if start < 0:
        return None
    found = _FREE.search(html, start)
    if found is None:
        return None
    digits = re.search(r"\d+", found.group(1).replace(".", ""))
    return int(digits.group()) if digits else 0


class Client:
    """One keep-alive connection, opened again after a failure."""

    def __init__(self, port: int, timeout: float = 30, keep_alive: bool = True):
        self.port = port
        self.timeout = timeout
        self.keep_alive = keep_alive
        self.connection: http.client.HTTPConnection | None = None

    def request(self, method, path, headers=None, body=None) -> tuple[int, dict, bytes]:
        if self.connection is None:
            self.connection = http.client.HTTPConnection(
                "127.0.0.1", self.port, timeout=self.timeout
            )
        try:
            self.connection.request(method, path, body=body, headers=headers or {})
            response = self.connection.getresponse()
            data = response.read()
            if not self.keep_alive or response.getheader("Connection", "").lower() == "close":
                self.close()
            return response.status, {k.lower(): v for k, v in response.getheaders()}, data
        except (OSError, http.client.HTTPException):
            self.close()
            return 0, {}, b""

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None


class Load:
    """The virtual users, against nginx, until `stop` is set."""

    def __init__(self, layout: Layout, people: Cast, *, users: int, seed: int = 5, hello=False):
        self.layout = layout
        self.people = people
        self.users = users
        self.seed = seed
        self.hello = hello
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.answers: list[Answer] = []
        # Bookings made by the load: (booking id, teacher index, company id).
        self.bookings: list[tuple[int, int, int]] = []
        self.targets = list(people.targets)
        self.cross_node: Counter = Counter()
        self.cross_node_failures: list[str] = []
        self.threads: list[threading.Thread] = []

    def start(self) -> Load:
        for n in range(self.users):
            self.threads.append(threading.Thread(target=self._user, args=(n,), daemon=True))
        if not self.hello and self.people.probes and len(self.layout.ports) > 1:
            self.threads.append(threading.Thread(target=self._checker, daemon=True))
        for thread in self.threads:
            thread.start()
        return self

    def finish(self) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=60)

    def _send(self, client, kind, method, path, headers=None, body=None):
        started = time.monotonic()
        status, answer_headers, data = client.request(method, path, headers, body)
        answer = Answer(kind, method, started, time.monotonic(), status)
        with self.lock:
            self.answers.append(answer)
        return status, answer_headers, data

    def _user(self, n: int) -> None:
        rng = random.Random(self.seed * 1000 + n)
        client = Client(self.layout.proxy_port)
        etags: dict[str, str] = {}
        kinds, weights = list(MIX), list(MIX.values())
        while not self.stop.is_set():
            if self.hello:
                self._send(client, "hello", "GET", "/")
                continue
            getattr(self, "_" + rng.choices(kinds, weights)[0].replace("-", "_"))(
                rng, client, etags
            )
        client.close()

    # Each action is one user's step; the answers are recorded by _send.

    def _page(self, cookie: str) -> dict:
        return {"Cookie": cookie, "User-Agent": USER_AGENT}

    def _catalogue(self, rng, client, etags):
        teacher = rng.choice(self.people.teachers)
        args = random_filters(rng, self.people.today, with_distance=True)
        if "max_km" in args or args.get("sort") == "distance":
            args["school"] = teacher["school_id"]
        self._send(client, "catalogue", "GET", catalogue_path(args), self._page(teacher["cookie"]))

    def _catalogue_anonymous(self, rng, client, etags):
        args = random_filters(rng, self.people.today, with_distance=False)
        self._send(client, "catalogue", "GET", catalogue_path(args), {"User-Agent": USER_AGENT})

    def _activity(self, rng, client, etags):
        teacher = rng.choice(self.people.teachers)
        path = f"/activities/{rng.choice(self.people.activities)}"
        self._send(client, "activity", "GET", path, self._page(teacher["cookie"]))

    def _my_bookings(self, rng, client, etags):
        teacher = rng.choice(self.people.teachers)
        path = my_bookings_path(rng)
        self._send(client, "my-bookings", "GET", path, self._page(teacher["cookie"]))

    def _incoming(self, rng, client, etags):
        contact = rng.choice(list(self.people.contacts.values()))
        self._send(client, "incoming", "GET", "/company/bookings", self._page(contact["cookie"]))

    def _dashboard(self, rng, client, etags):
        path = rng.choice(("/insights", "/insights/panels/coverage", "/insights/panels/planned"))
        self._send(client, "dashboard", "GET", path, self._page(self.people.coordinator))

    def _feed(self, rng, client, etags):
        feed = rng.choice(self.people.teachers)["feed"]
        headers = {"User-Agent": "Calendar/1.0"}
        if feed in etags and rng.random() < 0.7:
            headers["If-None-Match"] = etags[feed]
        status, answer_headers, _ = self._send(client, "feed", "GET", feed, headers)
        if status == 200 and "etag" in answer_headers:
            etags[feed] = answer_headers["etag"]

    @staticmethod
    def _api(token: str, key: str | None = None) -> dict:
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        if key:
            headers["Idempotency-Key"] = key
        return headers

    def book(self, client, slot_id, teacher_index, body, kind="book"):
        """Books with an Idempotency-Key; when the answer is lost (a server
        killed under the request: 502, or no answer), asks again with the same
        key, as the API's clients are told to."""
        teacher = self.people.teachers[teacher_index]
        key = uuid.uuid4().hex
        for _attempt in range(3):
            status, _, data = self._send(
                client,
                kind,
                "POST",
                f"/api/v1/slots/{slot_id}/bookings",
                self._api(teacher["token"], key),
                json.dumps(body),
            )
            if status not in (0, 502, 503, 504):
                break
        return status, (json.loads(data) if status in (200, 201) else None)

    def _book(self, rng, client, etags):
        with self.lock:
            if not self.targets:
                return
            slot_id, company_id, teacher_index, body = self.targets.pop(
                rng.randrange(len(self.targets))
            )
        status, booking = self.book(client, slot_id, teacher_index, body)
        if booking is not None:
            with self.lock:
                self.bookings.append((booking["id"], teacher_index, company_id))

    def _taken_booking(self, rng):
        with self.lock:
            if not self.bookings:
                return None
            return self.bookings.pop(rng.randrange(len(self.bookings)))

    def _cancel(self, rng, client, etags):
        made = self._taken_booking(rng)
        if made is not None:
            booking_id, teacher_index, _ = made
            token = self.people.teachers[teacher_index]["token"]
            self._send(
                client,
                "cancel",
                "POST",
                f"/api/v1/bookings/{booking_id}/cancel",
                self._api(token),
                json.dumps({"reason": REASON}),
            )

    def _confirm(self, rng, client, etags):
        made = self._taken_booking(rng)
        if made is not None:
            booking_id, teacher_index, company_id = made
            token = self.people.contacts[company_id]["token"]
            status, _, _ = self._send(
                client,
                "confirm",
                "POST",
                f"/api/v1/bookings/{booking_id}/confirm",
                self._api(token),
            )
            if status == 200:  # a confirmed booking may still be cancelled later
                with self.lock:
                    self.bookings.append(made)

    def _checker(self) -> None:
        """A booking through one app server shows on the next catalogue page
        from another, and so does its cancellation: each server keeps its own
        cache of catalogue pages (decision 0012)."""
        ports = self.layout.ports
        # A connection per request: gunicorn closes one that idles for two
        # seconds, and the checker's wait that long between their uses.
        clients = {port: Client(port, keep_alive=False) for port in ports}
        turn = 0
        while not self.stop.is_set():
            slot_id, path, teacher_index, body = self.people.probes[turn % len(self.people.probes)]
            reader, writer = ports[turn % 2], ports[(turn + 1) % 2]
            turn += 1

            def places(port, path=path, slot_id=slot_id):
                status, _, data = clients[port].request("GET", path, {"User-Agent": USER_AGENT})
                return free_places(data.decode(), slot_id) if status == 200 else None

            before = places(reader)
            if before is None or before < 1:
                self.cross_node["skipped"] += 1
                continue
            status, booking = self.book(clients[writer], slot_id, teacher_index, body, "checker")
            if booking is None:
                self.cross_node["skipped"] += 1
                continue
            after = places(reader)
            self._record_check(after, before - 1, f"booking {booking['id']} on slot {slot_id}")
            token = self.people.teachers[teacher_index]["token"]
            status, _, _ = clients[writer].request(
                "POST",
                f"/api/v1/bookings/{booking['id']}/cancel",
                self._api(token),
                json.dumps({"reason": REASON}),
            )
            if status == 200:
                self._record_check(
                    places(reader), before, f"cancelling {booking['id']} on slot {slot_id}"
                )
        for client in clients.values():
            client.close()

    def _record_check(self, seen, expected, what):
        if seen is None:  # the reading server was down
            self.cross_node["skipped"] += 1
        elif seen == expected:
            self.cross_node["consistent"] += 1
        else:
            self.cross_node["stale"] += 1
            self.cross_node_failures.append(f"{what}: {seen} free places, expected {expected}")


# --- the run and its checks (the database keeps UTC, without a zone) ------------------


@dataclass
class Kill:
    at: float = 0.0  # monotonic, the moment the SIGKILLs were sent
    restarted_after: float = 0.0  # seconds until the app server answered again


@dataclass
class Report:
    seconds: float
    requests: int
    per_second: float
    statuses: dict[str, int]
    per_kind: dict[str, int]
    # The median time to answer, per kind of request (ms).
    median_ms: dict[str, float] = field(default_factory=dict)
    in_flight_at_kill: int = 0
    in_flight_failed: int = 0
    # POSTs nginx sent, just after the kill, over a connection it had kept
    # open to the killed server: it learns the connection is dead only then,
    # and does not send a POST again (docs/OPERATIONS.md).
    failed_just_after_kill: int = 0
    failures_outside_kill: list[str] = field(default_factory=list)
    over_capacity: list[str] = field(default_factory=list)
    taken_mismatch: list[str] = field(default_factory=list)
    mails_sent: int = 0
    mails_received: int = 0
    mail_problems: list[str] = field(default_factory=list)
    feeds_checked: int = 0
    feed_problems: list[str] = field(default_factory=list)
    cross_node: dict[str, int] = field(default_factory=dict)
    cross_node_failures: list[str] = field(default_factory=list)
    kill: Kill | None = None

    def problems(self) -> list[str]:
        found = [
            *self.failures_outside_kill,
            *self.over_capacity,
            *self.taken_mismatch,
            *self.mail_problems,
            *self.feed_problems,
            *self.cross_node_failures,
        ]
        if self.cross_node and not self.cross_node.get("consistent"):
            found.append(f"no cross-node check completed: {self.cross_node}")
        return found


def drive(
    layout: Layout,
    people: Cast,
    *,
    users: int,
    seconds: float,
    kill_at: float | None = None,
    after_restart: float = 2.0,
    hello: bool = False,
) -> tuple[Load, Kill | None, float]:
    """The load for `seconds`; with kill_at (seconds after the start), app
    server 1 and scheduler 1 get SIGKILL then and are started again, and the
    load goes on for at least `after_restart` seconds once it answers."""
    load = Load(layout, people, users=users, hello=hello).start()
    started = time.monotonic()
    kill = None
    try:
        if kill_at is not None:
            load.stop.wait(kill_at)
            kill = Kill(at=time.monotonic())
            layout.kill_web(0)
            layout.kill_scheduler(0)
            layout.start_web(0, wait=False)
            layout.start_scheduler(0)
            layout.wait_web(0)
            kill.restarted_after = time.monotonic() - kill.at
            # Some load on the restarted server too, however long it took.
            seconds = max(seconds, time.monotonic() - started + after_restart)
        load.stop.wait(max(0.0, started + seconds - time.monotonic()))
    finally:
        load.finish()
    return load, kill, time.monotonic() - started


def summarize(load: Load, kill: Kill | None, seconds: float) -> Report:
    answers = load.answers
    report = Report(
        seconds=seconds,
        requests=len(answers),
        per_second=len(answers) / seconds if seconds else 0.0,
        statuses=dict(sorted(Counter(str(a.status) for a in answers).items())),
        per_kind=dict(sorted(Counter(a.kind for a in answers).items())),
        cross_node=dict(load.cross_node),
        cross_node_failures=list(load.cross_node_failures),
        kill=kill,
    )
    took: dict[str, list[float]] = {}
    for answer in answers:
        took.setdefault(answer.kind, []).append((answer.ended - answer.started) * 1000)
    report.median_ms = {kind: round(median(values), 1) for kind, values in sorted(took.items())}
    for answer in answers:
        if answer.kind == "checker":
            # Sent to one app server directly, not through nginx: while that
            # server is down nothing answers, and the check is skipped.
            continue
        in_flight = kill is not None and answer.started <= kill.at <= answer.ended
        report.in_flight_at_kill += in_flight
        if answer.status == 0 or answer.status >= 500:
            if in_flight:
                report.in_flight_failed += 1
            elif (
                kill is not None
                and answer.status == 502
                and answer.method == "POST"
                and 0 <= answer.started - kill.at <= AFTER_KILL_SECONDS
            ):
                report.failed_just_after_kill += 1
            else:
                when = answer.started - (kill.at if kill else answer.started)
                report.failures_outside_kill.append(
                    f"{answer.method} {answer.kind} answered {answer.status or 'nothing'} "
                    f"({when:+.2f} s from the kill)"
                )
    return report


def check_database(report: Report, database_url: str) -> None:
    """No slot over capacity; `taken` is the sum of its holding bookings."""
    import psycopg

    plain = database_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(plain) as connection:
        rows = connection.execute(
            """
            SELECT slot.id, slot.capacity, slot.taken, coalesce(sum(booking.group_size)
                   FILTER (WHERE booking.status IN ('requested', 'confirmed', 'completed')), 0)
            FROM slot LEFT JOIN booking ON booking.slot_id = slot.id
            GROUP BY slot.id
            """
        ).fetchall()
    for slot_id, capacity, taken, held in rows:
        if taken > capacity:
            report.over_capacity.append(f"slot {slot_id}: {taken} taken of {capacity}")
        if taken != held:
            report.taken_mismatch.append(f"slot {slot_id}: taken {taken}, bookings hold {held}")


def wait_for_mail(database_url: str, seconds: float) -> None:
    """Until no mail is due and unsent (the schedulers have sent it)."""
    import psycopg

    plain = database_url.replace("postgresql+psycopg://", "postgresql://")
    deadline = time.monotonic() + seconds
    with psycopg.connect(plain, autocommit=True) as connection:
        while True:
            due = connection.execute(
                "SELECT count(*) FROM outgoing_mail "
                "WHERE status = 'pending' AND due_at <= now() AT TIME ZONE 'utc'"
            ).fetchone()[0]
            if not due or time.monotonic() > deadline:
                return
            time.sleep(0.1)


def check_mail(report: Report, database_url: str, received_ids: list[int]) -> None:
    """Every due mail sent, and received by the SMTP server exactly once."""
    import psycopg

    plain = database_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(plain) as connection:
        rows = connection.execute(
            "SELECT id, status FROM outgoing_mail WHERE due_at <= now() AT TIME ZONE 'utc'"
        ).fetchall()
    sent = {mail_id for mail_id, status in rows if status == "sent"}
    report.mails_sent = len(sent)
    report.mails_received = len(received_ids)
    unsent = sorted(mail_id for mail_id, status in rows if status != "sent")
    if unsent:
        report.mail_problems.append(f"{len(unsent)} due mails not sent: {unsent[:10]}")
    counts = Counter(received_ids)
    twice = sorted(mail_id for mail_id, n in counts.items() if n > 1)
    if twice:
        report.mail_problems.append(f"received more than once: {twice[:10]}")
    missing = sorted(sent - set(counts))
    if missing:
        report.mail_problems.append(f"marked sent, never received: {missing[:10]}")
    unknown = sorted(set(counts) - sent)
    if unknown:
        report.mail_problems.append(f"received, not marked sent: {unknown[:10]}")
    if not sent:
        report.mail_problems.append("the load made no mail at all")


_EVENT = re.compile(r"BEGIN:VEVENT(.*?)END:VEVENT", re.S)


def _field(event: str, name: str) -> str | None:
    found = re.search(rf"^{name}[;:](?:[^\r\n]*:)?([^\r\n]*)", event, re.M)
    return found.group(1) if found else None


def check_feeds(report: Report, layout: Layout, people: Cast, database_url: str) -> None:
    """Each school's feed, from every app server: the same document, and every
    booking in it has the status and revision the database has; every booking
    the load made for that school is in it."""
    import psycopg

    plain = database_url.replace("postgresql+psycopg://", "postgresql://")
    status_of = {"requested": "TENTATIVE", "confirmed": "CONFIRMED", "completed": "CONFIRMED"}
    with psycopg.connect(plain) as connection:
        for teacher in people.teachers:
            bodies = []
            for port in layout.ports:
                client = Client(port)
                status, _, data = client.request("GET", teacher["feed"])
                client.close()
                if status != 200:
                    report.feed_problems.append(f"feed of school {teacher['school_id']}: {status}")
                    continue
                bodies.append(data.decode().replace("\r\n ", ""))
            if not bodies:
                continue
            report.feeds_checked += 1
            if any(body != bodies[0] for body in bodies):
                report.feed_problems.append(
                    f"school {teacher['school_id']}: the app servers serve different feeds"
                )
            events = {}
            for event in _EVENT.findall(bodies[0]):
                uid = _field(event, "UID") or ""
                if uid.startswith("booking-"):
                    booking_id = int(uid.split("@")[0].removeprefix("booking-"))
                    events[booking_id] = (_field(event, "STATUS"), int(_field(event, "SEQUENCE")))
            rows = connection.execute(
                "SELECT id, status, revision, "
                "created_at > now() AT TIME ZONE 'utc' - interval '1 hour' "
                "FROM booking WHERE school_id = %s",
                (teacher["school_id"],),
            ).fetchall()
            for booking_id, status, revision, recent in rows:
                expected = (status_of.get(status, "CANCELLED"), revision)
                if booking_id in events and events[booking_id] != expected:
                    report.feed_problems.append(
                        f"booking {booking_id} ({status}, revision {revision}) shows as "
                        f"{events[booking_id]} in its school's feed"
                    )
                if recent and status != "waitlisted" and booking_id not in events:
                    report.feed_problems.append(f"booking {booking_id} is not in its school's feed")


def verify(
    load: Load,
    kill: Kill | None,
    seconds: float,
    layout: Layout,
    people: Cast,
    database_url: str,
    received_ids,
    *,
    mail_seconds: float = 30,
) -> Report:
    report = summarize(load, kill, seconds)
    check_database(report, database_url)
    wait_for_mail(database_url, mail_seconds)
    check_mail(report, database_url, received_ids())
    check_feeds(report, layout, people, database_url)
    return report


def describe(report: Report) -> str:
    lines = [
        f"{report.requests} requests in {report.seconds:.1f} s ({report.per_second:.1f}/s), "
        f"statuses {report.statuses}",
        f"per kind {report.per_kind}",
        f"median ms per kind {report.median_ms}",
    ]
    if report.kill:
        lines.append(
            f"kill: {report.in_flight_at_kill} requests in flight, {report.in_flight_failed} "
            f"of them failed, {report.failed_just_after_kill} POSTs just after it answered "
            f"502; app server 1 answered again after "
            f"{report.kill.restarted_after:.1f} s"
        )
    lines.append(
        f"mail: {report.mails_sent} sent, {report.mails_received} received; "
        f"feeds checked {report.feeds_checked}; cross-node {report.cross_node}"
    )
    problems = report.problems()
    lines += [f"PROBLEM: {p}" for p in problems[:40]]
    return "\n".join(lines)
