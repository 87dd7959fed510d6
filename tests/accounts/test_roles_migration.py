"""The revision that ties roles to the kind of organisation, on a database that
has memberships already: roles that did not fit lose their power."""

from __future__ import annotations

from sqlalchemy import text

from tests import test_migrations

# The migration tests' fixtures: a database of its own, migrated by the test.
empty_database = test_migrations.empty_database
migration_app = test_migrations.migration_app

BEFORE = "5e1a7c0d2b94"


def test_existing_memberships_get_their_kind_and_misfit_roles_lose_their_power(migration_app):
    from flask_migrate import upgrade

    from app.extensions import db

    upgrade(revision=BEFORE)
    with db.engine.begin() as connection:
        for row in (
            "INSERT INTO organisation (id, kind, name, status, address, postcode, city, "
            "holiday_region, website, phone, sectors, profiles, created_at) VALUES "
            "(1, 'school', 'School', 'approved', '', '', '', 'noord', '', '', 0, 0, "
            "CURRENT_TIMESTAMP), (2, 'network', 'Netwerk', 'approved', '', '', '', 'noord', "
            "'', '', 0, 0, CURRENT_TIMESTAMP)",
            'INSERT INTO "user" (id, email, name, password_hash, phone, locale, active, '
            "created_at) VALUES (1, 'a@b.test', 'A', '', '', 'nl', true, CURRENT_TIMESTAMP), "
            "(2, 'c@d.test', 'C', '', '', 'nl', true, CURRENT_TIMESTAMP)",
            # A "coordinator" of a school: region-wide power from the wrong place.
            "INSERT INTO membership (id, user_id, organisation_id, role, created_at) VALUES "
            "(1, 1, 1, 'coordinator', CURRENT_TIMESTAMP), "
            "(2, 2, 2, 'administrator', CURRENT_TIMESTAMP)",
            # Rows that refer to people and organisations survive the rebuilds.
            "INSERT INTO api_token (id, user_id, name, token_hash, prefix, created_at) VALUES "
            "(1, 1, 'Rooster', 'hash', 'tp_x', CURRENT_TIMESTAMP)",
        ):
            connection.execute(text(row))
    upgrade()
    with db.engine.connect() as connection:
        rows = connection.execute(
            text("SELECT id, organisation_kind, role FROM membership ORDER BY id")
        ).all()
    assert [tuple(r) for r in rows] == [(1, "school", "teacher"), (2, "network", "administrator")]
    with db.engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM api_token")).scalar() == 1
