"""Small factories for test data. Each returns a flushed row with sensible
defaults; keyword arguments override any column."""

from __future__ import annotations

import itertools

from werkzeug.security import generate_password_hash

from app.accounts.models import Membership, Organisation, User
from app.extensions import db

PASSWORD = "secret-password"
_PASSWORD_HASH = generate_password_hash(PASSWORD)
_counter = itertools.count(1)


def _n() -> int:
    return next(_counter)


def organisation(kind: str, **values) -> Organisation:
    n = _n()
    defaults = {
        "kind": kind,
        "name": f"{kind.title()} {n}",
        "status": "approved",
        "address": f"Teststraat {n}",
        "postcode": "7511 AB",
        "city": "Enschede",
        "latitude": 52.2215,
        "longitude": 6.8937,
        "holiday_region": "noord",
    }
    if kind == "school":
        defaults |= {"brin": f"{n % 100:02d}AB", "location_number": f"{n // 100 % 100:02d}",
                     "profiles": frozenset({"PIE", "BWI"})}
    if kind == "company":
        defaults |= {"kvk": f"{10000000 + n:08d}", "sectors": frozenset({"metal"})}
    defaults.update(values)
    org = Organisation(**defaults)
    db.session.add(org)
    db.session.flush()
    return org


def school(**values) -> Organisation:
    return organisation("school", **values)


def company(**values) -> Organisation:
    return organisation("company", **values)


def network(**values) -> Organisation:
    return organisation("network", **values)


def user(org: Organisation | None = None, role: str | None = None, **values) -> User:
    n = _n()
    defaults = {"email": f"person{n}@example.test", "name": f"Person {n}", "password_hash": _PASSWORD_HASH}
    defaults.update(values)
    person = User(**defaults)
    db.session.add(person)
    db.session.flush()
    if org is not None:
        db.session.add(Membership(user=person, organisation=org, role=role))
        db.session.flush()
    db.session.commit()
    return person
