"""What the load test sends: requests as real use looks, drawn per request.

Every signed-in scenario sends each request as another person: a teacher or a
company contact with a session of their own, made by the app's own sign-in
(`app.accounts.sessions.sign_in`, the function the login form calls, so each
is a server-side session row) in a request as the load generator's connections
make them (from 127.0.0.1, with the bench's User-Agent, which Flask-Login's
session protection compares). The filters, the activity, the page and the
person are drawn at random for each line of a request file; wrk's connections
send the lines in turn (bench/report.lua). The files are long enough that no
address comes back within the catalogue cache's lifetime at the rates measured,
so no scenario but the anonymous one leans on a cache of repeated URLs.

Signing in through the login form for every session would hash the password
(scrypt) hundreds of times per run; `sign_in` is what the form does after that.
`check_sessions` asks the server for a few lines of each file before a run:
each must answer 200 without setting a cookie, i.e. the session is valid and
settled, as a browser's is from its second page on.
"""

from __future__ import annotations

import json
import random
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlencode

from app import vocabulary
from bench.generate import SECTOR_TOPICS

USER_AGENT = "techniekpoort-bench/1"
# The servers' key (bench/load.py), so that the sessions signed here are theirs.
SECRET_KEY = "bench-secret-key-not-for-production"
# Signed-in people per scenario, and request lines per file: at the rates
# measured here a file lasts longer than the catalogue cache keeps a page.
PEOPLE = 300
LINES = 24_000
SHORT_LINES = 6_000
API_TOKENS = 50
BOOKING_TARGETS = 3000
BOOKING_TOKENS = 8
# "Mijn boekingen" of a school with about 600 bookings, and the incoming
# bookings of companies with about 200 to handle or to come.
SCHOOL_BOOKINGS = (550, 650)
COMPANY_INCOMING = (150, 250)
MIN_CHOSEN = 10


@dataclass
class Workload:
    """Request files (bench/report.lua's format) per scenario, and what they hold."""

    files: dict[str, Path] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)

    def file(self, scenario: str) -> Path:
        return self.files[scenario]


def write_requests(path: Path, requests: list[tuple[str, str, str, list[str]]]) -> Path:
    """A requests file for bench/report.lua, one request a line:
    METHOD <tab> PATH <tab> BODY <tab> HEADER <tab> HEADER ... (no tabs inside)."""
    lines = [
        "\t".join([method, target, body, *headers]) for method, target, body, headers in requests
    ]
    path.write_text("\n".join(lines) + "\n")
    path.chmod(0o600)  # bearer tokens and sessions
    return path


def session_cookie(app, user) -> str:
    """The Cookie header of a browser that has signed in as `user` and seen a
    page with a form: a session row made by sign_in, and the session cookie
    holding its key and the CSRF token, as the server would send it."""
    from flask import g, session
    from flask_wtf.csrf import generate_csrf

    from app.accounts.sessions import sign_in
    from app.extensions import db

    with app.test_request_context(
        "/login",
        method="POST",
        headers={"User-Agent": USER_AGENT},
        environ_base={"REMOTE_ADDR": "127.0.0.1"},
    ):
        sign_in(user)
        # Flask-WTF keeps the token on `g`, which the loop's app context shares.
        g.pop(app.config["WTF_CSRF_FIELD_NAME"], None)
        generate_csrf()
        db.session.commit()
        response = app.response_class()
        app.session_interface.save_session(app, session, response)
    cookies = [value.split(";", 1)[0] for value in response.headers.getlist("Set-Cookie")]
    if not any(c.startswith(app.config["SESSION_COOKIE_NAME"] + "=") for c in cookies):
        raise RuntimeError(f"signing in {user.email} made no session cookie")
    return "; ".join(cookies)


def signed_in(cookie: str) -> list[str]:
    return [f"Cookie: {cookie}", f"User-Agent: {USER_AGENT}"]


# --- random filters -----------------------------------------------------------------------


def _some(rng: random.Random, words, chance: float, most: int = 1) -> list[str]:
    if rng.random() >= chance:
        return []
    return rng.sample(list(words), rng.randint(1, most))


