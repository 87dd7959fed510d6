"""curriculum entries, activity tags and school offers

The curriculum's reference entries (filled by `flask curriculum load` from
fixtures/curriculum.json, extended by coordinators), one table of activity
tags keyed (dimension, code, activity_id) for EXISTS filters, and what each
school location offers per school year.

Revision ID: 827856f19c23
Revises: 9c4e2a7b1d53
Create Date: 2026-12-07 12:07:20

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "827856f19c23"
down_revision = "9c4e2a7b1d53"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "curriculum_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("profile", sa.String(length=8), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("paths", sa.Integer(), nullable=False),
        sa.Column("question", sa.String(length=200), nullable=False),
        sa.Column("source", sa.String(length=300), nullable=False),
        sa.Column("verified", sa.Boolean(), nullable=False),
        sa.Column("added_by_id", sa.Integer(), nullable=True),
        sa.Column("edited_at", sa.DateTime(), nullable=True),
        sa.Column("retired_at", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('module', 'keuzevak', 'skill', 'competence')",
            name=op.f("ck_curriculum_entry_kind"),
        ),
        sa.ForeignKeyConstraint(
            ["added_by_id"],
            ["user.id"],
            name=op.f("fk_curriculum_entry_added_by_id_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_curriculum_entry")),
        sa.UniqueConstraint("kind", "code", name="uq_curriculum_entry_kind_code"),
    )
    op.create_table(
        "school_offers",
        sa.Column("location_id", sa.Integer(), nullable=False),
        sa.Column("school_year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("dimension", sa.String(length=16), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["location_id"],
            ["organisation.id"],
            name=op.f("fk_school_offers_location_id_organisation"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "location_id", "school_year", "dimension", "code", name=op.f("pk_school_offers")
        ),
    )
    with op.batch_alter_table("school_offers", schema=None) as batch_op:
        batch_op.create_index(
            "ix_school_offers_dimension_code", ["dimension", "code", "school_year"], unique=False
        )

    op.create_table(
        "activity_tags",
        sa.Column("dimension", sa.String(length=16), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("activity_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["activity_id"],
            ["activity.id"],
            name=op.f("fk_activity_tags_activity_id_activity"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("dimension", "code", "activity_id", name=op.f("pk_activity_tags")),
    )
    with op.batch_alter_table("activity_tags", schema=None) as batch_op:
        batch_op.create_index("ix_activity_tags_activity_id", ["activity_id"], unique=False)


def downgrade():
    with op.batch_alter_table("activity_tags", schema=None) as batch_op:
        batch_op.drop_index("ix_activity_tags_activity_id")

    op.drop_table("activity_tags")
    with op.batch_alter_table("school_offers", schema=None) as batch_op:
        batch_op.drop_index("ix_school_offers_dimension_code")

    op.drop_table("school_offers")
    op.drop_table("curriculum_entry")
