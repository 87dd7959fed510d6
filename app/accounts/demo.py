"""The demo region's organisations and people (fixtures/demo_region.json), and
the helpers every domain's demo loader uses to find them."""

from __future__ import annotations

import json
from pathlib import Path

from flask import current_app
from sqlalchemy import select

from app.accounts.models import Membership, Organisation, User
from app.extensions import db
from app.timeutil import utcnow

DEMO_PASSWORD = "techniek"


def fixture(name: str) -> dict:
    path = Path(current_app.root_path).parent / "fixtures" / name
    return json.loads(path.read_text(encoding="utf-8"))


def load_organisations_and_people() -> dict[str, int]:
    data = fixture("demo_region.json")
    by_key: dict[str, Organisation] = {}
    for item in data["organisations"]:
        values = {k: v for k, v in item.items() if k not in ("key", "sectors", "profiles")}
        values.setdefault("status", "approved")
        organisation = db.session.scalar(
            select(Organisation).where(
                Organisation.name == item["name"], Organisation.kind == item["kind"]
            )
        )
        if organisation is None:
            organisation = Organisation(**values)
            organisation.sectors = frozenset(item.get("sectors", ()))
            organisation.profiles = frozenset(item.get("profiles", ()))
            if organisation.status == "approved":
                organisation.approved_at = utcnow()
            db.session.add(organisation)
        by_key[item["key"]] = organisation
    db.session.flush()

    # One hash for every demo account: they share the password, and hashing it
    # ninety times would make loading slow for nothing.
    template = User(email="", name="")
    template.set_password(DEMO_PASSWORD)
    people = 0
    for person in data["people"]:
        user = db.session.scalar(select(User).where(User.email == person["email"]))
        if user is None:
            user = User(
                email=person["email"], name=person["name"], password_hash=template.password_hash
            )
            db.session.add(user)
            db.session.flush()
            people += 1
        for key, role in person["memberships"]:
            organisation = by_key[key]
            if not any(m.organisation_id == organisation.id for m in user.memberships):
                db.session.add(Membership(user=user, organisation=organisation, role=role))
    db.session.flush()
    return {"organisations": len(by_key), "people": len(data["people"])}


def demo_organisation(key: str) -> Organisation:
    """A demo organisation by its fixture key (for the later loaders and the tests)."""
    item = next(o for o in fixture("demo_region.json")["organisations"] if o["key"] == key)
    return db.session.scalar(
        select(Organisation).where(
            Organisation.name == item["name"], Organisation.kind == item["kind"]
        )
    )
