"""Small factories for test data. Each returns a flushed row with sensible
defaults; keyword arguments override any column."""

from __future__ import annotations

import itertools

from werkzeug.security import generate_password_hash

from app.accounts.models import Membership, Organisation, User
from app.extensions import db

PASSWORD = "secret-password"
# Stored with one round of PBKDF2: checking it is what most signing in costs in
# the suite, and the app's own scrypt hash takes a tenth of a second per check.
# The check is werkzeug's, which reads the method from the hash; passwords the
# app sets (sign-up, a reset, settings) are hashed the app's way.
_PASSWORD_HASH = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1")
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
        defaults |= {
            "brin": f"{n % 100:02d}AB",
            "location_number": f"{n // 100 % 100:02d}",
            "profiles": frozenset({"PIE", "BWI"}),
        }
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
    defaults = {
        "email": f"person{n}@example.test",
        "name": f"Person {n}",
        "password_hash": _PASSWORD_HASH,
    }
    defaults.update(values)
    person = User(**defaults)
    db.session.add(person)
    db.session.flush()
    if org is not None:
        db.session.add(Membership(user=person, organisation=org, role=role))
        db.session.flush()
    db.session.commit()
    return person


# --- catalogue ------------------------------------------------------------------------


def activity(company: Organisation, **values):
    """A published activity for every year and path, open to groups of up to 30."""
    from app.catalogue.models import Activity

    n = _n()
    defaults = {
        "company": company,
        "kind": "company_visit",
        "title": f"Activity {n}",
        "description": "",
        "sectors": frozenset({"metal"}),
        "profiles": frozenset({"PIE", "BWI"}),
        "years": frozenset({"1", "2", "3", "4"}),
        "paths": frozenset({"BB", "KB", "GL", "TL"}),
        "venue": "company",
        "address": company.address,
        "postcode": company.postcode,
        "city": company.city,
        "latitude": company.latitude,
        "longitude": company.longitude,
        "duration_minutes": 120,
        "max_group_size": 30,
        "min_notice_days": 7,
        "requires_approval": True,
        "status": "published",
    }
    defaults.update(values)
    row = Activity(**defaults)
    db.session.add(row)
    db.session.flush()
    return row


def slot(activity, **values):
    """An open slot three weeks ahead (09:00 UTC), as long as the activity,
    with room for 30 students. `days_ahead` moves it; negative is in the past."""
    from datetime import timedelta

    from app.catalogue.models import Slot
    from app.timeutil import utcnow

    days_ahead = values.pop("days_ahead", 21)
    starts_at = values.pop("starts_at", None) or (
        utcnow().replace(hour=9, minute=0, second=0, microsecond=0) + timedelta(days=days_ahead)
    )
    defaults = {
        "activity": activity,
        "starts_at": starts_at,
        "ends_at": starts_at + timedelta(minutes=activity.duration_minutes),
        "capacity": 30,
        "taken": 0,
        "status": "open",
    }
    defaults.update(values)
    row = Slot(**defaults)
    db.session.add(row)
    db.session.flush()
    return row
