"""Calendar feed benchmark (issue 5; results in docs/PERFORMANCE.md, "Calendar feeds").

    .venv/bin/python -m bench.calendar_feeds [--duration 10] [--rounds 3] [--connections 16]
        [--database-url URL] [--output results.json] [--no-radicale] [--count-statuses]

In one run, on this machine:
- two coordinator feeds of 1,000 and 10,000 events (one slot each, every slot
  with a confirmed booking) in a fresh database (a SQLite file in a temporary
  folder unless --database-url names an empty database);
- render times in this process with empty caches, and with the rows read
  anew but the events memoised, to show the cost per event; and the cost of
  one VEVENT written by the app and by icalendar;
- per feed, a server of one fresh worker started for it: its first request
  (nothing of the feed cached in the process) and its second, each as elapsed
  time and as the CPU time the worker spent;
- the app under gunicorn with the settings of `make run` (2 workers, 4
  threads), measured with wrk in rounds that take turns: hello-world Flask
  under the same gunicorn settings (the reference), then per feed the
  repeated request (200 from the rendered body) and the conditional request
  (If-None-Match, 304). Besides requests/s, the CPU time gunicorn's workers
  spent per request, which the other work on a shared machine inflates less;
- the first request after a change (a slot of the feed rescheduled through the
  catalogue service, as a company would), timed one by one;
- Radicale (a CalDAV server from PyPI, installed into its own virtualenv under
  /tmp) serving the same 1,000 events as a calendar collection, with the same
  wrk runs: a plain GET and a GET with the ETag Radicale gave.

Nothing here is a test: the figures depend on the machine. Needs wrk.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
import urllib.request
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
SECRET = "calendar-bench-secret"
BASE_URL = "http://127.0.0.1"
SIZES = (1_000, 10_000)
RADICALE_VERSION = "3.9.0"
RADICALE_VENV = Path("/tmp/tp-radicale-venv")

# wrk's summary as JSON. Statuses are counted only with --count-statuses: to
# hand each response to Lua, wrk copies the whole body into a Lua string,
# which for a 643 KB feed costs wrk more than the server spends on the
# request (it halved the measured rate). Without it wrk still reads every
# byte; answers of 400 and above are counted (errors.status), and each run
# is preceded by one request whose status is checked (expect_status).
WRK_SUMMARY = textwrap.dedent("""
    function done(summary, latency, requests)
      local e = summary.errors
      io.write(string.format('WRK_JSON {"requests": %d, "duration_us": %d, "p50_us": %d, ' ..
        '"p99_us": %d, "errors": %d, "error_statuses": %d}\\n', summary.requests,
        summary.duration, latency:percentile(50), latency:percentile(99),
        e.connect + e.read + e.write + e.timeout, e.status))
    end
