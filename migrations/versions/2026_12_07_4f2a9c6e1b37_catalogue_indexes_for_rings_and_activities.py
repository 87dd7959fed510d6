"""catalogue indexes: an activity's slots by status and start, activities by place

The catalogue finds slots of chosen activities through slot (activity_id,
status, starts_at), which replaces the index on activity_id alone (its prefix),
and the activities in a ring around a school through activity (status,
latitude, longitude) (docs/PERFORMANCE.md, "The catalogue query").

Revision ID: 4f2a9c6e1b37
Revises: 3c9d2e7a41f0
Create Date: 2026-12-07 03:00:00

"""

from alembic import op

revision = "4f2a9c6e1b37"
down_revision = "3c9d2e7a41f0"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("slot", schema=None) as batch_op:
        batch_op.create_index(
            "ix_slot_activity_status_starts_at",
            ["activity_id", "status", "starts_at"],
            unique=False,
        )
        batch_op.drop_index("ix_slot_activity_id")
    with op.batch_alter_table("activity", schema=None) as batch_op:
        batch_op.create_index(
            "ix_activity_status_latitude", ["status", "latitude", "longitude"], unique=False
        )


def downgrade():
    with op.batch_alter_table("activity", schema=None) as batch_op:
        batch_op.drop_index("ix_activity_status_latitude")
    with op.batch_alter_table("slot", schema=None) as batch_op:
        batch_op.create_index("ix_slot_activity_id", ["activity_id"], unique=False)
        batch_op.drop_index("ix_slot_activity_status_starts_at")
