"""lob sheets: the company's questions per activity, the teacher's sheet per booking

The loopbaandossier sheet of a booking is composed from the activity, its
tags and the career competences; the company adds questions to its activity
and the teacher adapts the sheet for the booking, which also holds the token
of the page the pupils fill in (answers stay in their browser).

Revision ID: c8a4f1e2d735
Revises: b5d2e8f1a643
Create Date: 2026-12-07 12:30:00

"""

import sqlalchemy as sa
from alembic import op

revision = "c8a4f1e2d735"
down_revision = "b5d2e8f1a643"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "lob_activity_questions",
        sa.Column("activity_id", sa.Integer(), nullable=False),
        sa.Column("prepare", sa.Text(), nullable=False),
        sa.Column("look_for", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["activity_id"],
            ["activity.id"],
            name=op.f("fk_lob_activity_questions_activity_id_activity"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("activity_id", name=op.f("pk_lob_activity_questions")),
    )
    op.create_table(
        "lob_booking_sheet",
        sa.Column("booking_id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=43), nullable=False),
        sa.Column("goals", sa.Text(), nullable=False),
        sa.Column("prepare", sa.Text(), nullable=False),
        sa.Column("look_for", sa.Text(), nullable=False),
        sa.Column("follow_up", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["booking_id"],
            ["booking.id"],
            name=op.f("fk_lob_booking_sheet_booking_id_booking"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("booking_id", name=op.f("pk_lob_booking_sheet")),
        sa.UniqueConstraint("token", name=op.f("uq_lob_booking_sheet_token")),
    )


def downgrade():
    op.drop_table("lob_booking_sheet")
    op.drop_table("lob_activity_questions")