""")

WRK_STATUSES = textwrap.dedent("""
    local threads = {}
    function setup(thread) table.insert(threads, thread) end
    statuses = {}
    function init(args) statuses = {} end
    function response(status, headers, body) statuses[status] = (statuses[status] or 0) + 1 end
    function done(summary, latency, requests)
      local merged = {}
      for _, thread in ipairs(threads) do
        for status, n in pairs(thread:get("statuses")) do
          merged[status] = (merged[status] or 0) + n
        end
      end
      local parts = {}
      for status, n in pairs(merged) do parts[#parts + 1] = string.format('"%d": %d', status, n) end
      local e = summary.errors
      io.write(string.format('WRK_JSON {"requests": %d, "duration_us": %d, "p50_us": %d, ' ..
        '"p99_us": %d, "errors": %d, "error_statuses": %d, "statuses": {%s}}\\n',
        summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
        e.connect + e.read + e.write + e.timeout, e.status, table.concat(parts, ", ")))
    end
""")
COUNT_STATUSES = False
# Fresh one-worker servers per feed: one such first request is at the mercy
# of whatever else the machine does at that moment.
FRESH_WORKERS = 3


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, headers: dict | None = None, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            urllib.request.urlopen(urllib.request.Request(url, headers=headers or {}), timeout=5)
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def timed_get(url: str, headers: dict | None = None) -> tuple[float, int, int]:
    started = time.perf_counter()
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            body = response.read()
            status = response.status
    except urllib.error.HTTPError as error:
        body, status = b"", error.code
    return time.perf_counter() - started, status, len(body)


def worker_cpu_seconds(server: subprocess.Popen | None) -> float:
    """User and system CPU time of a gunicorn master's workers so far: the
    server's own cost, whatever else the machine is doing."""
    if server is None:
        return 0.0
    total = 0.0
    tick = os.sysconf("SC_CLK_TCK")
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == server.pid:  # ppid
            total += (int(fields[11]) + int(fields[12])) / tick  # utime, stime
    return total


def expect_status(url: str, status: int, headers: dict | None = None) -> None:
    _elapsed, found, _size = timed_get(url, headers)
    if found != status:
        raise SystemExit(f"{url} answered {found}, not {status}")


def wrk(
    url: str,
    *,
    duration: int,
    connections: int,
    headers: dict | None = None,
    server: subprocess.Popen | None = None,
) -> dict:
    """One wrk run; with `server`, also the CPU its workers used per request."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_STATUSES if COUNT_STATUSES else WRK_SUMMARY)
    command = [
        "wrk",
        "-t",
        "2",
        "-c",
        str(connections),
        "-d",
        f"{duration}s",
        "-s",
        script.name,
        "--timeout",
        "30s",
    ]
    for name, value in (headers or {}).items():
        command += ["-H", f"{name}: {value}"]
    cpu_before = worker_cpu_seconds(server)
    done = subprocess.run(command + [url], capture_output=True, text=True, check=True)
    cpu = worker_cpu_seconds(server) - cpu_before
    os.unlink(script.name)
    line = next(line for line in done.stdout.splitlines() if line.startswith("WRK_JSON "))
    result = json.loads(line.removeprefix("WRK_JSON "))
    result["rps"] = round(result["requests"] / (result["duration_us"] / 1e6), 1)
    result["load_average"] = round(os.getloadavg()[0], 1)
    if server is not None and result["requests"]:
        result["server_cpu_us_per_request"] = round(cpu / result["requests"] * 1e6, 1)
    return result


# --- data ----------------------------------------------------------------------------------


def seed(app) -> dict:
    """One coordinator, twenty schools, and per feed size a company whose one
    activity has that many slots, each with a confirmed booking."""
    from sqlalchemy import insert

    from app.accounts.models import Membership, Organisation, User
    from app.bookings.models import Booking
    from app.calendar import service as feeds
    from app.catalogue.models import Activity, Slot
    from app.extensions import db
    from app.timeutil import utcnow

    now = utcnow().replace(second=0, microsecond=0)
    with app.app_context():
        db.create_all()
        network = Organisation(kind="network", name="Bench network", status="approved")
        coordinator = User(email="coordinator@bench.test", name="Coordinator", locale="nl")
        db.session.add_all([network, coordinator])
        db.session.add(Membership(user=coordinator, organisation=network, role="coordinator"))
        schools = [
            Organisation(
                kind="school",
                name=f"Bench school {n}",
                status="approved",
                address=f"Schoolstraat {n}",
                postcode="7511 AB",
                city="Enschede",
                brin=f"{n:02d}BE",
                location_number="00",
            )
            for n in range(20)
        ]
        teacher = User(email="teacher@bench.test", name="Teacher", locale="nl")
        db.session.add_all([*schools, teacher])
        db.session.flush()
        feeds_by_size = {}
        for size in SIZES:
            company = Organisation(
                kind="company",
                name=f"Bench company {size}",
                status="approved",
                address="Industriestraat 1",
                postcode="7554 AB",
                city="Hengelo",
                kvk=f"{size:08d}",
                sectors=frozenset({"metal"}),
            )
            activity = Activity(
                company=company,
                kind="company_visit",
                title=f"CNC milling {size}",
                sectors=frozenset({"metal"}),
                profiles=frozenset({"PIE"}),
                years=frozenset({"3"}),
                paths=frozenset({"KB"}),
                venue="company",
                address="Industriestraat 1",
                postcode="7554 AB",
                city="Hengelo",
                status="published",
            )
            db.session.add_all([company, activity])
            db.session.flush()
            slot_rows = []
            for n in range(size):
                starts = now + timedelta(days=14, hours=n)
                slot_rows.append(
                    {
                        "activity_id": activity.id,
                        "starts_at": starts,
                        "ends_at": starts + timedelta(hours=2),
                        "capacity": 30,
                        "taken": 24,
                        "status": "open",
                        "revision": 0,
                        "created_at": now,
                        "updated_at": now,
                    }
                )
            db.session.execute(insert(Slot), slot_rows)
            slot_ids = [
                row.id
                for row in db.session.query(Slot.id)
                .filter(Slot.activity_id == activity.id)
                .order_by(Slot.id)
            ]
            db.session.execute(
                insert(Booking),
                [
                    {
                        "slot_id": slot_id,
                        "school_id": schools[n % 20].id,
                        "teacher_id": teacher.id,
                        "booked_by_id": teacher.id,
                        "group_size": 24,
                        "year": "3",
                        "path": "KB",
                        "profile": "PIE",
                        "status": "confirmed",
                        "revision": 1,
                        "remarks": "",
                        "created_at": now,
                        "updated_at": now,
                    }
                    for n, slot_id in enumerate(slot_ids)
                ],
            )
            feed = feeds.create_feed(
                coordinator,
                kind="filtered",
                name=f"Bench {size}",
                filters={"companies": [company.id]},
            )
            feeds_by_size[size] = {
                "feed_id": feed.id,
                "token": feeds.feed_token(feed),
                "slot_ids": slot_ids,
                "coordinator_id": coordinator.id,
                "contact_company": company.id,
            }
        db.session.commit()
    return feeds_by_size


def change_one_slot(app, slot_id: int) -> None:
    """What a company does: change a slot's capacity (its bookings follow)."""
    from app.catalogue import service as catalogue
    from app.catalogue.models import Slot
    from app.extensions import db

    with app.app_context():
        slot = db.session.get(Slot, slot_id)
        catalogue.reschedule_slot(slot, None, capacity=slot.capacity + 1)
        db.session.commit()


def render_times(app, feeds_by_size) -> dict:
    """In this process: a feed rendered with every cache empty (the rows read,
    the events built, each VEVENT written), then again with the rows read
    anew and the events memoised, as a worker does after a change; and, for
    comparison, the same VEVENTs written through icalendar."""
    from app.calendar import content, ics
    from app.calendar import service as feeds
    from app.calendar.models import CalendarFeed
    from app.extensions import db

    results = {}
    with app.app_context(), app.test_request_context(base_url=BASE_URL):
        for size, info in feeds_by_size.items():
            feeds.body_cache.clear()
            ics.serialize_event.cache_clear()
            content.slot_event.cache_clear()
            feed = db.session.get(CalendarFeed, info["feed_id"])
            viewer = feeds.viewer_of(feed)
            started, cpu = time.perf_counter(), time.process_time()
            body = feeds.feed_body(feed, viewer)
            cold, cold_cpu = time.perf_counter() - started, time.process_time() - cpu
            feeds.body_cache.clear()
            db.session.expire_all()
            feed = db.session.get(CalendarFeed, info["feed_id"])
            started, cpu = time.perf_counter(), time.process_time()
            feeds.feed_body(feed, viewer)
            warm, warm_cpu = time.perf_counter() - started, time.process_time() - cpu
            events = feeds.feed_events(feed, viewer)
            sample = events[:1000]
            started_reference = time.process_time()
            for event in sample:
                ics.serialize_event_with_icalendar(event)
            reference = (time.process_time() - started_reference) / len(sample)
            ics.serialize_event.cache_clear()
            started_ours = time.process_time()
            for event in sample:
                ics.serialize_event(event)
            ours = (time.process_time() - started_ours) / len(sample)
            results[size] = {
                "events": len(events),
                "bytes": len(body),
                "cold_s": round(cold, 3),
                "cold_cpu_s": round(cold_cpu, 3),
                "cold_cpu_us_per_event": round(cold_cpu / len(events) * 1e6, 1),
                "rows_read_anew_events_memoised_s": round(warm, 3),
                "rows_read_anew_events_memoised_cpu_s": round(warm_cpu, 3),
                "vevent_us": round(ours * 1e6, 1),
                "vevent_icalendar_us": round(reference * 1e6, 1),
            }
    return results


# --- servers --------------------------------------------------------------------------------


def start_gunicorn(target: str, port: int, env: dict, workers: int = 2) -> subprocess.Popen:
    return subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            "--workers",
            str(workers),
            "--threads",
            "4",
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            target,
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    process.wait(timeout=30)


def fresh_worker(env: dict, path: str) -> dict:
    """A server of one worker, started for this: its first request for the
    feed (nothing of it cached in the process) and its second, each as
    elapsed time and as the CPU time the worker spent on it (which other
    work on the machine does not inflate as much)."""
    port = free_port()
    server = start_gunicorn("wsgi:app", port, env, workers=1)
    try:
        wait_for(f"http://127.0.0.1:{port}/healthz")
        elapsed, cpu = [], []
        for _ in range(2):
            before = worker_cpu_seconds(server)
            elapsed.append(round(timed_get(f"http://127.0.0.1:{port}{path}")[0], 3))
            cpu.append(round(worker_cpu_seconds(server) - before, 3))
        return {"elapsed_s": elapsed, "worker_cpu_s": cpu}
    finally:
        stop(server)


def radicale_python() -> Path | None:
    python = RADICALE_VENV / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(RADICALE_VENV)], check=True)
    done = subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", f"Radicale=={RADICALE_VERSION}"],
        capture_output=True,
    )
    return python if done.returncode == 0 else None


