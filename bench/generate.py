"""A deterministic, national-size dataset for the benchmark.

    python -m bench generate --scale national --database-url sqlite:///instance/bench.db

Fills an empty database (the schema comes from the migrations, as `flask db
upgrade` makes it) with schools, companies, people, activities, slots and
bookings whose shape follows the field: organisations clustered around Dutch
cities, activities aimed at the profiles of their company's sectors, slots on
school days around today (past and future, outside the company's holidays),
bookings that fill some slots to a waiting list and leave others empty.

Rows go in through SQLAlchemy Core executemany in chunks on SQLite and through
COPY on PostgreSQL, never as ORM objects: a million bookings as objects would
take the better part of an hour. The same seed and the same --today give the
same rows.

`taken` on every slot is the sum of the group sizes of the bookings that hold
places, which here includes completed ones: complete_ended_bookings turns a
confirmed booking into a completed one without releasing its places.
"""

from __future__ import annotations

import json
import random
import time
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from datetime import time as clock
from pathlib import Path

from sqlalchemy import Integer, column, func, select, table, text

from app.db_types import FlagSet
from app.timeutil import local_to_utc, utcnow
from app.vocabulary import PATHS, PROFILES, SECTORS, YEARS

BENCH_PASSWORD = "techniek"
CHUNK = 10_000
# States whose group sizes are counted in Slot.taken (see the module docstring).
COUNTED = ("requested", "confirmed", "completed")


@dataclass(frozen=True)
class Scale:
    schools: int
    companies: int
    activities: int
    slots: int
    bookings: int


SCALES = {
    "national": Scale(1_500, 20_000, 50_000, 300_000, 1_000_000),
    # A large province (Noord-Brabant, Zuid-Holland): about a seventh of the
    # country, so that regional, province and national lie evenly on a log scale.
    "province": Scale(210, 2_800, 7_000, 42_000, 140_000),
    "regional": Scale(30, 400, 1_000, 6_000, 20_000),
    "small": Scale(12, 40, 120, 720, 2_400),
}

# (name, latitude, longitude, holiday region, weight): where organisations cluster.
CITIES = [
    ("Amsterdam", 52.37, 4.90, "noord", 9),
    ("Haarlem", 52.38, 4.64, "noord", 3),
    ("Alkmaar", 52.63, 4.75, "noord", 2),
    ("Den Helder", 52.96, 4.76, "noord", 1),
    ("Zaandam", 52.44, 4.83, "noord", 2),
    ("Almere", 52.37, 5.22, "noord", 3),
    ("Lelystad", 52.52, 5.47, "noord", 1),
    ("Zwolle", 52.52, 6.09, "noord", 2),
    ("Enschede", 52.22, 6.89, "noord", 3),
    ("Hengelo", 52.27, 6.79, "noord", 2),
    ("Almelo", 52.36, 6.66, "noord", 1),
    ("Deventer", 52.25, 6.16, "noord", 2),
    ("Groningen", 53.22, 6.57, "noord", 3),
    ("Leeuwarden", 53.20, 5.80, "noord", 2),
    ("Assen", 52.99, 6.56, "noord", 1),
    ("Emmen", 52.79, 6.90, "noord", 1),
    ("Heerenveen", 52.96, 5.92, "noord", 1),
    ("Drachten", 53.11, 6.10, "noord", 1),
    ("Utrecht", 52.09, 5.12, "midden", 5),
    ("Amersfoort", 52.16, 5.39, "midden", 2),
    ("Rotterdam", 51.92, 4.48, "midden", 8),
    ("Den Haag", 52.07, 4.30, "midden", 6),
    ("Leiden", 52.16, 4.49, "midden", 2),
    ("Delft", 52.01, 4.36, "midden", 2),
    ("Dordrecht", 51.81, 4.67, "midden", 2),
    ("Gouda", 52.01, 4.71, "midden", 1),
    ("Zoetermeer", 52.06, 4.49, "midden", 2),
    ("Arnhem", 51.98, 5.91, "midden", 3),
    ("Nijmegen", 51.84, 5.85, "midden", 3),
    ("Apeldoorn", 52.21, 5.97, "midden", 2),
    ("Ede", 52.04, 5.67, "midden", 1),
    ("Doetinchem", 51.96, 6.29, "midden", 1),
    ("Spijkenisse", 51.85, 4.33, "midden", 1),
    ("Alphen aan den Rijn", 52.13, 4.66, "midden", 1),
    ("Eindhoven", 51.44, 5.47, "zuid", 4),
    ("Tilburg", 51.56, 5.09, "zuid", 3),
    ("Breda", 51.59, 4.78, "zuid", 3),
    ("'s-Hertogenbosch", 51.69, 5.30, "zuid", 2),
    ("Helmond", 51.48, 5.66, "zuid", 1),
    ("Roosendaal", 51.53, 4.46, "zuid", 1),
    ("Bergen op Zoom", 51.49, 4.29, "zuid", 1),
    ("Middelburg", 51.50, 3.61, "zuid", 1),
    ("Vlissingen", 51.44, 3.57, "zuid", 1),
    ("Terneuzen", 51.33, 3.83, "zuid", 1),
    ("Venlo", 51.37, 6.17, "zuid", 1),
    ("Roermond", 51.19, 5.99, "zuid", 1),
    ("Maastricht", 50.85, 5.69, "zuid", 2),
    ("Heerlen", 50.89, 5.98, "zuid", 1),
    ("Sittard", 51.00, 5.87, "zuid", 1),
    ("Oss", 51.77, 5.52, "zuid", 1),
]
LAT_RANGE = (50.8, 53.4)
LON_RANGE = (3.4, 7.2)

