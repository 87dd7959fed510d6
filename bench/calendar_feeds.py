"""Calendar feed benchmark (issue 5; results in docs/PERFORMANCE.md, "Calendar feeds").

    .venv/bin/python -m bench.calendar_feeds [--duration 10] [--rounds 3] [--connections 16]
        [--database-url URL] [--output results.json] [--no-radicale]

In one run, on this machine:
- two coordinator feeds of 1,000 and 10,000 events (one slot each, every slot
  with a confirmed booking) in a fresh database (a SQLite file in a temporary
  folder unless --database-url names an empty database);
- the app under gunicorn with the settings of `make run` (2 workers, 4
  threads), measured with wrk: the repeated request (200 from the rendered
  body), the conditional request (If-None-Match, 304), and hello-world Flask
  under the same gunicorn settings as the reference;
- the first request after a change (a slot of the feed rescheduled through the
  catalogue service, as a company would), timed one by one, and the very first
  request of a fresh worker, where nothing is cached;
- render times in this process with empty caches, to show that the cost grows
  linearly with the number of events;
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

WRK_SCRIPT = textwrap.dedent("""
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
        '"p99_us": %d, "errors": %d, "statuses": {%s}}\\n', summary.requests, summary.duration,
        latency:percentile(50), latency:percentile(99), e.connect + e.read + e.write + e.timeout,
        table.concat(parts, ", ")))
    end
