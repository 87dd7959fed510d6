"""Load test: the app under gunicorn against a hello-world app, in alternating rounds.

    python -m bench load --database-url sqlite:///instance/bench.db [--rounds 3]
    python -m bench.load rounds --database-url sqlite:///instance/bench.db

Both servers run with the project's settings (`gunicorn --workers 2 --threads 4`,
as scripts/run.sh) on 127.0.0.1 and a free port, and wrk measures each scenario
at the same number of connections: first a warm-up, then the measured run. In
each round hello world is measured on a fresh server, then every scenario of
the app in turn on another fresh one; each scenario is compared with its own
round's hello world. What the scenarios send is drawn per request
(bench/workload.py). The booking scenario books for real: it runs once, after
the rounds, and is followed by a check that no slot holds more than its
capacity. docs/PERFORMANCE.md says why it is measured this way.
"""

from __future__ import annotations

import json
import os
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
from http.cookiejar import CookieJar
from pathlib import Path
from statistics import median

from bench.clocks import ServerClock, process_tree_seconds
from bench.workload import SECRET_KEY, Workload, check_sessions, prepare, write_requests

ROOT = Path(__file__).resolve().parent.parent
REPORT_LUA = Path(__file__).with_name("report.lua")
GUNICORN_SETTINGS = ["--workers", "2", "--threads", "4"]
CATALOGUE_FILTERED = "/catalogue?kind=workshop&profile=PIE&year=3&free=1"
# Anonymous visitors of the one-address scenario, each with a session of their
# own; wrk's connections take their requests in turn.
VISITORS = 100