SECTOR_PROFILES = {
    "metal": ("PIE", "M&T"),
    "electrical": ("PIE",),
    "construction": ("BWI",),
    "process": ("PIE", "MaT"),
    "mobility": ("M&T",),
    "ict": ("MVI",),
    "maritime": ("MaT",),
    "energy": ("PIE", "BWI"),
}
SECTOR_TOPICS = {
    "metal": ("lassen", "CNC-frezen", "plaatwerk", "draaien"),
    "electrical": ("schakelkasten", "domotica", "zonnepanelen aansluiten"),
    "construction": ("metselen", "timmeren", "bouwplaats", "BIM-modellen"),
    "process": ("procesoperator", "laboratorium", "voedingstechnologie"),
    "mobility": ("APK-werkplaats", "elektrisch rijden", "truckonderhoud"),
    "ict": ("programmeren", "netwerken", "game design", "drones"),
    "maritime": ("scheepsbouw", "havenlogistiek", "baggeren"),
    "energy": ("warmtepompen", "windturbines", "waterstof"),
}
KIND_WEIGHTS = {
    "company_visit": 35,
    "guest_lesson": 20,
    "workshop": 20,
    "job_shadowing": 15,
    "event": 10,
}
KIND_TITLES = {
    "company_visit": "Bedrijfsbezoek",
    "guest_lesson": "Gastles",
    "workshop": "Workshop",
    "job_shadowing": "Meeloopdag",
    "event": "Techniekdag",
}
YEAR_SETS = [
    ("1", "2"),
    ("2", "3"),
    ("3", "4"),
    ("3",),
    ("4",),
    ("1", "2", "3", "4"),
    ("2", "3", "4"),
]
YEAR_WEIGHTS = [15, 20, 25, 10, 8, 15, 7]
PATH_SETS = [("BB", "KB"), ("BB", "KB", "GL", "TL"), ("GL", "TL"), ("KB", "GL", "TL"), ("BB",)]
PATH_WEIGHTS = [30, 35, 10, 15, 10]
START_TIMES = [
    clock(8, 30),
    clock(9, 0),
    clock(9, 30),
    clock(10, 0),
    clock(11, 0),
    clock(13, 0),
    clock(13, 30),
    clock(14, 0),
]
COMPANY_WORDS = (
    "Techniek",
    "Installatie",
    "Metaal",
    "Bouw",
    "Systems",
    "Engineering",
    "Automatisering",
    "Energie",
    "Maritiem",
    "Mobility",
    "Precisie",
    "Industrie",
)
SURNAMES = (
    "de Vries",
    "Jansen",
    "Bakker",
    "Visser",
    "Smit",
    "Meijer",
    "de Boer",
    "Mulder",
    "Bos",
    "Vos",
    "Peters",
    "Hendriks",
    "van Dijk",
    "Dekker",
    "Brouwer",
    "de Wit",
)

