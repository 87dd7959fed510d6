"""Reading the government's open data on pupil numbers per school location
(DUO, "leerlingen vo per vestiging") into enrolment rows.

Columns are found by their header name through `LAYOUT`, never by position:
when DUO renames or reorders its columns, the layout changes and nothing else
(docs/ENROLMENT.md documents it column by column). The national file holds
every school type and every location in the country, so a row of a location
that is not on Techniekpoort, or of havo or vwo, is skipped and counted; a row
that cannot be read is an error with its line number, and any error stops the
whole import (`service.import_enrolment`)."""

from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import dataclass, field

from flask_babel import gettext as _
from flask_babel import ngettext

from app import vocabulary
from app.enrolment.models import MOST_PUPILS

MOST_BYTES = 5_000_000
MOST_LINES = 200_000


@dataclass(frozen=True)
class Layout:
    """Which header holds what. `pupils` maps each count column to the class
    year it counts; several columns of one year (say men and women) add up."""

    brin: str
    location_number: str
    path: str
    profile: str
    pupils: dict[str, str]
    # Values of the `path` column: the vmbo learning paths, and the school
    # types of the national file that are not vmbo (skipped, not errors).
    path_values: dict[str, str]
    other_school_types: frozenset[str]
    # Values of the `profile` column, besides the codes themselves; empty for
    # years 1 and 2, which have no profile yet.
    profile_values: dict[str, str] = field(default_factory=dict)

    @property
    def required(self) -> list[str]:
        return [self.brin, self.location_number, self.path, self.profile, *self.pupils]


LAYOUT = Layout(
    brin="BRIN NUMMER",
    location_number="VESTIGINGSNUMMER",
    path="ONDERWIJSTYPE VO",
    profile="AFDELING",
    pupils={
        "LEER- OF VERBLIJFSJAAR 1": "1",
        "LEER- OF VERBLIJFSJAAR 2": "2",
        "LEER- OF VERBLIJFSJAAR 3": "3",
        "LEER- OF VERBLIJFSJAAR 4": "4",
    },
    path_values={"VMBO BB": "BB", "VMBO KB": "KB", "VMBO GL": "GL", "VMBO TL": "TL"},
    other_school_types=frozenset({"HAVO", "VWO", "PRO", "VAVO", "VMBO-HAVO", "HAVO-VWO"}),
    profile_values={
        "BOUWEN, WONEN EN INTERIEUR": "BWI",
        "PRODUCEREN, INSTALLEREN EN ENERGIE": "PIE",
        "MARITIEM EN TECHNIEK": "MaT",
        "MOBILITEIT EN TRANSPORT": "M&T",
        "MEDIA, VORMGEVING EN ICT": "MVI",
        "DIENSTVERLENING EN PRODUCTEN": "D&P",
        "ZORG EN WELZIJN": "Z&W",
        "ECONOMIE EN ONDERNEMEN": "E&O",
        "HORECA, BAKKERIJ EN RECREATIE": "HBR",
        "GROEN": "Groen",
    },
)


@dataclass(frozen=True)
class Row:
    """One count of the file: a location (brin + location number), a class
    year, a learning path, a profile ('' for years 1 and 2), and its pupils."""

    line: int
    brin: str
    location_number: str
    year: str
    path: str
    profile: str
    pupils: int


@dataclass(frozen=True)
class Problem:
    line: int | None  # None: the file as a whole
    message: str


@dataclass
class Reading:
    rows: list[Row] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    other_school_types: int = 0  # havo, vwo... rows skipped

    def refuse(self, line: int | None, message: str) -> None:
        self.problems.append(Problem(line, message))