def random_filters(rng: random.Random, today, *, with_distance: bool) -> dict:
    """A teacher's filters, each drawn on its own: mostly one or two set, now
    and then a period, a distance, a word; sorted by distance a third of the
    time when there is a school to measure from; the first page mostly."""
    args: dict = {
        "kind": _some(rng, vocabulary.ACTIVITY_KINDS, 0.5, 2),
        "sector": _some(rng, vocabulary.SECTORS, 0.25),
        "profile": _some(rng, vocabulary.PROFILES, 0.3),
        "year": _some(rng, vocabulary.YEARS, 0.4),
        "path": _some(rng, vocabulary.PATHS, 0.3),
    }
    if rng.random() < 0.4:
        args["free"] = "1"
    if rng.random() < 0.25:
        start = today + timedelta(days=rng.randint(0, 150))
        args["date_from"] = start.isoformat()
        args["date_to"] = (start + timedelta(days=rng.choice((7, 14, 31)))).isoformat()
    if rng.random() < 0.08:
        args["q"] = rng.choice([w for words in SECTOR_TOPICS.values() for w in words]).split()[0]
    if with_distance:
        if rng.random() < 0.3:
            args["max_km"] = rng.choice((10, 25, 50))
        if rng.random() < 0.35:
            args["sort"] = "distance"
    if rng.random() < 0.2:
        args["page"] = rng.randint(2, 4)
    return {name: value for name, value in args.items() if value not in ([], None)}


def catalogue_path(args: dict) -> str:
    return "/catalogue?" + urlencode(args, doseq=True)


def api_path(args: dict, school) -> str:
    """The same filters for GET /api/v1/activities (free=true, lat/lon)."""
    api = dict(args)
    if "free" in api:
        api["free"] = "true"
    if "max_km" in api or api.get("sort") == "distance":
        api["lat"], api["lon"] = school.latitude, school.longitude
    return "/api/v1/activities?" + urlencode(api, doseq=True)


# --- choosing the people ------------------------------------------------------------------


def _teachers(limit: int | None = None, school_ids=None):
    """(user, school) of teachers of approved schools with coordinates."""
    from sqlalchemy import select

    from app.accounts.models import Membership, Organisation, User
    from app.extensions import db

    query = (
        select(User, Organisation)
        .join(Membership, Membership.user_id == User.id)
        .join(Organisation, Organisation.id == Membership.organisation_id)
        .where(
            Membership.role == "teacher",
            Organisation.status == "approved",
            Organisation.latitude.is_not(None),
            User.active.is_(True),
        )
        .order_by(User.id)
    )
    if school_ids is not None:
        query = query.where(Organisation.id.in_(school_ids))
    if limit:
        query = query.limit(limit)
    return db.session.execute(query).all()


def _closest(counts: list[tuple[int, int]], wanted: tuple[int, int]) -> tuple[list[int], str]:
    """The ids whose count lies in `wanted`, or the MIN_CHOSEN closest to its middle."""
    low, high = wanted
    inside = [i for i, n in counts if low <= n <= high]
    if len(inside) < MIN_CHOSEN:
        middle = (low + high) / 2
        inside = [i for i, _ in sorted(counts, key=lambda c: abs(c[1] - middle))[:MIN_CHOSEN]]
    chosen = sorted(n for i, n in counts if i in set(inside))
    note = f"{len(chosen)}, with {chosen[0]}-{chosen[-1]}" if chosen else "none"
    return inside, note


def _school_booking_counts() -> list[tuple[int, int]]:
    from sqlalchemy import func, select

    from app.bookings.models import Booking
    from app.extensions import db

    return db.session.execute(
        select(Booking.school_id, func.count()).group_by(Booking.school_id)
    ).all()


def _company_incoming_counts() -> list[tuple[int, int]]:
    """Per company: the bookings its incoming page lists (requested, confirmed
    and waitlisted, of slots still to end)."""
    from sqlalchemy import func, select

    from app.bookings.models import Booking
    from app.catalogue.models import Activity, Slot
    from app.extensions import db
    from app.timeutil import utcnow

    return db.session.execute(
        select(Activity.company_id, func.count())
        .select_from(Booking)
        .join(Slot, Booking.slot_id == Slot.id)
        .join(Activity, Slot.activity_id == Activity.id)
        .where(
            Booking.status.in_(("requested", "confirmed", "waitlisted")), Slot.ends_at > utcnow()
        )
        .group_by(Activity.company_id)
    ).all()


