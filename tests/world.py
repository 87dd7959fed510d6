"""The cast most tests play with, built in one place.

The curriculum's reference entries (fixtures/curriculum.json), two schools
with a teacher each, two companies with a contact each, a network with a
coordinator, and a published activity of the first company (its contact is
the activity's contact) with an open slot three weeks ahead.

A package gives the cast the names and details its tests read back by
overriding the `cast` fixture (tests/conftest.py): {member: {column: value}},
for example {"teacher": {"locale": "en"}}. A package that needs more than the
cast (an API client per person, a professional) extends `World` with those
members only.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

from app.accounts.models import Organisation, User
from app.curriculum.service import load_reference
from app.extensions import db
from tests import factories


@dataclass
class World:
    school: Organisation
    other_school: Organisation
    company: Organisation
    other_company: Organisation
    network: Organisation
    teacher: User
    other_teacher: User
    contact: User
    other_contact: User
    coordinator: User
    activity: object
    slot: object

    def members(self) -> dict:
        """The cast's members by name, to build a `World` subclass from."""
        return {f.name: getattr(self, f.name) for f in fields(World)}


MEMBERS = frozenset(f.name for f in fields(World))


def build(cast: dict[str, dict] | None = None) -> World:
    """The world, committed; `cast` overrides the factories' values per member."""
    cast = cast or {}
    unknown = set(cast) - MEMBERS
    assert not unknown, f"no such member of the world: {sorted(unknown)}"

    def given(member: str, **defaults) -> dict:
        return {**defaults, **cast.get(member, {})}

    # The curriculum's reference entries, as every installation has them.
    load_reference()
    school = factories.school(**given("school"))
    other_school = factories.school(**given("other_school"))
    company = factories.company(**given("company"))
    other_company = factories.company(**given("other_company"))
    network = factories.network(**given("network"))
    teacher = factories.user(school, "teacher", **given("teacher"))
    other_teacher = factories.user(other_school, "teacher", **given("other_teacher"))
    contact = factories.user(company, "contact", **given("contact"))
    other_contact = factories.user(other_company, "contact", **given("other_contact"))
    coordinator = factories.user(network, "coordinator", **given("coordinator"))
    activity = factories.activity(company, **given("activity", contact_id=contact.id))
    slot = factories.slot(activity, **given("slot"))
    db.session.commit()
    return World(
        school=school,
        other_school=other_school,
        company=company,
        other_company=other_company,
        network=network,
        teacher=teacher,
        other_teacher=other_teacher,
        contact=contact,
        other_contact=other_contact,
        coordinator=coordinator,
        activity=activity,
        slot=slot,
    )