MASKS = {
    name: FlagSet(words)
    for name, words in (
        ("sectors", SECTORS),
        ("profiles", PROFILES),
        ("years", YEARS),
        ("paths", PATHS),
    )
}


def plain_table(model):
    """The model's table for Core inserts, with FlagSet columns as plain
    integers: the generator computes the masks itself (FlagSet.mask), and the
    column type's bind processor would take an int for a set of codes."""
    columns = [
        column(c.name, Integer() if isinstance(c.type, FlagSet) else c.type)
        for c in model.__table__.columns
    ]
    return table(model.__tablename__, *columns)


class Timer:
    def __init__(self, echo):
        self.echo = echo
        self.started = self.last = time.perf_counter()
        self.phases: dict[str, float] = {}

    def lap(self, phase: str, rows: int | None = None) -> None:
        now = time.perf_counter()
        self.phases[phase] = now - self.last
        rate = f"  ({rows:,} rows, {rows / max(now - self.last, 1e-9):,.0f}/s)" if rows else ""
        self.echo(f"  {phase:<22} {now - self.last:7.1f} s{rate}")
        self.last = now

    @property
    def total(self) -> float:
        return time.perf_counter() - self.started


class Generator:
    def __init__(self, scale: Scale, seed: int, today: date, holidays: list[dict]):
        self.scale = scale
        self.rng = random.Random(seed)
        self.today = today
        self.now = utcnow() if today == date.today() else datetime.combine(today, clock(7, 0))
        self.first_day = today - timedelta(days=120)
        self.last_day = today + timedelta(days=240)
        self.holidays = holidays
        self.holiday_days = {region: set() for region in ("noord", "midden", "zuid")}
        for entry in holidays:
            day, end = date.fromisoformat(entry["start"]), date.fromisoformat(entry["end"])
            while day <= end:
                self.holiday_days[entry["region"]].add(day)
                day += timedelta(days=1)
        school_days = [
            self.first_day + timedelta(days=n)
            for n in range((self.last_day - self.first_day).days + 1)
            if (self.first_day + timedelta(days=n)).weekday() < 5
        ]
        # Companies plan around the holidays of their own region.
        self.open_days = {
            region: [d for d in school_days if d not in days]
            for region, days in self.holiday_days.items()
        }
        self._utc_cache: dict[tuple[date, clock], datetime] = {}

    # -- places ---------------------------------------------------------------------------------

    def _place(self) -> tuple[str, float, float, str]:
        name, lat, lon, region, _ = self.rng.choices(CITIES, weights=[c[4] for c in CITIES])[0]
        lat = min(max(self.rng.gauss(lat, 0.07), LAT_RANGE[0]), LAT_RANGE[1])
        lon = min(max(self.rng.gauss(lon, 0.10), LON_RANGE[0]), LON_RANGE[1])
        return name, round(lat, 5), round(lon, 5), region

    def _postcode(self) -> str:
        letters = "ABCDEFGHJKLMNPRSTVWXZ"
        first, second = self.rng.choice(letters), self.rng.choice(letters)
        return f"{self.rng.randrange(1000, 10000)} {first}{second}"

    def _utc(self, day: date, at: clock) -> datetime:
        key = (day, at)
        if key not in self._utc_cache:
            self._utc_cache[key] = local_to_utc(datetime.combine(day, at))
        return self._utc_cache[key]

    # -- organisations and people ---------------------------------------------------------------

    def organisations(self) -> tuple[list[dict], dict]:
        rng, rows = self.rng, []
        created = self.now - timedelta(days=400)
        schools, companies = [], []
        for i in range(self.scale.schools):
            city, lat, lon, region = self._place()
            oid = len(rows) + 1
            rows.append(
                {
                    "id": oid,
                    "kind": "school",
                    "name": f"Vmbo {city} locatie {i + 1}",
                    "status": "approved",
                    "address": f"Schoolstraat {rng.randrange(1, 200)}",
                    "postcode": self._postcode(),
                    "city": city,
                    "latitude": lat,
                    "longitude": lon,
                    "holiday_region": region,
                    "brin": f"{i % 100:02d}{chr(65 + i // 100 % 26)}{chr(65 + i // 2600 % 26)}",
                    "location_number": "00",
                    "kvk": None,
                    "website": "",
                    "phone": "",
                    "sectors": 0,
                    "profiles": MASKS["profiles"].mask(
                        rng.sample(list(PROFILES), rng.randint(1, 3))
                    ),
                    "created_at": created,
                    "approved_at": created,
                }
            )
            schools.append((oid, region))
        for i in range(self.scale.companies):
            city, lat, lon, region = self._place()
            sectors = rng.sample(list(SECTORS), rng.choice((1, 1, 2)))
            approved = rng.random() > 0.02
            oid = len(rows) + 1
            rows.append(
                {
                    "id": oid,
                    "kind": "company",
                    "name": f"{rng.choice(SURNAMES).title()} {rng.choice(COMPANY_WORDS)} {i + 1}",
                    "status": "approved" if approved else "pending",
                    "address": f"Industrieweg {rng.randrange(1, 400)}",
                    "postcode": self._postcode(),
                    "city": city,
                    "latitude": lat,
                    "longitude": lon,
                    "holiday_region": region,
                    "brin": None,
                    "location_number": None,
                    "kvk": f"{10_000_000 + i:08d}",
                    "website": "",
                    "phone": "",
                    "sectors": MASKS["sectors"].mask(sectors),
                    "profiles": MASKS["profiles"].mask(
                        {p for s in sectors for p in SECTOR_PROFILES[s]}
                    ),
                    "created_at": created,
                    "approved_at": created if approved else None,
                }
            )
            companies.append(
                {
                    "id": oid,
                    "region": region,
                    "sectors": sectors,
                    "approved": approved,
                    "name": rows[-1]["name"],
                    "city": city,
                    "lat": lat,
                    "lon": lon,
                    "address": rows[-1]["address"],
                    "postcode": rows[-1]["postcode"],
                }
            )
        network_id = len(rows) + 1
        rows.append(
            {
                "id": network_id,
                "kind": "network",
                "name": "Techniekpact benchmark",
                "status": "approved",
                "address": "",
                "postcode": "",
                "city": "Utrecht",
                "latitude": 52.09,
                "longitude": 5.12,
                "holiday_region": "midden",
                "brin": None,
                "location_number": None,
                "kvk": None,
                "website": "",
                "phone": "",
                "sectors": 0,
                "profiles": 0,
                "created_at": created,
                "approved_at": created,
            }
        )
        return rows, {"schools": schools, "companies": companies, "network": network_id}

    def people(self, orgs: dict, password_hash: str) -> tuple[list[dict], list[dict]]:
        """A teacher for every school, a contact for every company, one coordinator.
        Everyone shares one password hash: hashing it 21,500 times would take minutes."""
        users, memberships = [], []
        created = self.now - timedelta(days=300)

        kind_of_role = {"teacher": "school", "contact": "company", "coordinator": "network"}

        def add(email: str, name: str, organisation_id: int, role: str) -> int:
            uid = len(users) + 1
            users.append(
                {
                    "id": uid,
                    "email": email,
                    "name": name,
                    "password_hash": password_hash,
                    "phone": "",
                    "locale": "nl",
                    "active": True,
                    "created_at": created,
                }
            )
            memberships.append(
                {
                    "id": uid,
                    "user_id": uid,
                    "organisation_id": organisation_id,
                    "organisation_kind": kind_of_role[role],
                    "role": role,
                    "created_at": created,
                }
            )
            return uid

        self.teacher_of = {}
        for n, (school_id, _) in enumerate(orgs["schools"], start=1):
            self.teacher_of[school_id] = add(
                f"teacher{n}@bench.test", f"Docent {n}", school_id, "teacher"
            )
        self.contact_of = {}
        for n, company in enumerate(orgs["companies"], start=1):
            self.contact_of[company["id"]] = add(
                f"contact{n}@bench.test", f"Contactpersoon {n}", company["id"], "contact"
            )
        add("coordinator@bench.test", "Coördinator benchmark", orgs["network"], "coordinator")
        return users, memberships

    # -- activities and slots -------------------------------------------------------------------

    def activities(self, companies: list[dict]) -> list[dict]:
        rng, rows = self.rng, []
        # A few companies offer a lot, most offer one or two.
        weights = [rng.paretovariate(1.5) for _ in companies]
        owners = rng.choices(companies, weights=weights, k=self.scale.activities)
        kinds, kind_weights = list(KIND_WEIGHTS), list(KIND_WEIGHTS.values())
        for aid, company in enumerate(owners, start=1):
            kind = rng.choices(kinds, kind_weights)[0]
            sectors = rng.sample(company["sectors"], rng.randint(1, len(company["sectors"])))
            profiles = (
                ()
                if rng.random() < 0.15
                else sorted({p for s in sectors for p in SECTOR_PROFILES[s]})
            )
            venue = rng.choices(("company", "school", "online"), (60, 25, 15))[0]
            status = rng.choices(("published", "draft", "archived"), (85, 7, 8))[0]
            years = rng.choices(YEAR_SETS, YEAR_WEIGHTS)[0]
            paths = rng.choices(PATH_SETS, PATH_WEIGHTS)[0]
            topic = rng.choice(SECTOR_TOPICS[sectors[0]])
            created = self.now - timedelta(days=rng.randint(130, 400))
            rows.append(
                {
                    "id": aid,
                    "company_id": company["id"],
                    "kind": kind,
                    "title": f"{KIND_TITLES[kind]} {topic} bij {company['name']}",
                    "description": (
                        f"Leerlingen maken kennis met {topic} in de praktijk. "
                        f"Ze werken mee met vakmensen van {company['name']} in {company['city']} "
                        "en ontdekken welke opleidingen en beroepen erbij horen."
                    ),
                    "sectors": MASKS["sectors"].mask(sectors),
                    "profiles": MASKS["profiles"].mask(profiles),
                    "years": MASKS["years"].mask(years),
                    "paths": MASKS["paths"].mask(paths),
                    "venue": venue,
                    "address": "" if venue == "online" else company["address"],
                    "postcode": "" if venue == "online" else company["postcode"],
                    "city": "" if venue == "online" else company["city"],
                    "latitude": None if venue == "online" else company["lat"],
                    "longitude": None if venue == "online" else company["lon"],
                    "duration_minutes": rng.choice(
                        (60, 90, 120, 180, 240) if kind != "job_shadowing" else (360, 420)
                    ),
                    "max_group_size": rng.choice((12, 15, 20, 25, 30)),
                    "min_notice_days": rng.choice((0, 3, 7, 7, 14)),
                    "requires_approval": rng.random() < 0.6,
                    "contact_id": self.contact_of[company["id"]],
                    "status": status,
                    "created_at": created,
                    "updated_at": created,
                    "published_at": None if status == "draft" else created + timedelta(days=1),
                    # generator-only fields, dropped before the insert
                    "_region": company["region"],
                    "_bookable": company["approved"] and status != "draft",
                    "_years": years,
                    "_paths": paths,
                    "_profiles": profiles,
                }
            )
        return rows

    def slots(self, activities: list[dict]) -> list[dict]:
        """About scale.slots slots: each activity gets a share, as a weekly series
        or as loose dates, on school days outside its company's holidays."""
        rng, rows = self.rng, []
        per_activity = self.scale.slots / len(activities)
        shares = [rng.expovariate(1 / per_activity) for _ in activities]
        factor = self.scale.slots / sum(shares)
        remaining = self.scale.slots
        for index, activity in enumerate(activities):
            left = len(activities) - index - 1
            count = (
                remaining - left
                if left == 0
                else max(1, min(round(shares[index] * factor), remaining - left))
            )
            remaining -= count
            days = self.open_days[activity["_region"]]
            duration = timedelta(minutes=activity["duration_minutes"])
            if count > 2 and rng.random() < 0.4:
                series = f"{activity['id']:x}-{rng.getrandbits(40):010x}"
                first = rng.randrange(len(days))
                at = rng.choice(START_TIMES)
                chosen = [days[(first + 5 * n) % len(days)] for n in range(count)]
                times = [at] * count
            else:
                series = None
                chosen = [rng.choice(days) for _ in range(count)]
                times = [rng.choice(START_TIMES) for _ in range(count)]
            for day, at in zip(chosen, times, strict=True):
                starts = self._utc(day, at)
                cancelled = rng.random() < 0.02
                rows.append(
                    {
                        "id": len(rows) + 1,
                        "activity_id": activity["id"],
                        "starts_at": starts,
                        "ends_at": starts + duration,
                        "capacity": rng.randint(max(10, activity["max_group_size"]), 60),
                        "taken": 0,
                        "status": "cancelled" if cancelled else "open",
                        "cancel_reason": "Vakmensen niet beschikbaar" if cancelled else "",
                        "cancelled_at": starts - timedelta(days=3) if cancelled else None,
                        "series_key": series,
                        "revision": 1 if cancelled else 0,
                        "created_at": activity["created_at"],
                        "updated_at": activity["created_at"],
                        "_activity": activity,
                        "_day": day,
                    }
                )
        return rows

    # -- bookings -------------------------------------------------------------------------------

    def booking_counts(self, slots: list[dict]) -> list[int]:
        """How many bookings each slot gets; popular activities draw more."""
        rng = self.rng
        popularity: dict[int, float] = {}
        weights = []
        for slot in slots:
            activity = slot["_activity"]
            if not activity["_bookable"]:
                weights.append(0.0)
                continue
            if activity["id"] not in popularity:
                popularity[activity["id"]] = rng.lognormvariate(0, 0.5)
            weights.append(popularity[activity["id"]])
        picks = Counter(rng.choices(range(len(slots)), weights=weights, k=self.scale.bookings))
        return [picks.get(i, 0) for i in range(len(slots))]

    def bookings_for(
        self, slot: dict, count: int, schools_by_region: dict, next_id: int
    ) -> list[dict]:
        """The bookings of one slot in the order they were made; fills slot['taken']."""
        rng = self.rng
        activity = slot["_activity"]
        years, paths, profiles = activity["_years"], activity["_paths"], activity["_profiles"]
        past = slot["ends_at"] <= self.now
        regions = [
            r for r in ("noord", "midden", "zuid") if slot["_day"] not in self.holiday_days[r]
        ]
        home = activity["_region"] if activity["_region"] in regions else regions[0]
        rows = []
        for n in range(count):
            region = home if rng.random() < 0.75 else rng.choice(regions)
            school_id = rng.choice(schools_by_region[region] or schools_by_region["all"])
            year = rng.choice(years)
            # Mostly half classes: practical work goes in groups of about twelve.
            size = round(rng.triangular(6, activity["max_group_size"], 12))
            created = slot["starts_at"] - timedelta(
                days=rng.randint(max(activity["min_notice_days"], 1), 60),
                minutes=rng.randrange(600),
            )
            row = {
                "id": next_id + n,
                "slot_id": slot["id"],
                "school_id": school_id,
                "teacher_id": self.teacher_of[school_id],
                "booked_by_id": self.teacher_of[school_id],
                "group_size": size,
                "year": year,
                "path": rng.choice(paths),
                "profile": rng.choice(profiles) if profiles and year in ("3", "4") else None,
                "remarks": "",
                "status": "",
                "accept_waitlist": rng.random() < 0.3,
                "decline_reason": "",
                "cancel_reason": "",
                "cancelled_by": None,
                "idempotency_key": None,
                "revision": 0,
                "created_at": created,
                "updated_at": created,
            }
            draw = rng.random()
            if slot["status"] == "cancelled":
                row.update(
                    status="cancelled",
                    cancel_reason=slot["cancel_reason"],
                    cancelled_by="company",
                    revision=1,
                    updated_at=slot["cancelled_at"],
                )
            elif draw < 0.07:
                row.update(
                    status="cancelled",
                    cancel_reason="Toetsweek verschoven",
                    cancelled_by="school",
                    revision=1,
                )
            elif draw < 0.10:
                row.update(
                    status="declined",
                    decline_reason="Deze week geen begeleiding beschikbaar",
                    revision=1,
                )
            elif slot["taken"] + size <= slot["capacity"]:
                slot["taken"] += size
                if activity["requires_approval"] and rng.random() < 0.3:
                    row["status"] = "requested"
                else:
                    row["status"] = "completed" if past else "confirmed"
                    row["revision"] = 1 if activity["requires_approval"] else 0
            elif rng.random() < (0.7 if past else 0.5):
                # A group that did not fit exists only because it accepted the
                # waiting list; many of those give up and book something else.
                row.update(
                    status="cancelled",
                    accept_waitlist=True,
                    cancelled_by="school",
                    cancel_reason="Andere activiteit gekozen",
                    revision=1,
                )
            else:
                row.update(status="waitlisted", accept_waitlist=True)
            rows.append(row)
        return rows


