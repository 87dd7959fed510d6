"""a person's language is a choice: NULL until they make it

Until someone picks a language, pages follow their browser's Accept-Language
and their mails are Dutch; after they pick one (the switch or their account
page), both use it. Existing rows keep the language they have.

Revision ID: 3c9d2e7a41f0
Revises: 8d4c1a7e5f20
Create Date: 2026-12-06 23:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '3c9d2e7a41f0'
down_revision = '8d4c1a7e5f20'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user') as batch_op:
        batch_op.alter_column('locale', existing_type=sa.String(length=5), nullable=True)


def downgrade():
    op.execute("UPDATE \"user\" SET locale = 'nl' WHERE locale IS NULL")
    with op.batch_alter_table('user') as batch_op:
        batch_op.alter_column('locale', existing_type=sa.String(length=5), nullable=False)
