"""Load test: the app under gunicorn against a hello-world app, in one run.

    python -m bench load --database-url sqlite:///instance/bench.db
    python -m bench.load rounds --database-url sqlite:///instance/bench.db

Both servers run with the project's settings (`gunicorn --workers 2 --threads 4`,
as scripts/run.sh) on 127.0.0.1 and a free port, one after the other, and wrk
measures each scenario at the same number of connections: first a warm-up, then
the measured run. Anonymous visitors each have a session of their own. The
booking scenario books for real: run it on a dataset made for the benchmark,
and make a fresh one to repeat a run exactly. `rounds` measures some scenarios
in turn with hello world, several times, each on a fresh server
(docs/PERFORMANCE.md says why).
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
from statistics import median

from bench.generate import BENCH_PASSWORD

ROOT = Path(__file__).resolve().parent.parent
REPORT_LUA = Path(__file__).with_name("report.lua")
GUNICORN_SETTINGS = ["--workers", "2", "--threads", "4"]
CATALOGUE_FILTERED = "/catalogue?kind=workshop&profile=PIE&year=3&free=1"
API_ACTIVITIES = "/api/v1/activities?kind=workshop&profile=PIE&year=3&free=true"
TOKENS = 8
BOOKING_TARGETS = 3000
# Anonymous visitors of the catalogue scenarios, each with a session of their
# own; wrk's connections take their requests in turn.
VISITORS = 100


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
    # CPU time (user + system) of the gunicorn master and workers during the
    # measured run, per request answered: unlike throughput it hardly depends
    # on what else runs on the machine. A database server's own CPU is not in it.
    server_cpu_ms: float | None = None
    round: int | None = None
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

    def cpu_seconds(self) -> float:
        """User + system CPU time so far of the master and its workers (Linux)."""
        pids = [self.process.pid]
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        if children.exists():
            pids += [int(pid) for pid in children.read_text().split()]
        total = 0
        for pid in pids:
            try:
                stat = Path(f"/proc/{pid}/stat").read_text()
            except FileNotFoundError:  # a worker that just stopped
                continue
            fields = stat.rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime
        return total / os.sysconf("SC_CLK_TCK")

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
    server: Gunicorn | None = None,
    echo=print,
) -> Result:
    url = base + path
    if warmup:
        wrk(url, warmup, connections, headers, requests_file)
    cpu_before = server.cpu_seconds() if server else None
    raw = wrk(url, duration, connections, headers, requests_file)
    cpu_after = server.cpu_seconds() if server else None
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
    if server and raw["requests"]:
        result.server_cpu_ms = 1000 * (cpu_after - cpu_before) / raw["requests"]
    elif server:
        result.notes.append("no answer during the measurement")
        echo(
            f"  {name}: no answer in {duration} s; the server's log ends with:\n"
            f"{server.log.read_text()[-2000:]}"
        )
    cpu = f"cpu {result.server_cpu_ms:5.2f} ms/req   " if result.server_cpu_ms else ""
    echo(
        f"  {name:<34} {result.requests_per_s:8.0f} req/s   p50 {result.p50_ms:6.1f} ms   "
        f"p95 {result.p95_ms:6.1f} ms   p99 {result.p99_ms:6.1f} ms   {cpu}"
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
            lines.append(
                (
                    "POST",
                    f"/api/v1/slots/{slot_id}/bookings",
                    json.dumps(body),
                    [f"Authorization: Bearer {token}", "Content-Type: application/json"],
                )
            )
            if len(lines) == BOOKING_TARGETS:
                break
        teacher_email = teachers[0][0].email
        db.engine.dispose()
    return write_requests(work / "bookings.tsv", lines), teacher_email, len(lines)


def visitor_cookies(base: str, path: str, visitors: int = VISITORS) -> list[str]:
    """The Cookie header of each of `visitors` anonymous visitors, as their
    browsers hold it after two pages: each visitor has a session of their own
    (with their own CSRF token), and the second page is where the session
    settles (Flask-Login marks a session it did not start as not fresh, once).
    Resending one visitor's first cookie for everybody, as this did before,
    measured one visitor whose session was rewritten on every request."""
    cookies = []
    for _ in range(visitors):
        jar = CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        for _page in range(2):
            opener.open(base + path, timeout=10).read()
        cookies.append("; ".join(f"{c.name}={c.value}" for c in jar))
    if not all("session=" in cookie for cookie in cookies):
        raise RuntimeError(f"{path} gave a visitor no session cookie")
    return cookies


def write_requests(path: Path, requests: list[tuple[str, str, str, list[str]]]) -> Path:
    """A requests file for bench/report.lua, one request a line:
    METHOD <tab> PATH <tab> BODY <tab> HEADER <tab> HEADER ... (no tabs inside)."""
    lines = [
        "\t".join([method, target, body, *headers]) for method, target, body, headers in requests
    ]
    path.write_text("\n".join(lines) + "\n")
    path.chmod(0o600)  # bearer tokens and sessions
    return path


SCENARIOS = (
    "hello",
    "catalogue",
    "catalogue-unfiltered",
    "catalogue-teacher",
    "catalogue-htmx",
    "api-activities",
    "booking",
)
NAMES = {
    "hello": "hello world",
    "catalogue": "catalogue, filtered",
    "catalogue-unfiltered": "catalogue, unfiltered",
    "catalogue-teacher": "catalogue, filtered, teacher",
    "catalogue-htmx": "catalogue, filtered, teacher, htmx",
    "api-activities": "API activities, filtered",
    "booking": "API booking (POST)",
}
ROUND_SCENARIOS = ("hello", "catalogue", "catalogue-teacher")


def _app_env(database_url: str) -> dict[str, str]:
    return {
        "TECHNIEKPOORT_DATABASE_URL": database_url,
        "TECHNIEKPOORT_SECRET_KEY": "bench-secret-key-not-for-production",
    }


def _measure_app(key: str, server: Gunicorn, work: Path, teacher: str, options: dict) -> Result:
    """One scenario of the app (anything but hello world and booking)."""
    path = "/catalogue" if key == "catalogue-unfiltered" else CATALOGUE_FILTERED
    headers: tuple[str, ...] = ()
    requests = None
    if key in ("catalogue", "catalogue-unfiltered"):
        # Anonymous visitors, each with a session of their own.
        requests = write_requests(
            work / f"visitors-{key}.tsv",
            [
                ("GET", path, "", [f"Cookie: {cookie}"])
                for cookie in visitor_cookies(server.base, path)
            ],
        )
    elif key in ("catalogue-teacher", "catalogue-htmx"):
        headers = (f"Cookie: {login_cookie(server.base, teacher, BENCH_PASSWORD)}",)
        if key == "catalogue-htmx":
            headers += ("HX-Request: true",)
    elif key == "api-activities":
        path = API_ACTIVITIES
    else:
        raise ValueError(f"unknown scenario {key}")
    return measure(
        NAMES[key],
        server.base,
        path,
        headers=headers,
        requests_file=requests,
        server=server,
        **options,
    )


def _start(what: str, database_url: str, work: Path, settings: list[str]) -> Gunicorn:
    if what == "hello":
        return Gunicorn("bench.hello:app", {}, work, settings=settings)
    return Gunicorn(
        "wsgi:app", _app_env(database_url), work, ready_path="/healthz", settings=settings
    )


def _announce(echo, connections: int, warmup: int, duration: int, settings: list[str]) -> None:
    echo(
        f"Load test: {connections} connections, {warmup} s warm-up + {duration} s per scenario, "
        f"gunicorn {' '.join(settings)}, {os.cpu_count()} CPUs"
    )
    if os.getloadavg()[0] > (os.cpu_count() or 1):
        echo(
            f"  note: the load average is {os.getloadavg()[0]:.1f} before the run: other work "
            "shares the CPUs, so absolute figures will be low (the ratios less so)"
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
    _announce(echo, connections, warmup, duration, settings)
    results: list[Result] = []
    try:
        requests_file, teacher, targets = prepare_bookings(database_url, work)
        with _start("hello", database_url, work, settings) as hello:
            results.append(measure(NAMES["hello"], hello.base, "/", server=hello, **options))
        with _start("app", database_url, work, settings) as server:
            for key in SCENARIOS:
                if key in only and key not in ("hello", "booking"):
                    results.append(_measure_app(key, server, work, teacher, options))
            if "booking" in only:
                booking = measure(
                    NAMES["booking"],
                    server.base,
                    "/api/v1/slots/{id}/bookings",
                    requests_file=requests_file,
                    server=server,
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


def rounds(
    database_url: str,
    count: int = 5,
    only: tuple[str, ...] = ROUND_SCENARIOS,
    duration: int = 10,
    warmup: int = 3,
    connections: int = 16,
    output: str | None = None,
    gunicorn: list[str] | None = None,
    echo=print,
) -> list[Result]:
    """Rounds of short measurements that take turns with hello world, each
    scenario on a freshly started gunicorn, summed up as medians.

    On a machine shared with other work one run says little: a server now and
    then settles into a slow pace for a whole measurement, and other processes
    take CPU from one scenario and not from the next. The ratio of each
    scenario to the hello world of its own round, and the server CPU per
    request, are compared over the rounds. No booking here: it changes the data."""
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: apt-get install -y wrk")
    settings = gunicorn or GUNICORN_SETTINGS
    work = Path(tempfile.mkdtemp(prefix="tp-bench-"))
    options = {"duration": duration, "warmup": warmup, "connections": connections, "echo": echo}
    _announce(echo, connections, warmup, duration, settings)
    results: list[Result] = []
    try:
        teacher = _a_teacher(database_url)
        for number in range(1, count + 1):
            echo(f"round {number} of {count}")
            hello_rps = None
            for key in only:
                with _start(
                    "hello" if key == "hello" else "app", database_url, work, settings
                ) as server:
                    if key == "hello":
                        result = measure(NAMES[key], server.base, "/", server=server, **options)
                        hello_rps = result.requests_per_s
                    else:
                        result = _measure_app(key, server, work, teacher, options)
                result.round = number
                if hello_rps:
                    result.ratio_to_hello = result.requests_per_s / hello_rps
                results.append(result)
            if output:
                Path(output).write_text(json.dumps([asdict(r) for r in results], indent=2))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    echo("")
    echo(rounds_table(results))
    return results


def _a_teacher(database_url: str) -> str:
    from sqlalchemy import create_engine, text

    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            email = connection.execute(
                text(
                    'SELECT u.email FROM "user" u JOIN membership m ON m.user_id = u.id '
                    "WHERE m.role = 'teacher' ORDER BY u.id LIMIT 1"
                )
            ).scalar()
    finally:
        engine.dispose()
    if email is None:
        raise SystemExit("No teachers in this database: make it with `python -m bench generate`.")
    return email


def rounds_table(results: list[Result]) -> str:
    """Medians (and ranges) per scenario over the rounds."""
    hello = {r.round: r for r in results if r.name == NAMES["hello"]}
    lines = [
        "| scenario | req/s, median (range) | vs hello, median (range) | p95 ms, median (max) "
        "| server CPU per request | CPU, hello / this | load |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name in dict.fromkeys(r.name for r in results):
        rows = [r for r in results if r.name == name]
        rps = [r.requests_per_s for r in rows]
        ratios = [r.ratio_to_hello for r in rows if r.ratio_to_hello is not None]
        p95 = [r.p95_ms for r in rows]
        cpu = [r.server_cpu_ms for r in rows if r.server_cpu_ms]
        cpu_ratios = [
            hello[r.round].server_cpu_ms / r.server_cpu_ms
            for r in rows
            if r.server_cpu_ms and r.round in hello and hello[r.round].server_cpu_ms
        ]
        loads = [r.load_average for r in rows]
        lines.append(
            f"| {name} | {median(rps):,.0f} ({min(rps):,.0f}-{max(rps):,.0f}) "
            f"| {_percent(ratios)} | {median(p95):.1f} ({max(p95):.1f}) "
            f"| {median(cpu):.2f} ms | {median(cpu_ratios):.0%} "
            f"| {min(loads):.1f}-{max(loads):.1f} |"
            if cpu and cpu_ratios
            else f"| {name} | {median(rps):,.0f} | {_percent(ratios)} | {median(p95):.1f} | | | |"
        )
    return "\n".join(lines)


def _percent(ratios: list[float]) -> str:
    if not ratios:
        return ""
    return f"{median(ratios):.0%} ({min(ratios):.0%}-{max(ratios):.0%})"


def markdown_table(results: list[Result]) -> str:
    lines = [
        "| scenario | req/s | vs hello | p50 ms | p95 ms | p99 ms | CPU ms/req | load | answers |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for r in results:
        answers = ", ".join(f"{status}: {n}" for status, n in r.statuses.items())
        if r.socket_errors or r.timeouts:
            answers += f"; socket errors {r.socket_errors}, timeouts {r.timeouts}"
        cpu = f"{r.server_cpu_ms:.2f}" if r.server_cpu_ms else ""
        lines.append(
            f"| {r.name} | {r.requests_per_s:,.0f} | {r.ratio_to_hello:.0%} | {r.p50_ms:.1f} | "
            f"{r.p95_ms:.1f} | {r.p99_ms:.1f} | {cpu} | {r.load_average:.1f} | {answers} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    """python -m bench.load rounds --database-url URL [--rounds 5] [--only hello,catalogue]"""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m bench.load")
    commands = parser.add_subparsers(dest="command", required=True)
    alternate = commands.add_parser("rounds", help="short measurements in turn with hello world")
    alternate.add_argument("--database-url", required=True)
    alternate.add_argument("--rounds", type=int, default=5)
    alternate.add_argument("--duration", type=int, default=10)
    alternate.add_argument("--warmup", type=int, default=3)
    alternate.add_argument("--connections", type=int, default=16)
    alternate.add_argument(
        "--only",
        default=",".join(ROUND_SCENARIOS),
        help=f"comma-separated, hello first: {','.join(SCENARIOS[:-1])}",
    )
    alternate.add_argument("--output", default=None)
    alternate.add_argument("--gunicorn", default=None)
    args = parser.parse_args(argv)
    rounds(
        args.database_url,
        args.rounds,
        tuple(args.only.split(",")),
        args.duration,
        args.warmup,
        args.connections,
        args.output,
        args.gunicorn.split() if args.gunicorn else None,
    )


if __name__ == "__main__":
    main()
