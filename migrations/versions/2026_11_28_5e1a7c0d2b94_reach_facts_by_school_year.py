"""reach facts by school year and month, insights cache version

The dashboard groups the facts by school year and month from covering indexes
(docs/PERFORMANCE.md, "Documents and dashboard"). The facts are derived rows:
this revision empties them before adding the two NOT NULL columns, and
`flask --app wsgi insights rebuild` (also run nightly by the scheduler and by
`demo load`) writes them again from the bookings and evaluations.

Revision ID: 5e1a7c0d2b94
Revises: 00af94162301
Create Date: 2026-11-28 15:25:00

"""
from alembic import op
import sqlalchemy as sa


revision = '5e1a7c0d2b94'
down_revision = '00af94162301'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('insights_version',
    sa.Column('school_year', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('version', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('school_year', name=op.f('pk_insights_version'))
    )
    op.execute("DELETE FROM reach_fact")
    with op.batch_alter_table('reach_fact', schema=None) as batch_op:
        batch_op.add_column(sa.Column('school_year', sa.Integer(), nullable=False))
        batch_op.add_column(sa.Column('month', sa.Integer(), nullable=False))
        batch_op.create_index('ix_reach_fact_cells', ['school_year', 'profile', 'year', 'path', 'kind', 'sectors', 'students', 'booked', 'school_rating', 'company_rating'], unique=False)
        batch_op.create_index('ix_reach_fact_companies', ['school_year', 'company_id'], unique=False)
        batch_op.create_index('ix_reach_fact_schools', ['school_year', 'school_id', 'month', 'profile', 'year', 'path', 'kind', 'sectors', 'students'], unique=False)


def downgrade():
    with op.batch_alter_table('reach_fact', schema=None) as batch_op:
        batch_op.drop_index('ix_reach_fact_schools')
        batch_op.drop_index('ix_reach_fact_companies')
        batch_op.drop_index('ix_reach_fact_cells')
        batch_op.drop_column('month')
        batch_op.drop_column('school_year')

    op.drop_table('insights_version')
