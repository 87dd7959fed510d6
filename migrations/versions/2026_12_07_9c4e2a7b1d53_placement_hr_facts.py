"""placement HR facts: the VOG's date, qualification, supervisor and route

Revision ID: 9c4e2a7b1d53
Revises: 7e3b5d1c9a20
Create Date: 2026-12-07 12:40:00

"""

import sqlalchemy as sa
from alembic import op

revision = "9c4e2a7b1d53"
down_revision = "7e3b5d1c9a20"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("placement", schema=None) as batch_op:
        batch_op.add_column(sa.Column("vog_date", sa.Date(), nullable=True))
        batch_op.add_column(
            sa.Column("qualified", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(sa.Column("supervisor_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "qualification_route", sa.String(length=200), nullable=False, server_default=""
            )
        )
        batch_op.add_column(sa.Column("qualification_deadline", sa.Date(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_placement_supervisor_id_user"),
            "user",
            ["supervisor_id"],
            ["id"],
            ondelete="SET NULL",
        )
    with op.batch_alter_table("placement", schema=None) as batch_op:
        batch_op.alter_column("qualified", server_default=None)
        batch_op.alter_column("qualification_route", server_default=None)


def downgrade():
    with op.batch_alter_table("placement", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_placement_supervisor_id_user"), type_="foreignkey")
        batch_op.drop_column("qualification_deadline")
        batch_op.drop_column("qualification_route")
        batch_op.drop_column("supervisor_id")
        batch_op.drop_column("qualified")
        batch_op.drop_column("vog_date")
