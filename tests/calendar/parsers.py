"""Three independent readers of iCalendar: icalendar (the library that writes
the feeds), vobject, and ical.js (the parser inside Thunderbird, run in Node).
Each reduces a document to the same plain records, so a test can demand that
all of them read a feed the same way, as calendar clients would."""

from __future__ import annotations

import fcntl
import json
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import icalendar
import pytest
import vobject

JS_DIR = Path(__file__).parent / "js"
ICALJS_VERSION = json.loads((JS_DIR / "package.json").read_text())["dependencies"]["ical.js"]
FIELDS = (
    "uid",
    "sequence",
    "status",
    "summary",
    "description",
    "location",
    "url",
    "categories",
    "start",
    "end",
    "recurrence_id",
)


def _utc(value) -> datetime | None:
    if value is None:
        return None
    assert value.tzinfo is not None, f"floating time {value!r} (docs/INTEROPERABILITY.md, rule 5)"
    return value.astimezone(UTC)


def read_icalendar(body: bytes) -> list[dict]:
    calendar = icalendar.Calendar.from_ical(body)
    events = []
    for vevent in calendar.walk("VEVENT"):
        recurrence_id = vevent.get("recurrence-id")
        events.append(
            {
                "uid": str(vevent["uid"]),
                "sequence": int(vevent["sequence"]),
                "status": str(vevent.get("status", "")),
                "summary": str(vevent.get("summary", "")),
                "description": str(vevent.get("description", "")),
                "location": str(vevent.get("location", "")),
                "url": str(vevent.get("url", "")),
                "categories": tuple(str(c) for c in vevent.categories),
                "start": _utc(vevent.decoded("dtstart")),
                "end": _utc(vevent.decoded("dtend")),
                "recurrence_id": _utc(recurrence_id.dt) if recurrence_id is not None else None,
            }
        )
    return events


def read_vobject(body: bytes) -> list[dict]:
    calendar = vobject.readOne(body.decode("utf-8"))
    events = []
    for vevent in calendar.contents.get("vevent", []):

        def value(name, default="", vevent=vevent):
            item = vevent.contents.get(name)
            return item[0].value if item else default

        categories = []
        for item in vevent.contents.get("categories", []):
            categories.extend(item.value)
        recurrence_id = value("recurrence-id", None)
        events.append(
            {
                "uid": value("uid"),
                "sequence": int(value("sequence")),
                "status": value("status"),
                "summary": value("summary"),
                "description": value("description"),
                "location": value("location"),
                "url": value("url"),
                "categories": tuple(categories),
                "start": _utc(value("dtstart")),
                "end": _utc(value("dtend")),
                "recurrence_id": _utc(recurrence_id),
            }
        )
    return events


def node_available() -> bool:
    return shutil.which("node") is not None and shutil.which("npm") is not None


def ensure_icaljs() -> None:
    """`npm ci` into tests/calendar/js once (under a lock: test workers run in
    parallel), unless the pinned version is there already."""
    installed = JS_DIR / "node_modules" / "ical.js" / "package.json"

    def ready() -> bool:
        return installed.exists() and json.loads(installed.read_text())["version"] == ICALJS_VERSION

    if ready():
        return
    with open("/tmp/techniekpoort-icaljs.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not ready():
            subprocess.run(
                [
                    "npm",
                    "ci",
                    "--prefix",
                    str(JS_DIR),
                    "--no-audit",
                    "--no-fund",
                    "--ignore-scripts",
                ],
                check=True,
                capture_output=True,
                timeout=300,
            )
    assert ready(), "npm ci did not install the pinned ical.js"


def read_icaljs_raw(body: bytes) -> dict:
    if not node_available():
        pytest.skip("Node.js is not installed: the ical.js reading is skipped")
    ensure_icaljs()
    done = subprocess.run(
        ["node", str(JS_DIR / "parse.mjs")], input=body, capture_output=True, timeout=120
    )
    assert done.returncode == 0, done.stderr.decode()
    return json.loads(done.stdout)


def _iso(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value.replace("Z", "+00:00")) if value else None


def read_icaljs(body: bytes) -> list[dict]:
    return [
        {
            "uid": e["uid"],
            "sequence": e["sequence"],
            "status": e["status"] or "",
            "summary": e["summary"] or "",
            "description": e["description"] or "",
            "location": e["location"] or "",
            "url": e["url"] or "",
            "categories": tuple(e["categories"]),
            "start": _iso(e["start"]),
            "end": _iso(e["end"]),
            "recurrence_id": _iso(e["recurrence_id"]),
        }
        for e in read_icaljs_raw(body)["events"]
    ]


def read_all(body: bytes) -> list[dict]:
    """The events as icalendar reads them, after checking that vobject and
    ical.js read exactly the same."""
    by_icalendar = read_icalendar(body)
    assert read_vobject(body) == by_icalendar
    if node_available():
        assert read_icaljs(body) == by_icalendar
    return by_icalendar