def strip(rows: list[dict]) -> list[dict]:
    return [{k: v for k, v in row.items() if not k.startswith("_")} for row in rows]


def insert(connection, target, rows: list[dict]) -> None:
    """The rows into the table: COPY on PostgreSQL (an INSERT per row, even
    batched by executemany, costs the server and the driver several times as
    much), Core executemany in chunks elsewhere."""
    if not rows:
        return
    if connection.dialect.name == "postgresql":
        names = list(rows[0])
        quoted = ", ".join(f'"{name}"' for name in names)
        with connection.connection.driver_connection.cursor() as cursor:
            with cursor.copy(f'COPY "{target.name}" ({quoted}) FROM STDIN') as copy:
                for row in rows:
                    copy.write_row([row[name] for name in names])
        return
    for start in range(0, len(rows), CHUNK):
        connection.execute(target.insert(), rows[start : start + CHUNK])


def generate(
    url: str, scale_name: str, seed: int = 2026, today: date | None = None, echo=print
) -> dict:
    """Creates the schema in the empty database at url and fills it. Returns the row counts."""
    import flask_migrate

    from app import create_app
    from app.accounts.models import Membership, Organisation, User
    from app.bookings.models import Booking
    from app.catalogue.models import Activity, Slot
    from app.extensions import db
    from app.holidays.models import SchoolHoliday

    scale = SCALES[scale_name]
    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    timer = Timer(echo)
    echo(f"Generating the {scale_name} dataset into {_safe(url)}")
    with app.app_context():
        flask_migrate.upgrade()
        timer.lap("schema (migrations)")
        if db.session.scalar(select(func.count()).select_from(Organisation)):
            raise SystemExit("The database is not empty: the generator only fills an empty one.")
        db.session.remove()

        holidays = json.loads(
            (Path(app.root_path).parent / "fixtures" / "holidays.json").read_text()
        )["holidays"]
        gen = Generator(scale, seed, today or date.today(), holidays)
        from werkzeug.security import generate_password_hash

        password_hash = generate_password_hash(BENCH_PASSWORD)
        timer.lap("password hash")

        with db.engine.connect() as connection:
            sqlite = connection.dialect.name == "sqlite"
            _bulk_settings(connection, sqlite)

            def load(name, model, rows):
                with connection.begin():
                    insert(connection, plain_table(model), rows)
                timer.lap(name, len(rows))

            load(
                "holidays",
                SchoolHoliday,
                [
                    {
                        "id": n,
                        "region": h["region"],
                        "name": h["name"],
                        "start_date": date.fromisoformat(h["start"]),
                        "end_date": date.fromisoformat(h["end"]),
                    }
                    for n, h in enumerate(holidays, start=1)
                ],
            )
            org_rows, orgs = gen.organisations()
            load("organisations", Organisation, org_rows)
            users, memberships = gen.people(orgs, password_hash)
            load("users", User, users)
            load("memberships", Membership, memberships)
            activities = gen.activities(orgs["companies"])
            load("activities", Activity, strip(activities))

            slots = gen.slots(activities)
            counts = gen.booking_counts(slots)
            schools_by_region: dict[str, list[int]] = {"all": [s for s, _ in orgs["schools"]]}
            for region in ("noord", "midden", "zuid"):
                schools_by_region[region] = [s for s, r in orgs["schools"] if r == region]
            timer.lap("slots (in memory)", len(slots))
            slot_table, booking_table = plain_table(Slot), plain_table(Booking)
            next_booking, total_bookings = 1, 0
            # Slots and their bookings go in together, a chunk of slots at a
            # time, so that a million bookings never sit in memory at once.
            for start in range(0, len(slots), CHUNK):
                chunk = slots[start : start + CHUNK]
                bookings = []
                for offset, slot in enumerate(chunk):
                    made = gen.bookings_for(
                        slot, counts[start + offset], schools_by_region, next_booking
                    )
                    next_booking += len(made)
                    bookings.extend(made)
                with connection.begin():
                    insert(connection, slot_table, strip(chunk))
                    insert(connection, booking_table, bookings)
                total_bookings += len(bookings)
            timer.lap("slots and bookings", len(slots) + total_bookings)

            _finish(connection, sqlite)
            timer.lap("analyze, sequences")
        db.engine.dispose()
    counts = {
        "holidays": len(holidays),
        "organisations": len(org_rows),
        "users": len(users),
        "activities": len(activities),
        "slots": len(slots),
        "bookings": total_bookings,
    }
    echo(f"Done in {timer.total:.1f} s: " + ", ".join(f"{v:,} {k}" for k, v in counts.items()))
    return counts


