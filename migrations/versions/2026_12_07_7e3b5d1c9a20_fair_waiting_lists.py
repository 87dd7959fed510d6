"""fair waiting lists: offered bookings and the region's promotion rule

A booking may be `offered` (places held for it until offer_expires_at, when a
place frees shortly before the start), and a coordinator chooses who gets
freed places first (waiting_list_rule, one row).

Revision ID: 7e3b5d1c9a20
Revises: 6b1d0e93c5a8
Create Date: 2026-12-07 12:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "7e3b5d1c9a20"
down_revision = "6b1d0e93c5a8"
branch_labels = None
depends_on = None

NEW_STATES = (
    "status IN ('requested', 'confirmed', 'waitlisted', 'offered', 'declined', "
    "'cancelled', 'completed')"
)
OLD_STATES = (
    "status IN ('requested', 'confirmed', 'waitlisted', 'declined', 'cancelled', 'completed')"
)


def upgrade():
    op.create_table(
        "waiting_list_rule",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("rule", sa.String(length=16), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "rule IN ('first_come', 'fewest_first')", name=op.f("ck_waiting_list_rule_rule")
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"],
            ["user.id"],
            name=op.f("fk_waiting_list_rule_updated_by_id_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_waiting_list_rule")),
    )
    with op.batch_alter_table("booking", schema=None) as batch_op:
        batch_op.add_column(sa.Column("offer_expires_at", sa.DateTime(), nullable=True))
        batch_op.drop_constraint(batch_op.f("ck_booking_status"), type_="check")
        batch_op.create_check_constraint(batch_op.f("ck_booking_status"), NEW_STATES)


def downgrade():
    # Offers go back to waiting: the old states know no offer.
    op.execute(
        "UPDATE booking SET status = 'waitlisted', offer_expires_at = NULL "
        "WHERE status = 'offered'"
    )
    with op.batch_alter_table("booking", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_booking_status"), type_="check")
        batch_op.create_check_constraint(batch_op.f("ck_booking_status"), OLD_STATES)
        batch_op.drop_column("offer_expires_at")
    op.drop_table("waiting_list_rule")
