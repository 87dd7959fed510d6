"""profile codes up to eight characters: "Groen" has five, and PostgreSQL
refused a Groen group's booking in a VARCHAR(3)

Revision ID: e4b7a2c9d610
Revises: 9c4e2a7b1d53
Create Date: 2026-12-07 13:25:00

"""

import sqlalchemy as sa
from alembic import op

revision = "e4b7a2c9d610"
down_revision = "9c4e2a7b1d53"
branch_labels = None
depends_on = None

TABLES = ("booking", "reach_fact", "school_request")


def upgrade():
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.alter_column(
                "profile", existing_type=sa.String(3), type_=sa.String(8), existing_nullable=True
            )


def downgrade():
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.alter_column(
                "profile", existing_type=sa.String(8), type_=sa.String(3), existing_nullable=True
            )
