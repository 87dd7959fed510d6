"""evaluation: how meaningful the encounter was, the school's four answers

A clear purpose and learning goals, interaction with professionals, the
pupils' own reflection, a planned follow-up: yes or no each, asked of the
school. Nullable, so the evaluations given before they were asked keep
their meaning ("not asked"), and the company side leaves them empty.

Revision ID: 7a1e5c3d9b02
Revises: 827856f19c23
Create Date: 2026-12-07 12:10:00

"""

import sqlalchemy as sa
from alembic import op

revision = "7a1e5c3d9b02"
down_revision = "827856f19c23"
branch_labels = None
depends_on = None

COLUMNS = ("clear_purpose", "professionals_interaction", "pupils_reflected", "follow_up_planned")


def upgrade():
    with op.batch_alter_table("evaluation", schema=None) as batch_op:
        for name in COLUMNS:
            batch_op.add_column(sa.Column(name, sa.Boolean(), nullable=True))


def downgrade():
    with op.batch_alter_table("evaluation", schema=None) as batch_op:
        for name in reversed(COLUMNS):
            batch_op.drop_column(name)