""")


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


def wrk(url: str, *, duration: int, connections: int, headers: dict | None = None) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT)
    command = ["wrk", "-t", "2", "-c", str(connections), "-d", f"{duration}s", "-s", script.name,
               "--timeout", "30s"]
    for name, value in (headers or {}).items():
        command += ["-H", f"{name}: {value}"]
    done = subprocess.run(command + [url], capture_output=True, text=True, check=True)
    os.unlink(script.name)
    line = next(line for line in done.stdout.splitlines() if line.startswith("WRK_JSON "))
    result = json.loads(line.removeprefix("WRK_JSON "))
    result["rps"] = round(result["requests"] / (result["duration_us"] / 1e6), 1)
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
        schools = [Organisation(kind="school", name=f"Bench school {n}", status="approved",
                                address=f"Schoolstraat {n}", postcode="7511 AB", city="Enschede",
                                brin=f"{n:02d}BE", location_number="00") for n in range(20)]
        teacher = User(email="teacher@bench.test", name="Teacher", locale="nl")
        db.session.add_all([*schools, teacher])
        db.session.flush()
        feeds_by_size = {}
        for size in SIZES:
            company = Organisation(kind="company", name=f"Bench company {size}", status="approved",
                                   address="Industriestraat 1", postcode="7554 AB", city="Hengelo",
                                   kvk=f"{size:08d}", sectors=frozenset({"metal"}))
            activity = Activity(company=company, kind="company_visit", title=f"CNC milling {size}",
                                sectors=frozenset({"metal"}), profiles=frozenset({"PIE"}),
                                years=frozenset({"3"}), paths=frozenset({"KB"}), venue="company",
                                address="Industriestraat 1", postcode="7554 AB", city="Hengelo",
                                status="published")
            db.session.add_all([company, activity])
            db.session.flush()
            slot_rows = []
            for n in range(size):
                starts = now + timedelta(days=14, hours=n)
                slot_rows.append({"activity_id": activity.id, "starts_at": starts,
                                  "ends_at": starts + timedelta(hours=2), "capacity": 30,
                                  "taken": 24, "status": "open", "revision": 0,
                                  "created_at": now, "updated_at": now})
            db.session.execute(insert(Slot), slot_rows)
            slot_ids = [row.id for row in db.session.query(Slot.id)
                        .filter(Slot.activity_id == activity.id).order_by(Slot.id)]
            db.session.execute(insert(Booking), [
                {"slot_id": slot_id, "school_id": schools[n % 20].id, "teacher_id": teacher.id,
                 "booked_by_id": teacher.id, "group_size": 24, "year": "3", "path": "KB",
                 "profile": "PIE", "status": "confirmed", "revision": 1, "remarks": "",
                 "created_at": now, "updated_at": now}
                for n, slot_id in enumerate(slot_ids)
            ])
            feed = feeds.create_feed(coordinator, kind="filtered", name=f"Bench {size}",
                                     filters={"companies": [company.id]})
            feeds_by_size[size] = {"feed_id": feed.id, "token": feeds.feed_token(feed),
                                   "slot_ids": slot_ids, "coordinator_id": coordinator.id,
                                   "contact_company": company.id}
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
    """In this process: a feed rendered with every cache empty, then again
    after one change (the per-event cache warm), as the server does."""
    from app.calendar import ics
    from app.calendar import service as feeds
    from app.calendar.models import CalendarFeed
    from app.extensions import db

    results = {}
    with app.app_context(), app.test_request_context(base_url=BASE_URL):
        for size, info in feeds_by_size.items():
            feeds.body_cache.clear()
            ics.serialize_event.cache_clear()
            feed = db.session.get(CalendarFeed, info["feed_id"])
            viewer = feeds.viewer_of(feed)
            started = time.perf_counter()
            events = feeds.feed_events(feed, viewer)
            collected = time.perf_counter()
            body = ics.serialize(feeds.feed_document(feed, viewer))
            cold = time.perf_counter() - collected
            db.session.expire_all()
            feed = db.session.get(CalendarFeed, info["feed_id"])
            started_warm = time.perf_counter()
            ics.serialize(feeds.feed_document(feed, viewer))
            warm = time.perf_counter() - started_warm
            results[size] = {
                "events": len(events),
                "bytes": len(body),
                "query_and_build_s": round(collected - started, 3),
                "serialize_cold_s": round(cold, 3),
                "render_warm_s": round(warm, 3),
                "cold_us_per_event": round((collected - started + cold) / len(events) * 1e6, 1),
            }
    return results


# --- servers --------------------------------------------------------------------------------


def start_gunicorn(target: str, port: int, env: dict) -> subprocess.Popen:
    return subprocess.Popen(
        [str(BIN / "gunicorn"), "--workers", "2", "--threads", "4", "--bind",
         f"127.0.0.1:{port}", "--log-level", "warning", target],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )


def radicale_python() -> Path | None:
    python = RADICALE_VENV / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(RADICALE_VENV)], check=True)
    done = subprocess.run([str(python), "-m", "pip", "install", "--quiet",
                           f"Radicale=={RADICALE_VERSION}"], capture_output=True)
    return python if done.returncode == 0 else None


def start_radicale(python: Path, port: int, folder: Path) -> subprocess.Popen:
    config = folder / "config"
    config.write_text(textwrap.dedent(f"""
        [server]
        hosts = 127.0.0.1:{port}
        [auth]
        type = none
        [storage]
        filesystem_folder = {folder / "collections"}
        [logging]
        level = warning
    """))
    return subprocess.Popen([str(python), "-m", "radicale", "--config", str(config)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


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
        request = urllib.request.Request(url, data=body, method="PUT",
                                         headers={**auth, "Content-Type": "text/calendar"})
        urllib.request.urlopen(request, timeout=600).read()
        elapsed, status, size = timed_get(url, auth)
        with urllib.request.urlopen(urllib.request.Request(url, headers=auth)) as response:
            etag = response.headers.get("ETag")
        return {
            "first_get_s": round(elapsed, 3), "status": status, "bytes": size, "etag": etag,
            "repeated": wrk(url, duration=duration, connections=connections, headers=auth),
            "conditional": wrk(url, duration=duration, connections=connections,
                               headers={**auth, "If-None-Match": etag or '"x"'}),
        }
    finally:
        server.terminate()
        server.wait(timeout=30)


# --- the run --------------------------------------------------------------------------------


def run(*, database_url: str | None, duration: int, connections: int, rounds: int,
        radicale: bool) -> dict:
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed (apt-get install wrk)")
    folder = Path(tempfile.mkdtemp(prefix="tp-calendar-bench-"))
    url = database_url or f"sqlite:///{folder / 'calendar.db'}"
    app_port, hello_port = free_port(), free_port()
    env = {**os.environ, "TECHNIEKPOORT_DATABASE_URL": url,
           "TECHNIEKPOORT_SECRET_KEY": SECRET,
           "TECHNIEKPOORT_BASE_URL": f"{BASE_URL}:{app_port}"}
    os.environ.update({k: env[k] for k in ("TECHNIEKPOORT_DATABASE_URL",
                                           "TECHNIEKPOORT_SECRET_KEY", "TECHNIEKPOORT_BASE_URL")})
    from app import create_app

    app = create_app()
    print(f"seeding {', '.join(map(str, SIZES))} events into {url} ...", flush=True)
    feeds_by_size = seed(app)
    results: dict = {"database": url.split(":")[0], "duration_s": duration, "rounds": rounds,
                     "connections": connections, "load_average": os.getloadavg(), "feeds": {}}

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
            urls[size] = f"{base}/calendar/{info['token']}.ics"
            print(f"feed of {size} events: first requests ...", flush=True)
            cold = [timed_get(urls[size]) for _ in range(2)]  # one per worker, most likely
            etags[size] = urllib.request.urlopen(urls[size]).headers["ETag"]
            results["feeds"][size] = {
                "cold_first_requests_s": [round(t, 3) for t, _s, _b in cold],
                "bytes": cold[0][2], "repeated": [], "not_modified": [],
            }
        # Hello world and the feeds take turns, so that a machine busy with
        # something else weighs on both sides of each ratio alike.
        results["hello"] = []
        for n in range(rounds):
            print(f"round {n + 1} of {rounds} ...", flush=True)
            results["hello"].append(wrk(hello_url, duration=duration, connections=connections))
            for size in feeds_by_size:
                results["feeds"][size]["repeated"].append(
                    wrk(urls[size], duration=duration, connections=connections))
                results["feeds"][size]["not_modified"].append(
                    wrk(urls[size], duration=duration, connections=connections,
                        headers={"If-None-Match": etags[size]}))
        for size, info in feeds_by_size.items():
            print(f"feed of {size} events: after a change ...", flush=True)
            after_change = []
            for n in range(5):
                change_one_slot(app, info["slot_ids"][n * 7])
                after_change.append(timed_get(urls[size]))
            feed = results["feeds"][size]
            feed["after_change_s"] = [round(t, 3) for t, _s, _b in after_change]
            feed["after_change_median_s"] = round(statistics.median(feed["after_change_s"]), 3)
            feed["after_change_statuses"] = sorted({s for _t, s, _b in after_change})
        if radicale:
            print("Radicale with the same 1,000 events ...", flush=True)
            with urllib.request.urlopen(urls[1000]) as response:
                body = response.read()
            results["radicale"] = measure_radicale(body, duration=duration,
                                                   connections=connections, folder=folder)
    finally:
        for process in (server, hello):
            process.terminate()
            process.wait(timeout=30)
    shutil.rmtree(folder, ignore_errors=True)
    return results


def _median(runs: list[dict]) -> float:
    return statistics.median(r["rps"] for r in runs)


def report(results: dict) -> str:
    hello = results["hello"]
    lines = [
        f"load average at the start: {', '.join(f'{x:.1f}' for x in results['load_average'])}",
        f"hello-world Flask: {_median(hello)} req/s (rounds: {[r['rps'] for r in hello]})",
    ]
    for size, r in results["feeds"].items():
        ratios = [m["rps"] / h["rps"] for m, h in zip(r["not_modified"], hello, strict=True)]
        statuses = sorted({s for run in r["repeated"] + r["not_modified"] for s in run["statuses"]})
        lines.append(
            f"{size} events ({r['bytes']} bytes): repeated {_median(r['repeated'])} req/s "
            f"(rounds {[x['rps'] for x in r['repeated']]}), 304 {_median(r['not_modified'])} "
            f"req/s (rounds {[x['rps'] for x in r['not_modified']]}), 304 / hello world per round "
            f"{[f'{x:.0%}' for x in ratios]} (median {statistics.median(ratios):.0%}); "
            f"statuses seen {statuses}; after a change median {r['after_change_median_s']} s "
            f"(all {r['after_change_s']}); first request of a fresh worker "
            f"{r['cold_first_requests_s']} s"
        )
    for size, r in results["render"].items():
        lines.append(f"in-process {size}: {r}")
    radicale = results.get("radicale")
    if radicale and "repeated" in radicale:
        lines.append(
            f"Radicale {RADICALE_VERSION}, 1000 events: repeated {radicale['repeated']['rps']} "
            f"req/s ({radicale['repeated']['statuses']}), with If-None-Match "
            f"{radicale['conditional']['rps']} req/s ({radicale['conditional']['statuses']})"
        )
    elif radicale:
        lines.append(f"Radicale: {radicale}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.calendar_feeds")
    parser.add_argument("--database-url", default=None, help="an empty database (default: SQLite)")
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk measurement")
    parser.add_argument("--rounds", type=int, default=3,
                        help="times hello world and the feeds are measured in turn")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--output", default=None, help="also write the results as JSON here")
    parser.add_argument("--no-radicale", action="store_true")
    args = parser.parse_args(argv)
    results = run(database_url=args.database_url, duration=args.duration,
                  connections=args.connections, rounds=args.rounds,
                  radicale=not args.no_radicale)
    print(report(results))
    if args.output:
        Path(args.output).write_text(json.dumps(results, indent=2, default=str))


if __name__ == "__main__":
    main()
