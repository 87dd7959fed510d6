"""enrolment: pupils per school location, school year, class year, path and profile

What coverage in pupils is counted against: entered by the school on its page
or imported by a coordinator from DUO's open data. Years 1 and 2 store the
empty profile (a key column).

Revision ID: b5d2e8f1a643
Revises: 7a1e5c3d9b02
Create Date: 2026-12-07 12:20:00

"""

import sqlalchemy as sa
from alembic import op

revision = "b5d2e8f1a643"
down_revision = "7a1e5c3d9b02"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "enrolment",
        sa.Column("location_id", sa.Integer(), nullable=False),
        sa.Column("school_year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("year", sa.String(length=1), nullable=False),
        sa.Column("path", sa.String(length=2), nullable=False),
        sa.Column("profile", sa.String(length=8), nullable=False),
        sa.Column("pupils", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=8), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("pupils BETWEEN 0 AND 2000", name=op.f("ck_enrolment_pupils_range")),
        sa.CheckConstraint("source IN ('school', 'import')", name=op.f("ck_enrolment_source")),
        sa.ForeignKeyConstraint(
            ["location_id"],
            ["organisation.id"],
            name=op.f("fk_enrolment_location_id_organisation"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "location_id", "school_year", "year", "path", "profile", name=op.f("pk_enrolment")
        ),
    )


def downgrade():
    op.drop_table("enrolment")