def _bulk_settings(connection, sqlite: bool) -> None:
    """Loading settings for this connection only: nothing here is durable until
    the end, which is fine for a dataset that can be made again from its seed."""
    if sqlite:
        connection.exec_driver_sql("PRAGMA synchronous=OFF")
        connection.exec_driver_sql("PRAGMA cache_size=-400000")
        connection.exec_driver_sql("PRAGMA temp_store=MEMORY")
    else:
        connection.exec_driver_sql("SET synchronous_commit = off")
        # A superuser (the throw-away cluster's) may skip the foreign keys'
        # triggers for this connection: a check per row and key was about
        # half of PostgreSQL's time in COPY. The rows only reference ids the
        # generator made; SQLite loads them with its foreign keys on, and
        # tests/bench/test_generate.py checks that both get the same rows.
        superuser = connection.exec_driver_sql(
            "SELECT rolsuper FROM pg_roles WHERE rolname = current_user"
        ).scalar()
        if superuser:
            connection.exec_driver_sql("SET session_replication_role = replica")
    connection.commit()


def _finish(connection, sqlite: bool) -> None:
    """Planner statistics, and (PostgreSQL) sequences past the explicit ids, so
    that rows the application inserts later get fresh ids."""
    if sqlite:
        connection.exec_driver_sql("ANALYZE")
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        connection.commit()
    else:
        with connection.begin():
            for name in (
                "school_holiday",
                "organisation",
                "user",
                "membership",
                "activity",
                "slot",
                "booking",
            ):
                connection.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('\"{name}\"', 'id'), "
                        f'(SELECT coalesce(max(id), 1) FROM "{name}"))'
                    )
                )
            connection.exec_driver_sql("ANALYZE")
            connection.exec_driver_sql("RESET session_replication_role")


def _safe(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)