def _contacts(company_ids):
    from sqlalchemy import select

    from app.accounts.models import Membership, User
    from app.extensions import db

    return db.session.scalars(
        select(User)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.organisation_id.in_(company_ids), Membership.role == "contact")
        .order_by(User.id)
    ).all()


def _bookable_activities() -> list[int]:
    from sqlalchemy import select

    from app.accounts.models import Organisation
    from app.catalogue.models import Activity
    from app.extensions import db

    return db.session.scalars(
        select(Activity.id)
        .join(Organisation, Activity.company_id == Organisation.id)
        .where(Activity.status == "published", Organisation.status == "approved")
        .order_by(Activity.id)
    ).all()


# --- the files ----------------------------------------------------------------------------


def prepare(database_url: str, work: Path, scenarios, seed: int = 7, echo=print) -> Workload:
    """The request files of the scenarios asked for, made in this process on
    the benchmark's database (sessions and API tokens are rows in it)."""
    from app import create_app
    from app.extensions import db
    from app.timeutil import to_local, utcnow

    rng = random.Random(seed)
    workload = Workload()
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": SECRET_KEY})
    with app.app_context():
        today = to_local(utcnow()).date()
        teachers = _teachers()
        if not teachers:
            raise SystemExit(
                "No teachers in this database: make it with `python -m bench generate`."
            )
        people = rng.sample(teachers, min(PEOPLE, len(teachers)))
        wanted = set(scenarios)
        sessions = {}
        if wanted & {"catalogue-teacher", "catalogue-htmx", "activity"}:
            sessions = {user.id: session_cookie(app, user) for user, _ in people}

        if "catalogue-teacher" in wanted or "catalogue-htmx" in wanted:
            lines = []
            for _ in range(LINES):
                user, school = rng.choice(people)
                args = random_filters(rng, today, with_distance=True)
                lines.append(("GET", catalogue_path(args), "", signed_in(sessions[user.id])))
            for key, extra in (("catalogue-teacher", []), ("catalogue-htmx", ["HX-Request: true"])):
                if key in wanted:
                    workload.files[key] = write_requests(
                        work / f"{key}.tsv", [(m, p, b, h + extra) for m, p, b, h in lines]
                    )
                    workload.notes[key] = f"{len(people)} teachers, random filters, {LINES:,} lines"

        if "activity" in wanted:
            activities = _bookable_activities()
            workload.files["activity"] = write_requests(
                work / "activity.tsv",
                [
                    (
                        "GET",
                        f"/activities/{rng.choice(activities)}",
                        "",
                        signed_in(sessions[rng.choice(people)[0].id]),
                    )
                    for _ in range(SHORT_LINES)
                ],
            )
            workload.notes["activity"] = (
                f"{len(people)} teachers, any of {len(activities):,} published activities"
            )

        if "my-bookings" in wanted:
            school_ids, note = _closest(_school_booking_counts(), SCHOOL_BOOKINGS)
            owners = _teachers(school_ids=school_ids)
            cookies = [session_cookie(app, user) for user, _ in owners]
            workload.files["my-bookings"] = write_requests(
                work / "my-bookings.tsv",
                [
                    ("GET", my_bookings_path(rng), "", signed_in(rng.choice(cookies)))
                    for _ in range(SHORT_LINES)
                ],
            )
            workload.notes["my-bookings"] = f"teachers of schools with bookings: {note}"

        if "incoming" in wanted:
            company_ids, note = _closest(_company_incoming_counts(), COMPANY_INCOMING)
            cookies = [session_cookie(app, user) for user in _contacts(company_ids)]
            workload.files["incoming"] = write_requests(
                work / "incoming.tsv",
                [
                    ("GET", "/company/bookings", "", signed_in(rng.choice(cookies)))
                    for _ in range(SHORT_LINES)
                ],
            )
            workload.notes["incoming"] = f"contacts of companies with incoming bookings: {note}"

        if "api-activities" in wanted:
            workload.files["api-activities"] = write_requests(
                work / "api-activities.tsv", api_lines(app, rng, teachers, today)
            )
            workload.notes["api-activities"] = (
                f"{API_TOKENS} bearer tokens, random filters, {LINES:,} lines"
            )

        if "booking" in wanted:
            lines = booking_lines(rng, teachers)
            workload.files["booking"] = write_requests(work / "booking.tsv", lines)
            workload.notes["booking"] = (
                f"cycling over {len(lines):,} slots with {BOOKING_TOKENS} tokens"
            )
        db.engine.dispose()
    return workload


