"""the offer's version: a second catalogue_version row, raised only when
published activities or companies' approval change (the filters' index of
each web process follows it, app/catalogue/offer_index.py)

Revision ID: 6b1d0e93c5a8
Revises: 4f2a9c6e1b37
Create Date: 2026-12-07 12:05:00

"""
from alembic import op
import sqlalchemy as sa


revision = '6b1d0e93c5a8'
down_revision = '4f2a9c6e1b37'
branch_labels = None
depends_on = None


def upgrade():
    op.execute(sa.text("INSERT INTO catalogue_version (id, version) VALUES (2, 1)"))


def downgrade():
    op.execute(sa.text("DELETE FROM catalogue_version WHERE id = 2"))
