"""account: last seen, warned about inactivity, deleted

What the privacy rules need of an account (app/privacy/): the moment it was
last seen (a sign-in), when the retention job warned about inactivity, and
when it was deleted.

Revision ID: 8d4c1a7e5f20
Revises: 3b8e2f6a9c41
Create Date: 2026-12-06 21:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '8d4c1a7e5f20'
down_revision = '3b8e2f6a9c41'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('last_seen_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('inactivity_warned_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('deleted_at', sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('deleted_at')
        batch_op.drop_column('inactivity_warned_at')
        batch_op.drop_column('last_seen_at')