def my_bookings_path(rng: random.Random) -> str:
    """ "Mijn boekingen" as the page offers it: a tab, sometimes a state or a
    period, one of the first pages."""
    args = {"tab": rng.choice(("upcoming", "upcoming", "past"))}
    if rng.random() < 0.3:
        args["state"] = rng.choice(("requested", "confirmed", "waitlisted", "cancelled"))
    if rng.random() < 0.2:
        args["period"] = "month"
    page = rng.choice((1, 1, 1, 2, 3))
    if page > 1:
        args["page"] = page
    return "/bookings?" + urlencode(args)


def api_lines(app, rng, teachers, today) -> list[tuple[str, str, str, list[str]]]:
    from app.accounts.service import create_api_token
    from app.extensions import db

    holders = rng.sample(teachers, min(API_TOKENS, len(teachers)))
    tokens = [(create_api_token(user, "bench")[1], school) for user, school in holders]
    db.session.commit()
    lines = []
    for _ in range(LINES):
        token, school = rng.choice(tokens)
        args = random_filters(rng, today, with_distance=True)
        lines.append(("GET", api_path(args, school), "", [f"Authorization: Bearer {token}"]))
    return lines


def booking_lines(rng, teachers) -> list[tuple[str, str, str, list[str]]]:
    """Booking requests (booking_bodies) with a bearer token per teacher."""
    from app.accounts.service import create_api_token
    from app.extensions import db

    tokens = {
        school.id: create_api_token(user, "bench")[1] for user, school in teachers[:BOOKING_TOKENS]
    }
    db.session.commit()
    schools = [school for _, school in teachers[:BOOKING_TOKENS]]
    return [
        (
            "POST",
            f"/api/v1/slots/{slot_id}/bookings",
            json.dumps(body),
            [f"Authorization: Bearer {tokens[school.id]}", "Content-Type: application/json"],
        )
        for slot_id, _, school, body in booking_bodies(rng, schools, limit=BOOKING_TARGETS)
    ]


def booking_bodies(rng, schools, *, company_ids=None, limit=None) -> list[tuple]:
    """(slot id, company id, school, body) of bookings the schools may ask
    for: future slots (a year, path and profile the activity targets, outside
    the school's holidays, past the minimum notice; 6-15 students; half of
    them accept the waiting list), of the given companies or any."""
    from sqlalchemy import select
    from sqlalchemy.orm import aliased

    from app.accounts.models import Organisation
    from app.catalogue.models import Activity, Slot
    from app.extensions import db
    from app.holidays.service import holiday_dates
    from app.timeutil import to_local, utcnow

    now = utcnow()
    company = aliased(Organisation)
    query = (
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
    )
    if company_ids is not None:
        query = query.where(Activity.company_id.in_(company_ids))
    candidates = db.session.execute(query).all()
    if limit is not None:
        candidates = rng.sample(candidates, min(len(candidates), 4 * limit))
    first, last = to_local(now).date(), to_local(now).date() + timedelta(days=400)
    holidays = {
        school.holiday_region: holiday_dates(school.holiday_region, first, last)
        for school in schools
    }
    found = []
    for slot_id, starts_at, activity in candidates:
        school = rng.choice(schools)
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
        found.append((slot_id, activity.company_id, school, body))
        if len(found) == limit:
            break
    return found


def check_sessions(base: str, requests_file: Path, sample: int = 3) -> None:
    """The first lines of a file answer 200 and set no cookie: each session is
    valid (not sent to the login form) and settled (reading a page writes no
    session)."""
    for line in requests_file.read_text().splitlines()[:sample]:
        method, path, body, *headers = line.split("\t")
        request = urllib.request.Request(
            base + path,
            data=body.encode() or None,
            method=method,
            headers=dict(h.split(": ", 1) for h in headers),
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                status, cookies = response.status, response.headers.get_all("Set-Cookie")
                final = response.url
        except urllib.error.HTTPError as error:
            raise RuntimeError(f"{path} answered {error.code} in the session check") from error
        if status != 200 or final != base + path:
            raise RuntimeError(f"{path} answered {status} at {final}: the session is not valid")
        if cookies:
            raise RuntimeError(f"{path} set a cookie on a read ({cookies}): the session changed")