def start_radicale(python: Path, port: int, folder: Path) -> subprocess.Popen:
    config = folder / "config"
    config.write_text(
        textwrap.dedent(f"""
        [server]
        hosts = 127.0.0.1:{port}
        [auth]
        type = none
        [storage]
        filesystem_folder = {folder / "collections"}
        [logging]
        level = warning
    """)
    )
    return subprocess.Popen(
        [str(python), "-m", "radicale", "--config", str(config)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def measure_radicale(body: bytes, *, duration: int, connections: int, folder: Path) -> dict:
    python = radicale_python()
    if python is None:
        return {"skipped": "Radicale could not be installed from PyPI"}
    port = free_port()
    server = start_radicale(python, port, folder)
    auth = {"Authorization": "Basic " + base64.b64encode(b"bench:bench").decode()}
    url = f"http://127.0.0.1:{port}/bench/feed1000/"
    try:
        wait_for(f"http://127.0.0.1:{port}/", auth)
        request = urllib.request.Request(
            url, data=body, method="PUT", headers={**auth, "Content-Type": "text/calendar"}
        )
        urllib.request.urlopen(request, timeout=600).read()
        elapsed, status, size = timed_get(url, auth)
        with urllib.request.urlopen(urllib.request.Request(url, headers=auth)) as response:
            etag = response.headers.get("ETag")
        _elapsed, conditional_status, _size = timed_get(
            url, {**auth, "If-None-Match": etag or '"x"'}
        )
        return {
            "first_get_s": round(elapsed, 3),
            "status": status,
            "bytes": size,
            "etag": etag,
            "conditional_status": conditional_status,
            "repeated": wrk(url, duration=duration, connections=connections, headers=auth),
            "conditional": wrk(
                url,
                duration=duration,
                connections=connections,
                headers={**auth, "If-None-Match": etag or '"x"'},
            ),
        }
    finally:
        server.terminate()
        server.wait(timeout=30)


# --- the run --------------------------------------------------------------------------------


def run(
    *, database_url: str | None, duration: int, connections: int, rounds: int, radicale: bool
) -> dict:
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed (apt-get install wrk)")
    folder = Path(tempfile.mkdtemp(prefix="tp-calendar-bench-"))
    url = database_url or f"sqlite:///{folder / 'calendar.db'}"
    app_port, hello_port = free_port(), free_port()
    env = {
        **os.environ,
        "TECHNIEKPOORT_DATABASE_URL": url,
        "TECHNIEKPOORT_SECRET_KEY": SECRET,
        "TECHNIEKPOORT_BASE_URL": f"{BASE_URL}:{app_port}",
    }
    os.environ.update(
        {
            k: env[k]
            for k in (
                "TECHNIEKPOORT_DATABASE_URL",
                "TECHNIEKPOORT_SECRET_KEY",
                "TECHNIEKPOORT_BASE_URL",
            )
        }
    )
    from app import create_app

    app = create_app()
    print(f"seeding {', '.join(map(str, SIZES))} events into {url} ...", flush=True)
    feeds_by_size = seed(app)
    results: dict = {
        "database": url.split(":")[0],
        "duration_s": duration,
        "rounds": rounds,
        "connections": connections,
        "load_average": os.getloadavg(),
        "feeds": {},
        "count_statuses": COUNT_STATUSES,
    }

    print("render times in-process ...", flush=True)
    results["render"] = render_times(app, feeds_by_size)

    server = start_gunicorn("wsgi:app", app_port, env)
    hello = start_gunicorn("bench.hello:app", hello_port, env)
    try:
        base = f"http://127.0.0.1:{app_port}"
        hello_url = f"http://127.0.0.1:{hello_port}/"
        wait_for(base + "/healthz")
        wait_for(hello_url)
        urls, etags = {}, {}
        for size, info in feeds_by_size.items():
            path = f"/calendar/{info['token']}.ics"
            urls[size] = base + path
            print(f"feed of {size} events: fresh workers ...", flush=True)
            fresh = [fresh_worker(env, path) for _ in range(FRESH_WORKERS)]
            _elapsed, _status, size_in_bytes = timed_get(urls[size])
            etags[size] = urllib.request.urlopen(urls[size]).headers["ETag"]
            results["feeds"][size] = {
                "fresh_worker": fresh,
                "bytes": size_in_bytes,
                "repeated": [],
                "not_modified": [],
            }
        # Hello world and the feeds take turns, so that a machine busy with
        # something else weighs on both sides of each ratio alike.
        results["hello"] = []
        for n in range(rounds):
            print(f"round {n + 1} of {rounds} ...", flush=True)
            expect_status(hello_url, 200)
            results["hello"].append(
                wrk(hello_url, duration=duration, connections=connections, server=hello)
            )
            for size in feeds_by_size:
                conditional = {"If-None-Match": etags[size]}
                expect_status(urls[size], 200)
                results["feeds"][size]["repeated"].append(
                    wrk(urls[size], duration=duration, connections=connections, server=server)
                )
                expect_status(urls[size], 304, conditional)
                results["feeds"][size]["not_modified"].append(
                    wrk(
                        urls[size],
                        duration=duration,
                        connections=connections,
                        headers=conditional,
                        server=server,
                    )
                )
        for size, info in feeds_by_size.items():
            print(f"feed of {size} events: after a change ...", flush=True)
            after_change, cpu = [], []
            for n in range(5):
                change_one_slot(app, info["slot_ids"][n * 7])
                before = worker_cpu_seconds(server)
                after_change.append(timed_get(urls[size]))
                cpu.append(round(worker_cpu_seconds(server) - before, 3))
            feed = results["feeds"][size]
            feed["after_change_s"] = [round(t, 3) for t, _s, _b in after_change]
            feed["after_change_server_cpu_s"] = cpu
            feed["after_change_median_s"] = round(statistics.median(feed["after_change_s"]), 3)
            feed["after_change_statuses"] = sorted({s for _t, s, _b in after_change})
        if radicale:
            print("Radicale with the same 1,000 events ...", flush=True)
            with urllib.request.urlopen(urls[1000]) as response:
                body = response.read()
            results["radicale"] = measure_radicale(
                body, duration=duration, connections=connections, folder=folder
            )
    finally:
        for process in (server, hello):
            stop(process)
    results["load_average_at_the_end"] = os.getloadavg()
    shutil.rmtree(folder, ignore_errors=True)
    return results


def _median(runs: list[dict]) -> float:
    return statistics.median(r["rps"] for r in runs)


def _cpu(runs: list[dict]) -> str:
    found = [r["server_cpu_us_per_request"] for r in runs if "server_cpu_us_per_request" in r]
    return f"{statistics.median(found):.0f} µs" if found else "?"


def report(results: dict) -> str:
    hello = results["hello"]
    lines = [
        f"load average at the start: {', '.join(f'{x:.1f}' for x in results['load_average'])}; "
        f"during the runs: {[r['load_average'] for r in hello]} (at each hello-world run); "
        f"at the end: {', '.join(f'{x:.1f}' for x in results['load_average_at_the_end'])}",
        f"hello-world Flask: {_median(hello)} req/s (rounds: {[r['rps'] for r in hello]}), "
        f"server CPU per request {_cpu(hello)}",
    ]
    for size, r in results["feeds"].items():
        ratios = [m["rps"] / h["rps"] for m, h in zip(r["not_modified"], hello, strict=True)]
        errors = sum(
            run["errors"] + run["error_statuses"] for run in r["repeated"] + r["not_modified"]
        )
        lines.append(
            f"{size} events ({r['bytes']} bytes): repeated {_median(r['repeated'])} req/s "
            f"(rounds {[x['rps'] for x in r['repeated']]}, server CPU {_cpu(r['repeated'])} per "
            f"request), 304 {_median(r['not_modified'])} req/s (rounds "
            f"{[x['rps'] for x in r['not_modified']]}, server CPU {_cpu(r['not_modified'])}), "
            f"304 / hello world per round {[f'{x:.0%}' for x in ratios]} (median "
            f"{statistics.median(ratios):.0%}); errors {errors}; after a change median "
            f"{r['after_change_median_s']} s (all {r['after_change_s']}, server CPU "
            f"{r['after_change_server_cpu_s']} s); fresh workers' first request "
            f"{[f['elapsed_s'][0] for f in r['fresh_worker']]} s (median "
            f"{statistics.median(f['elapsed_s'][0] for f in r['fresh_worker'])} s; worker CPU "
            f"{[f['worker_cpu_s'][0] for f in r['fresh_worker']]} s), second request "
            f"{[f['elapsed_s'][1] for f in r['fresh_worker']]} s"
        )
    for size, r in results["render"].items():
        lines.append(f"in-process {size}: {r}")
    radicale = results.get("radicale")
    if radicale and "repeated" in radicale:
        lines.append(
            f"Radicale {RADICALE_VERSION}, 1000 events: first GET {radicale['first_get_s']} s; "
            f"repeated {radicale['repeated']['rps']} req/s, with If-None-Match "
            f"{radicale['conditional']['rps']} req/s (it answers a conditional request "
            f"{radicale['conditional_status']})"
        )
    elif radicale:
        lines.append(f"Radicale: {radicale}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.calendar_feeds")
    parser.add_argument("--database-url", default=None, help="an empty database (default: SQLite)")
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk measurement")
    parser.add_argument(
        "--rounds", type=int, default=3, help="times hello world and the feeds are measured in turn"
    )
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--output", default=None, help="also write the results as JSON here")
    parser.add_argument("--no-radicale", action="store_true")
    parser.add_argument(
        "--count-statuses",
        action="store_true",
        help="count every answer's status in wrk's Lua (slows wrk down a lot on large bodies)",
    )
    args = parser.parse_args(argv)
    global COUNT_STATUSES
    COUNT_STATUSES = args.count_statuses
    results = run(
        database_url=args.database_url,
        duration=args.duration,
        connections=args.connections,
        rounds=args.rounds,
        radicale=not args.no_radicale,
    )
    print(report(results))
    if args.output:
        Path(args.output).write_text(json.dumps(results, indent=2, default=str))


if __name__ == "__main__":
    main()