def decode(data: bytes) -> str:
    """UTF-8 (with or without the byte-order mark Excel writes) or, failing
    that, Windows-1252, which Excel on Windows saves CSV in."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252")


def _dialect(header_line: str, layout: Layout) -> str:
    """The separator under which the header line names the most known columns:
    DUO publishes with semicolons, a spreadsheet may save with commas."""
    known = set(layout.required)

    def score(separator: str) -> int:
        return sum(
            1
            for h in next(csv.reader([header_line], delimiter=separator))
            if h.strip().upper() in known
        )

    return max((";", ",", "\t"), key=score)


def _pupils(value: str) -> int | None:
    value = value.strip()
    if value == "":
        return 0
    try:
        return int(value)
    except ValueError:
        return None


def read(data: bytes, layout: Layout = LAYOUT) -> Reading:
    reading = Reading()
    if len(data) > MOST_BYTES:
        reading.refuse(None, _("The file is larger than 5 MB."))
        return reading
    text = decode(data)
    lines = text.splitlines()
    if not lines or not lines[0].strip():
        reading.refuse(None, _("The file is empty."))
        return reading
    if len(lines) > MOST_LINES:
        reading.refuse(None, _("The file has more than 200,000 lines."))
        return reading
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_dialect(lines[0], layout))
    header = [h.strip().upper() for h in next(reader)]
    repeated = sorted(h for h, n in Counter(header).items() if n > 1 and h)
    if repeated:
        reading.refuse(None, _("Columns named twice: %(names)s.", names=", ".join(repeated)))
    missing = [h for h in layout.required if h not in header]
    if missing:
        reading.refuse(
            None,
            ngettext(
                "The column %(names)s is missing.",
                "The columns %(names)s are missing.",
                len(missing),
                names=", ".join(missing),
            ),
        )
    if reading.problems:
        return reading
    at = {name: header.index(name) for name in layout.required}
    profiles = {code.upper(): code for code in vocabulary.PROFILES} | layout.profile_values
    seen: dict[tuple, int] = {}
    for cells in reader:
        line = reader.line_num
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != len(header):
            reading.refuse(
                line,
                ngettext(
                    "%(num)d cell where the header has %(wanted)d columns.",
                    "%(num)d cells where the header has %(wanted)d columns.",
                    len(cells),
                    wanted=len(header),
                ),
            )
            continue

        value = {name: cells[i].strip() for name, i in at.items()}

        school_type = value[layout.path].upper()
        if school_type in layout.other_school_types:
            reading.other_school_types += 1
            continue
        path = layout.path_values.get(school_type)
        if path is None:
            reading.refuse(line, _("Unknown school type “%(value)s”.", value=value[layout.path]))
            continue
        brin, number = value[layout.brin].upper(), value[layout.location_number]
        if len(brin) != 4 or not brin.isalnum():
            reading.refuse(line, _("“%(value)s” is not a BRIN number.", value=value[layout.brin]))
            continue
        if not (number.isdigit() and len(number) <= 2):
            reading.refuse(line, _("“%(value)s” is not a location number.", value=number))
            continue
        number = number.zfill(2)
        written = value[layout.profile]
        profile = profiles.get(written.upper(), None) if written else ""
        if profile is None:
            reading.refuse(line, _("Unknown profile “%(value)s”.", value=written))
            continue
        key = (brin, number, path, profile)
        if key in seen:
            reading.refuse(
                line,
                _("The same location, school type and profile as line %(line)d.", line=seen[key]),
            )
            continue
        seen[key] = line
        counts: Counter[str] = Counter()
        wrong = None
        for column, year in layout.pupils.items():
            pupils = _pupils(value[column])
            if pupils is None or not 0 <= pupils <= MOST_PUPILS:
                wrong = (column, value[column])
                break
            counts[year] += pupils
        if wrong:
            reading.refuse(
                line,
                _(
                    "“%(value)s” in %(column)s is not a number of pupils from 0 to %(most)d.",
                    value=wrong[1],
                    column=wrong[0],
                    most=MOST_PUPILS,
                ),
            )
            continue
        for year, pupils in sorted(counts.items()):
            if not pupils:
                continue
            # Years 1 and 2 have no profile yet, whatever the row says.
            reading.rows.append(
                Row(line, brin, number, year, path, profile if year in ("3", "4") else "", pupils)
            )
    return reading
