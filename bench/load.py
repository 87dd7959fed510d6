"""Load test: the app under gunicorn against a hello-world app, in one run.

    python -m bench load --database-url sqlite:///instance/bench.db

Both servers run with the project's settings (`gunicorn --workers 2 --threads 4`,
as scripts/run.sh) on 127.0.0.1 and a free port, one after the other, and wrk
measures each scenario at the same number of connections: first a warm-up, then
the measured run. The booking scenario books for real: run it on a dataset made
for the benchmark, and make a fresh one to repeat a run exactly.
"""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import asdict, dataclass, field
from datetime import timedelta
from http.cookiejar import CookieJar
from pathlib import Path

from bench.generate import BENCH_PASSWORD

ROOT = Path(__file__).resolve().parent.parent
REPORT_LUA = Path(__file__).with_name("report.lua")
GUNICORN_SETTINGS = ["--workers", "2", "--threads", "4"]
CATALOGUE_FILTERED = "/catalogue?kind=workshop&profile=PIE&year=3&free=1"
API_ACTIVITIES = "/api/v1/activities?kind=workshop&profile=PIE&year=3&free=true"
TOKENS = 8
BOOKING_TARGETS = 3000


@dataclass
class Result:
    name: str
    path: str
    requests_per_s: float
    p50_ms: float
    p90_ms: float
    p95_ms: float
    p99_ms: float
    statuses: dict[str, int]
    socket_errors: int
    timeouts: int
    # The 1-minute load average at the end of the run: other work on the
    # machine takes CPU from the server and from wrk alike.
    load_average: float = 0.0
    ratio_to_hello: float | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def non_2xx(self) -> int:
        return sum(n for status, n in self.statuses.items() if not status.startswith("2"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Gunicorn:
    """One gunicorn master (and its workers), started and stopped by us."""

    def __init__(
        self,
        app: str,
        env: dict[str, str],
        log_dir: Path,
        ready_path: str = "/",
        settings: list[str] = GUNICORN_SETTINGS,
    ):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = log_dir / f"gunicorn-{app.replace(':', '-')}.log"
        self.command = [
            str(Path(sys.executable).with_name("gunicorn")),
            *settings,
            "--bind",
            f"127.0.0.1:{self.port}",
            "--error-logfile",
            str(self.log),
            app,
        ]
        self.env = {**os.environ, **env}
        self.ready_path = ready_path
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> Gunicorn:
        self.process = subprocess.Popen(
            self.command,
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(
                    f"gunicorn stopped at start; see {self.log}:\n{self.log.read_text()[-3000:]}"
                )
            try:
                with urllib.request.urlopen(self.base + self.ready_path, timeout=2):
                    return self
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.2)
        self.__exit__()
        raise SystemExit(f"gunicorn did not answer within 60 s; see {self.log}")

    def __exit__(self, *exc) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def wrk(
    url: str,
    duration: int,
    connections: int,
    headers: tuple[str, ...] = (),
    requests_file: Path | None = None,
) -> dict:
    command = [
        "wrk",
        f"-t{min(2, connections)}",
        f"-c{connections}",
        f"-d{duration}s",
        "--timeout",
        "10s",
        "-s",
        str(REPORT_LUA),
    ]
    for header in headers:
        command += ["-H", header]
    command.append(url)
    if requests_file is not None:
        command += ["--", str(requests_file)]
    completed = subprocess.run(command, capture_output=True, text=True, check=True)
    for line in completed.stdout.splitlines():
        if line.startswith("WRK_JSON "):
            return json.loads(line.removeprefix("WRK_JSON "))
    raise RuntimeError(f"wrk printed no summary:\n{completed.stdout}\n{completed.stderr}")


def measure(
    name: str,
    base: str,
    path: str,
    *,
    duration: int,
    warmup: int,
    connections: int,
    headers: tuple[str, ...] = (),
    requests_file: Path | None = None,
    echo=print,
) -> Result:
    url = base + path
    if warmup:
        wrk(url, warmup, connections, headers, requests_file)
    raw = wrk(url, duration, connections, headers, requests_file)
    result = Result(
        name=name,
        path=path,
        requests_per_s=raw["requests"] / (raw["duration_us"] / 1e6),
        p50_ms=raw["p50_us"] / 1000,
        p90_ms=raw["p90_us"] / 1000,
        p95_ms=raw["p95_us"] / 1000,
        p99_ms=raw["p99_us"] / 1000,
        statuses={str(k): v for k, v in sorted(raw["statuses"].items())},
        socket_errors=raw["socket_errors"],
        timeouts=raw["timeouts"],
        load_average=os.getloadavg()[0],
    )
    echo(
        f"  {name:<34} {result.requests_per_s:8.0f} req/s   p50 {result.p50_ms:6.1f} ms   "
        f"p95 {result.p95_ms:6.1f} ms   p99 {result.p99_ms:6.1f} ms   "
        f"load {result.load_average:.1f}   statuses {result.statuses}"
    )
    return result


def login_cookie(base: str, email: str, password: str) -> str:
    """Signs in through the login form (with its CSRF token) and returns the
    Cookie header value of the session."""
    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(base + "/login", timeout=10).read().decode()
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', page
    )
    form = {"email": email, "password": password}
    if match:
        form["csrf_token"] = match.group(1)
    opener.open(base + "/login", urllib.parse.urlencode(form).encode(), timeout=10).read()
    cookies = "; ".join(f"{c.name}={c.value}" for c in jar)
    if "session=" not in cookies:
        raise RuntimeError(f"signing in as {email} gave no session cookie")
    return cookies


def prepare_bookings(database_url: str, work: Path, seed: int = 7) -> tuple[Path, str, int]:
    """API tokens for a few teachers, and a file of booking requests for future
    slots that those teachers' schools may book (right year, path and profile,
    outside their holidays, past the minimum notice). Returns the file, the
    e-mail address of a teacher to sign in as, and the number of requests."""
    from sqlalchemy import select
    from sqlalchemy.orm import aliased

    from app import create_app
    from app.accounts.models import Membership, Organisation, User
    from app.accounts.service import create_api_token
    from app.catalogue.models import Activity, Slot
    from app.extensions import db
    from app.holidays.service import holiday_dates
    from app.timeutil import to_local, utcnow

    rng = random.Random(seed)
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url})
    with app.app_context():
        teachers = db.session.execute(
            select(User, Organisation)
            .join(Membership, Membership.user_id == User.id)
            .join(Organisation, Organisation.id == Membership.organisation_id)
            .where(
                Membership.role == "teacher",
                Organisation.status == "approved",
                Organisation.latitude.is_not(None),
            )
            .order_by(User.id)
            .limit(TOKENS)
        ).all()
        if not teachers:
            raise SystemExit(
                "No teachers in this database: make it with `python -m bench generate`."
            )
        tokens = [(create_api_token(user, "bench")[1], school) for user, school in teachers]
        db.session.commit()

        now = utcnow()
        company = aliased(Organisation)
        candidates = db.session.execute(
            select(Slot.id, Slot.starts_at, Activity)
            .join(Slot.activity)
            .join(company, Activity.company)
            .where(
                Slot.status == "open",
                Slot.starts_at > now + timedelta(days=16),
                Activity.status == "published",
                company.status == "approved",
            )
            .order_by(Slot.id)
        ).all()
        first, last = to_local(now).date(), to_local(now).date() + timedelta(days=400)
        holidays = {
            school.holiday_region: holiday_dates(school.holiday_region, first, last)
            for _, school in tokens
        }
        lines = []
        for slot_id, starts_at, activity in rng.sample(
            candidates, min(len(candidates), 4 * BOOKING_TARGETS)
        ):
            token, school = rng.choice(tokens)
            if to_local(starts_at).date() in holidays[school.holiday_region]:
                continue
            year = rng.choice(sorted(activity.years))
            profiles = sorted(activity.profiles)
            body = {
                "group_size": rng.randint(
                    min(6, activity.max_group_size), min(15, activity.max_group_size)
                ),
                "year": year,
                "path": rng.choice(sorted(activity.paths)),
                "accept_waitlist": rng.random() < 0.5,
            }
            if year in ("3", "4") and profiles:
                body["profile"] = rng.choice(profiles)
            lines.append(f"POST\t/api/v1/slots/{slot_id}/bookings\t{token}\t{json.dumps(body)}")
            if len(lines) == BOOKING_TARGETS:
                break
        teacher_email = teachers[0][0].email
        db.engine.dispose()
    requests_file = work / "bookings.tsv"
    requests_file.write_text("\n".join(lines) + "\n")
    requests_file.chmod(0o600)
    return requests_file, teacher_email, len(lines)


