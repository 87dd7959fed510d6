"""hybrid-teacher placements, candidate pool, school requests and their responses

Issue 6: professional (the candidate pool and the identity the clash rule
checks), placement with its lesson changes, school_request and the companies'
request_response.

Revision ID: 00af94162301
Revises: 2f45780aaa78
Create Date: 2026-11-28 15:19:15.766039

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '00af94162301'
down_revision = '2f45780aaa78'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('professional',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=True),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('expertise', sa.Text(), nullable=False),
    sa.Column('subjects', sa.String(length=200), nullable=False),
    sa.Column('profiles', sa.Integer(), nullable=False),
    sa.Column('weekdays', sa.Integer(), nullable=False),
    sa.Column('hours_per_week', sa.Integer(), nullable=True),
    sa.Column('town', sa.String(length=100), nullable=False),
    sa.Column('region', sa.String(length=100), nullable=False),
    sa.Column('source', sa.String(length=8), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('in_pool', sa.Boolean(), nullable=False),
    sa.Column('consent_at', sa.DateTime(), nullable=True),
    sa.Column('registered_by_id', sa.Integer(), nullable=True),
    sa.Column('approved_by_id', sa.Integer(), nullable=True),
    sa.Column('approved_at', sa.DateTime(), nullable=True),
    sa.Column('lock_version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("kind IN ('employee', 'career_switcher', 'technician')", name=op.f('ck_professional_kind')),
    sa.CheckConstraint("source IN ('company', 'self')", name=op.f('ck_professional_source')),
    sa.CheckConstraint("status IN ('pending', 'approved', 'rejected', 'withdrawn')", name=op.f('ck_professional_status')),
    sa.CheckConstraint('hours_per_week IS NULL OR (hours_per_week >= 1 AND hours_per_week <= 40)', name=op.f('ck_professional_hours_per_week_range')),
    sa.ForeignKeyConstraint(['approved_by_id'], ['user.id'], name=op.f('fk_professional_approved_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['company_id'], ['organisation.id'], name=op.f('fk_professional_company_id_organisation'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['registered_by_id'], ['user.id'], name=op.f('fk_professional_registered_by_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_professional'))
    )
    with op.batch_alter_table('professional', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_professional_company_id'), ['company_id'], unique=False)
        batch_op.create_index('ix_professional_pool', ['in_pool', 'status'], unique=False)

    op.create_table('school_request',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('teacher_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('topic', sa.String(length=200), nullable=False),
    sa.Column('group_size', sa.Integer(), nullable=False),
    sa.Column('year', sa.String(length=1), nullable=False),
    sa.Column('path', sa.String(length=2), nullable=False),
    sa.Column('profile', sa.String(length=3), nullable=True),
    sa.Column('first_day', sa.Date(), nullable=False),
    sa.Column('last_day', sa.Date(), nullable=False),
    sa.Column('venues', sa.Integer(), nullable=False),
    sa.Column('max_km', sa.Integer(), nullable=True),
    sa.Column('remarks', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('first_answered_at', sa.DateTime(), nullable=True),
    sa.Column('closed_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint("kind IN ('company_visit', 'guest_lesson', 'workshop', 'job_shadowing', 'event', 'placement')", name=op.f('ck_school_request_kind')),
    sa.CheckConstraint("status IN ('open', 'answered', 'fulfilled', 'expired', 'withdrawn')", name=op.f('ck_school_request_status')),
    sa.CheckConstraint('group_size > 0', name=op.f('ck_school_request_group_size_positive')),
    sa.CheckConstraint('last_day >= first_day', name=op.f('ck_school_request_period_in_order')),
    sa.CheckConstraint('max_km IS NULL OR max_km > 0', name=op.f('ck_school_request_max_km_positive')),
    sa.ForeignKeyConstraint(['school_id'], ['organisation.id'], name=op.f('fk_school_request_school_id_organisation'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['teacher_id'], ['user.id'], name=op.f('fk_school_request_teacher_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_school_request'))
    )
    with op.batch_alter_table('school_request', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_school_request_school_id'), ['school_id'], unique=False)
        batch_op.create_index('ix_school_request_status_last_day', ['status', 'last_day'], unique=False)

    op.create_table('placement',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('professional_id', sa.Integer(), nullable=False),
    sa.Column('proposed_by_id', sa.Integer(), nullable=True),
    sa.Column('proposed_by', sa.String(length=8), nullable=False),
    sa.Column('subjects', sa.String(length=200), nullable=False),
    sa.Column('profiles', sa.Integer(), nullable=False),
    sa.Column('hours_per_week', sa.Integer(), nullable=False),
    sa.Column('weekdays', sa.Integer(), nullable=False),
    sa.Column('start_time', sa.Time(), nullable=False),
    sa.Column('end_time', sa.Time(), nullable=False),
    sa.Column('first_date', sa.Date(), nullable=False),
    sa.Column('last_date', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('remarks', sa.Text(), nullable=False),
    sa.Column('counter_message', sa.Text(), nullable=False),
    sa.Column('decline_reason', sa.Text(), nullable=False),
    sa.Column('ended_on', sa.Date(), nullable=True),
    sa.Column('end_reason', sa.Text(), nullable=False),
    sa.Column('ended_early', sa.Boolean(), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('agreed_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint("proposed_by IN ('company', 'school')", name=op.f('ck_placement_proposed_by')),
    sa.CheckConstraint("status IN ('proposed', 'countered', 'agreed', 'declined', 'withdrawn', 'ended')", name=op.f('ck_placement_status')),
    sa.CheckConstraint('end_time > start_time', name=op.f('ck_placement_ends_after_start')),
    sa.CheckConstraint('hours_per_week >= 1 AND hours_per_week <= 40', name=op.f('ck_placement_hours_per_week_range')),
    sa.CheckConstraint('last_date >= first_date', name=op.f('ck_placement_dates_in_order')),
    sa.ForeignKeyConstraint(['company_id'], ['organisation.id'], name=op.f('fk_placement_company_id_organisation'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['professional_id'], ['professional.id'], name=op.f('fk_placement_professional_id_professional'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['proposed_by_id'], ['user.id'], name=op.f('fk_placement_proposed_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['school_id'], ['organisation.id'], name=op.f('fk_placement_school_id_organisation'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_placement'))
    )
    with op.batch_alter_table('placement', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_placement_company_id'), ['company_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_placement_professional_id'), ['professional_id'], unique=False)
        batch_op.create_index('ix_placement_professional_status', ['professional_id', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_placement_school_id'), ['school_id'], unique=False)
        batch_op.create_index('ix_placement_status_last_date', ['status', 'last_date'], unique=False)

    op.create_table('placement_lesson_change',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('placement_id', sa.Integer(), nullable=False),
    sa.Column('original_date', sa.Date(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('new_date', sa.Date(), nullable=True),
    sa.Column('new_start_time', sa.Time(), nullable=True),
    sa.Column('new_end_time', sa.Time(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('changed_by_id', sa.Integer(), nullable=True),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("kind = 'cancelled' OR (new_date IS NOT NULL AND new_start_time IS NOT NULL AND new_end_time IS NOT NULL AND new_end_time > new_start_time)", name=op.f('ck_placement_lesson_change_moved_has_new_time')),
    sa.CheckConstraint("kind IN ('cancelled', 'moved')", name=op.f('ck_placement_lesson_change_kind')),
    sa.ForeignKeyConstraint(['changed_by_id'], ['user.id'], name=op.f('fk_placement_lesson_change_changed_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['placement_id'], ['placement.id'], name=op.f('fk_placement_lesson_change_placement_id_placement'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_placement_lesson_change')),
    sa.UniqueConstraint('placement_id', 'original_date', name='uq_placement_lesson_change_date')
    )
    op.create_table('request_response',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('proposed_by_id', sa.Integer(), nullable=True),
    sa.Column('option', sa.String(length=10), nullable=False),
    sa.Column('slot_id', sa.Integer(), nullable=True),
    sa.Column('activity_id', sa.Integer(), nullable=True),
    sa.Column('starts_at', sa.DateTime(), nullable=True),
    sa.Column('ends_at', sa.DateTime(), nullable=True),
    sa.Column('capacity', sa.Integer(), nullable=True),
    sa.Column('placement_id', sa.Integer(), nullable=True),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('outside_match', sa.Boolean(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('close_reason', sa.String(length=20), nullable=True),
    sa.Column('booking_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint("close_reason IS NULL OR close_reason IN ('not_chosen', 'request_withdrawn', 'request_expired', 'gone')", name=op.f('ck_request_response_close_reason')),
    sa.CheckConstraint("option != 'new_slot' OR (activity_id IS NOT NULL AND starts_at IS NOT NULL AND ends_at IS NOT NULL AND capacity IS NOT NULL)", name=op.f('ck_request_response_new_slot_complete')),
    sa.CheckConstraint("option IN ('slot', 'new_slot', 'placement')", name=op.f('ck_request_response_option')),
    sa.CheckConstraint("status IN ('open', 'accepted', 'closed')", name=op.f('ck_request_response_status')),
    sa.ForeignKeyConstraint(['activity_id'], ['activity.id'], name=op.f('fk_request_response_activity_id_activity'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['booking_id'], ['booking.id'], name=op.f('fk_request_response_booking_id_booking'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['company_id'], ['organisation.id'], name=op.f('fk_request_response_company_id_organisation'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['placement_id'], ['placement.id'], name=op.f('fk_request_response_placement_id_placement'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['proposed_by_id'], ['user.id'], name=op.f('fk_request_response_proposed_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['request_id'], ['school_request.id'], name=op.f('fk_request_response_request_id_school_request'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['slot_id'], ['slot.id'], name=op.f('fk_request_response_slot_id_slot'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_request_response'))
    )
    with op.batch_alter_table('request_response', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_request_response_company_id'), ['company_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_request_response_request_id'), ['request_id'], unique=False)
        batch_op.create_index('ix_request_response_request_status', ['request_id', 'status'], unique=False)



def downgrade():
    with op.batch_alter_table('request_response', schema=None) as batch_op:
        batch_op.drop_index('ix_request_response_request_status')
        batch_op.drop_index(batch_op.f('ix_request_response_request_id'))
        batch_op.drop_index(batch_op.f('ix_request_response_company_id'))

    op.drop_table('request_response')
    op.drop_table('placement_lesson_change')
    with op.batch_alter_table('placement', schema=None) as batch_op:
        batch_op.drop_index('ix_placement_status_last_date')
        batch_op.drop_index(batch_op.f('ix_placement_school_id'))
        batch_op.drop_index('ix_placement_professional_status')
        batch_op.drop_index(batch_op.f('ix_placement_professional_id'))
        batch_op.drop_index(batch_op.f('ix_placement_company_id'))

    op.drop_table('placement')
    with op.batch_alter_table('school_request', schema=None) as batch_op:
        batch_op.drop_index('ix_school_request_status_last_day')
        batch_op.drop_index(batch_op.f('ix_school_request_school_id'))

    op.drop_table('school_request')
    with op.batch_alter_table('professional', schema=None) as batch_op:
        batch_op.drop_index('ix_professional_pool')
        batch_op.drop_index(batch_op.f('ix_professional_company_id'))

    op.drop_table('professional')