__all__ = ["write_requests"]  # the request-file format, for the tests


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
    # on what else runs on the machine.
    server_cpu_ms: float | None = None
    # The same of a local PostgreSQL server's processes (None on SQLite, whose
    # work is inside the server's CPU).
    db_cpu_ms: float | None = None
    # Answers that set a cookie: a read that writes the session.
    set_cookies: int = 0
    round: int | None = None
    key: str = ""
    scale: str = ""
    backend: str = ""
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
        return process_tree_seconds(self.process.pid)

    def log_tail(self, size: int = 2000) -> str:
        return self.log.read_text()[-size:] if self.log.exists() else ""

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
    database: ServerClock | None = None,
    echo=print,
) -> Result:
    url = base + path
    if warmup:
        wrk(url, warmup, connections, headers, requests_file)
    cpu_before = server.cpu_seconds() if server else None
    db_before = database.seconds() if database else None
    raw = wrk(url, duration, connections, headers, requests_file)
    cpu_after = server.cpu_seconds() if server else None
    db_after = database.seconds() if database else None
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
        set_cookies=raw.get("set_cookies", 0),
    )
    if server and raw["requests"]:
        result.server_cpu_ms = (cpu_after - cpu_before) * 1000 / raw["requests"]
    if db_before is not None and db_after is not None and raw["requests"]:
        result.db_cpu_ms = (db_after - db_before) * 1000 / raw["requests"]
    if server and not raw["requests"]:
        result.notes.append("no answers; the end of the server's log:\n" + server.log_tail())
    cpu = f", server CPU {result.server_cpu_ms:.2f} ms/req" if result.server_cpu_ms else ""
    if result.db_cpu_ms is not None:
        cpu += f" + database {result.db_cpu_ms:.2f}"
    echo(
        f"  {name:<38} {result.requests_per_s:9.1f} req/s  p50 {result.p50_ms:7.1f} ms  "
        f"p95 {result.p95_ms:7.1f} ms  p99 {result.p99_ms:7.1f} ms  "
        f"load {result.load_average:4.1f}{cpu}  {result.statuses}"
        + (f" set-cookie {result.set_cookies}" if result.set_cookies else "")
        + (
            f" errors {result.socket_errors} timeouts {result.timeouts}"
            if result.socket_errors or result.timeouts
            else ""
        )
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


def visitor_cookies(base: str, path: str, visitors: int = VISITORS) -> list[str]:
    """The Cookie header of each of `visitors` anonymous visitors, as their
    browsers hold it after two pages: each visitor has a session of their own
    (with their own CSRF token), and the second page is where the session
    settles (Flask-Login marks a session it did not start as not fresh, once).
    Resending one visitor's first cookie for everybody measured one visitor
    whose session was rewritten on every request."""
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


SCENARIOS = (
    "hello",
    "catalogue",
    "catalogue-teacher",
    "catalogue-htmx",
    "activity",
    "my-bookings",
    "incoming",
    "api-activities",
    "booking",
)
NAMES = {
    "hello": "hello world",
    "catalogue": "catalogue, one address, anonymous",
    "catalogue-teacher": "catalogue, teacher, random filters",
    "catalogue-htmx": "catalogue, teacher, random filters, htmx",
    "activity": "activity page, teacher",
    "my-bookings": "Mijn boekingen (school, ~600 bookings)",
    "incoming": "incoming bookings (company, ~200)",
    "api-activities": "API activities, random filters",
    "booking": "API booking (POST)",
}
# Measured in every round, in this order, after hello world.
ROUND_SCENARIOS = (
    "hello",
    "catalogue",
    "catalogue-teacher",
    "activity",
    "my-bookings",
    "incoming",
    "api-activities",
)
# Issue 16: throughput against hello world, and the catalogue's p95 per backend.
RATIO_TARGETS = {
    "catalogue-teacher": 0.20,
    "activity": 0.20,
    "my-bookings": 0.20,
    "incoming": 0.20,
    "api-activities": 0.25,
}
P95_TARGETS = {("catalogue-teacher", "sqlite"): 100, ("catalogue-teacher", "postgresql"): 150}
BOOKINGS_PER_S_TARGET = 200


def _app_env(database_url: str) -> dict[str, str]:
    return {
        "TECHNIEKPOORT_DATABASE_URL": database_url,
        "TECHNIEKPOORT_SECRET_KEY": SECRET_KEY,
        # The bench signs in hundreds of people from one address, and books
        # thousands of times with eight tokens.
        "TECHNIEKPOORT_RATELIMITS": "off",
    }


def _measure_app(
    key: str,
    server: Gunicorn,
    work: Path,
    workload: Workload,
    options: dict,
    database: ServerClock | None,
) -> Result:
    """One scenario of the app (anything but hello world and booking)."""
    if key == "catalogue":
        # Anonymous visitors of one address, each with a session of their own:
        # the catalogue cache's best case, for comparison.
        requests = write_requests(
            work / "visitors.tsv",
            [
                ("GET", CATALOGUE_FILTERED, "", [f"Cookie: {cookie}"])
                for cookie in visitor_cookies(server.base, CATALOGUE_FILTERED)
            ],
        )
        path = CATALOGUE_FILTERED
    else:
        requests = workload.file(key)
        check_sessions(server.base, requests)
        path = requests.read_text().split("\n", 1)[0].split("\t")[1]
    result = measure(
        NAMES[key],
        server.base,
        path,
        requests_file=requests,
        server=server,
        database=database,
        **options,
    )
    result.key = key
    if key in workload.notes:
        result.notes.append(workload.notes[key])
    return result


def _start(what: str, database_url: str, work: Path, settings: list[str]) -> Gunicorn:
    if what == "hello":
        return Gunicorn("bench.hello:app", {}, work, settings=settings)
    return Gunicorn(
        "wsgi:app", _app_env(database_url), work, ready_path="/healthz", settings=settings
    )


def _announce(echo, connections: int, warmup: int, duration: int, settings: list[str]) -> None:
    echo(
        f"Load test: {connections} connections, {warmup} s warm-up + {duration} s per scenario, "
        f"gunicorn {' '.join(settings)}, {os.cpu_count()} CPUs, "
        f"load average {os.getloadavg()[0]:.1f}"
    )
    if os.getloadavg()[0] > (os.cpu_count() or 1):
        echo(
            "  note: other work shares the CPUs, so absolute figures will be low "
            "(the ratios and the CPU per request less so)"
        )


def rounds(
    database_url: str,
    count: int = 3,
    only: tuple[str, ...] = ROUND_SCENARIOS,
    duration: int = 10,
    warmup: int = 3,
    connections: int = 16,
    output: str | None = None,
    gunicorn: list[str] | None = None,
    echo=print,
) -> list[Result]:
    """Rounds of measurements that take turns with hello world: in each round
    hello world on a fresh server, then the app's scenarios in turn on another
    fresh one; the ratio of each to its own round's hello world and the server
    CPU per request are summed up as medians over the rounds. When "booking"
    is asked for it runs once after the rounds (it changes the data), followed
    by the capacity check.

    On a machine shared with other work one run says little: a server now and
    then settles into a slow pace for a whole measurement, and other processes
    take CPU from one scenario and not from the next."""
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: apt-get install -y wrk")
    settings = gunicorn or GUNICORN_SETTINGS
    work = Path(tempfile.mkdtemp(prefix="tp-bench-"))
    options = {"duration": duration, "warmup": warmup, "connections": connections, "echo": echo}
    _announce(echo, connections, warmup, duration, settings)
    results: list[Result] = []
    database = ServerClock(database_url)
    try:
        workload = prepare(database_url, work, [k for k in only if k != "hello"], echo=echo)
        app_keys = [k for k in only if k not in ("hello", "booking")]
        for number in range(1, count + 1):
            echo(f"round {number} of {count}")
            hello_rps = None
            if "hello" in only:
                with _start("hello", database_url, work, settings) as server:
                    result = measure(NAMES["hello"], server.base, "/", server=server, **options)
                result.key, result.round, result.ratio_to_hello = "hello", number, 1.0
                hello_rps = result.requests_per_s
                results.append(result)
            if not app_keys:
                continue
            with _start("app", database_url, work, settings) as server:
                for key in app_keys:
                    result = _measure_app(key, server, work, workload, options, database)
                    result.round = number
                    if hello_rps:
                        result.ratio_to_hello = result.requests_per_s / hello_rps
                    results.append(result)
            if output:
                Path(output).write_text(json.dumps([asdict(r) for r in results], indent=2))
        if "booking" in only:
            results.append(book(database_url, work, workload, settings, options, database))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    echo("")
    echo(rounds_table(results))
    if output:
        Path(output).write_text(json.dumps([asdict(r) for r in results], indent=2) + "\n")
    return results


def book(
    database_url: str,
    work: Path,
    workload: Workload,
    settings,
    options,
    database: ServerClock | None,
) -> Result:
    """POST /api/v1/slots/<id>/bookings cycling over the prepared requests,
    then the capacity check of the slots it booked."""
    requests = workload.file("booking")
    with _start("app", database_url, work, settings) as server:
        result = measure(
            NAMES["booking"],
            server.base,
            "/api/v1/slots/{id}/bookings",
            requests_file=requests,
            server=server,
            database=database,
            **options,
        )
    result.key = "booking"
    result.notes.append(workload.notes["booking"])
    over, unequal = capacity_check(database_url, requests)
    result.notes.append(
        f"capacity check: {over} slots over capacity, {unequal} whose places "
        "differ from their bookings"
    )
    options["echo"](f"  {result.notes[-1]}")
    return result


def capacity_check(database_url: str, requests_file: Path) -> tuple[int, int]:
    """Of the slots the booking scenario asked for: how many hold more than
    their capacity, and how many have `taken` different from the group sizes
    of their bookings that hold places."""
    from sqlalchemy import create_engine, text

    ids = sorted({int(m) for m in re.findall(r"/slots/(\d+)/bookings", requests_file.read_text())})
    engine = create_engine(database_url)
    over = unequal = 0
    try:
        with engine.connect() as connection:
            for start in range(0, len(ids), 500):
                chunk = ids[start : start + 500]
                rows = connection.execute(
                    text(
                        "SELECT s.id, s.taken, s.capacity, "
                        "(SELECT coalesce(sum(b.group_size), 0) FROM booking b"
                        " WHERE b.slot_id = s.id"
                        " AND b.status IN ('requested', 'confirmed', 'completed')) "
                        f"FROM slot s WHERE s.id IN ({', '.join(map(str, chunk))})"
                    )
                ).all()
                over += sum(1 for _, taken, capacity, _ in rows if taken > capacity)
                unequal += sum(1 for _, taken, _, held in rows if taken != held)
    finally:
        engine.dispose()
    return over, unequal


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
        db_cpu = [r.db_cpu_ms for r in rows if r.db_cpu_ms is not None]
        cpu_ratios = [
            hello[r.round].server_cpu_ms / r.server_cpu_ms
            for r in rows
            if r.server_cpu_ms and r.round in hello and hello[r.round].server_cpu_ms
        ]
        loads = [r.load_average for r in rows]
        cpu_text = f"{median(cpu):.2f} ms" if cpu else ""
        if db_cpu:
            cpu_text += f" + {median(db_cpu):.2f} ms database"
        lines.append(
            f"| {name} | {median(rps):,.0f} ({min(rps):,.0f}-{max(rps):,.0f}) "
            f"| {_percent(ratios)} | {median(p95):.1f} ({max(p95):.1f}) "
            f"| {cpu_text} | {_percent(cpu_ratios, ranged=False)} "
            f"| {min(loads):.1f}-{max(loads):.1f} |"
        )
    return "\n".join(lines)


def _percent(ratios: list[float], ranged: bool = True) -> str:
    if not ratios:
        return ""
    if not ranged or len(ratios) == 1:
        return f"{median(ratios):.0%}"
    return f"{median(ratios):.0%} ({min(ratios):.0%}-{max(ratios):.0%})"


def main(argv: list[str] | None = None) -> None:
    """python -m bench.load rounds --database-url URL [--rounds 3] [--only hello,catalogue]"""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m bench.load")
    commands = parser.add_subparsers(dest="command", required=True)
    alternate = commands.add_parser("rounds", help="measurements in turn with hello world")
    add_arguments(alternate)
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


def add_arguments(parser) -> None:
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=int, default=10, help="seconds per measurement")
    parser.add_argument("--warmup", type=int, default=3, help="seconds of warm-up")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument(
        "--only",
        default=",".join(ROUND_SCENARIOS),
        help=f"comma-separated, hello first: {','.join(SCENARIOS)}",
    )
    parser.add_argument("--output", default=None, help="also write the results as JSON here")
    parser.add_argument(
        "--gunicorn",
        default=None,
        help='other gunicorn settings for an experiment, e.g. "--workers 4 --threads 1"',
    )


if __name__ == "__main__":
    main()