def visitor_cookie(base: str) -> str:
    """The session cookie a browser holds after its first page: without it every
    request would mint a new CSRF token and session, which no browser causes."""
    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    opener.open(base + "/catalogue", timeout=10).read()
    return "; ".join(f"{c.name}={c.value}" for c in jar)


SCENARIOS = (
    "hello",
    "catalogue",
    "catalogue-unfiltered",
    "catalogue-teacher",
    "catalogue-htmx",
    "api-activities",
    "booking",
)


def run(
    database_url: str,
    duration: int = 20,
    warmup: int = 5,
    connections: int = 16,
    output: str | None = None,
    only: tuple[str, ...] = SCENARIOS,
    gunicorn: list[str] | None = None,
    echo=print,
) -> list[Result]:
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: apt-get install -y wrk")
    settings = gunicorn or GUNICORN_SETTINGS
    work = Path(tempfile.mkdtemp(prefix="tp-bench-"))
    options = {"duration": duration, "warmup": warmup, "connections": connections, "echo": echo}
    echo(
        f"Load test: {connections} connections, {warmup} s warm-up + {duration} s per scenario, "
        f"gunicorn {' '.join(settings)}, {os.cpu_count()} CPUs"
    )
    if os.getloadavg()[0] > (os.cpu_count() or 1):
        echo(
            f"  note: the load average is {os.getloadavg()[0]:.1f} before the run: other work "
            "shares the CPUs, so absolute figures will be low (the ratios less so)"
        )
    results: list[Result] = []
    try:
        requests_file, teacher, targets = prepare_bookings(database_url, work)
        with Gunicorn("bench.hello:app", {}, work, settings=settings) as hello:
            results.append(measure("hello world", hello.base, "/", **options))
        env = {
            "TECHNIEKPOORT_DATABASE_URL": database_url,
            "TECHNIEKPOORT_SECRET_KEY": "bench-secret-key-not-for-production",
        }
        with Gunicorn("wsgi:app", env, work, ready_path="/healthz", settings=settings) as server:
            visitor = f"Cookie: {visitor_cookie(server.base)}"
            teacher_cookie = f"Cookie: {login_cookie(server.base, teacher, BENCH_PASSWORD)}"
            plan = {
                "catalogue": ("catalogue, filtered", CATALOGUE_FILTERED, (visitor,)),
                "catalogue-unfiltered": ("catalogue, unfiltered", "/catalogue", (visitor,)),
                "catalogue-teacher": (
                    "catalogue, filtered, teacher",
                    CATALOGUE_FILTERED,
                    (teacher_cookie,),
                ),
                "catalogue-htmx": (
                    "catalogue, filtered, teacher, htmx",
                    CATALOGUE_FILTERED,
                    (teacher_cookie, "HX-Request: true"),
                ),
                "api-activities": ("API activities, filtered", API_ACTIVITIES, ()),
            }
            for key, (name, path, headers) in plan.items():
                if key in only:
                    results.append(measure(name, server.base, path, headers=headers, **options))
            if "booking" in only:
                booking = measure(
                    "API booking (POST)",
                    server.base,
                    "/api/v1/slots/{id}/bookings",
                    requests_file=requests_file,
                    **options,
                )
                booking.notes.append(f"cycling over {targets} slots with {TOKENS} tokens")
                results.append(booking)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    hello_rps = results[0].requests_per_s
    for result in results:
        result.ratio_to_hello = result.requests_per_s / hello_rps
    echo("")
    echo(markdown_table(results))
    if output:
        Path(output).write_text(json.dumps([asdict(r) for r in results], indent=2) + "\n")
    return results


def markdown_table(results: list[Result]) -> str:
    lines = [
        "| scenario | req/s | vs hello | p50 ms | p95 ms | p99 ms | load | answers |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for r in results:
        answers = ", ".join(f"{status}: {n}" for status, n in r.statuses.items())
        if r.socket_errors or r.timeouts:
            answers += f"; socket errors {r.socket_errors}, timeouts {r.timeouts}"
        lines.append(
            f"| {r.name} | {r.requests_per_s:,.0f} | {r.ratio_to_hello:.0%} | {r.p50_ms:.1f} | "
            f"{r.p95_ms:.1f} | {r.p99_ms:.1f} | {r.load_average:.1f} | {answers} |"
        )
    return "\n".join(lines)
