"""roles per organisation kind

A membership keeps its organisation's kind beside the organisation's id, under
one foreign key to organisation (id, kind), so that a CHECK can refuse a role
the kind does not have (a coordinator of a school: region-wide power from a
membership anywhere). Memberships whose role did not fit get the kind's own
member role (teacher, contact, coordinator).

Revision ID: 3b8e2f6a9c41
Revises: 08ca1dd874bf
Create Date: 2026-12-06 20:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '3b8e2f6a9c41'
down_revision = '08ca1dd874bf'
branch_labels = None
depends_on = None

# vocabulary.ROLES_BY_KIND when this revision was written.
ROLES_BY_KIND = {
    "school": ("teacher", "administrator"),
    "company": ("contact", "administrator"),
    "network": ("coordinator", "administrator"),
}
ROLE_FITS_KIND = " OR ".join(
    f"(organisation_kind = '{kind}' AND role IN ({', '.join(repr(r) for r in roles)}))"
    for kind, roles in ROLES_BY_KIND.items()
)
OLD_ROLES = "role IN ('teacher', 'contact', 'coordinator', 'administrator')"


def upgrade():
    # A unique index, not a constraint: on SQLite a constraint means rebuilding
    # the organisation table, and dropping the old one would cascade to every
    # membership, booking and activity.
    op.create_index('uq_organisation_id_kind', 'organisation', ['id', 'kind'], unique=True)

    with op.batch_alter_table('membership', schema=None) as batch_op:
        batch_op.add_column(sa.Column('organisation_kind', sa.String(length=16), nullable=True))
    op.execute(
        "UPDATE membership SET organisation_kind = "
        "(SELECT kind FROM organisation WHERE organisation.id = membership.organisation_id)"
    )
    op.execute(
        "UPDATE membership SET role = CASE organisation_kind "
        "WHEN 'school' THEN 'teacher' WHEN 'company' THEN 'contact' ELSE 'coordinator' END "
        f"WHERE NOT ({ROLE_FITS_KIND})"
    )
    with op.batch_alter_table('membership', schema=None) as batch_op:
        batch_op.alter_column('organisation_kind', existing_type=sa.String(length=16), nullable=False)
        batch_op.drop_constraint(batch_op.f('fk_membership_organisation_id_organisation'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('ck_membership_role'), type_='check')
        batch_op.create_foreign_key(
            'fk_membership_organisation_id_kind_organisation', 'organisation',
            ['organisation_id', 'organisation_kind'], ['id', 'kind'],
            ondelete='CASCADE', onupdate='CASCADE',
        )
        batch_op.create_check_constraint(batch_op.f('ck_membership_role'), ROLE_FITS_KIND)


def downgrade():
    with op.batch_alter_table('membership', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_membership_role'), type_='check')
        batch_op.drop_constraint('fk_membership_organisation_id_kind_organisation', type_='foreignkey')
        batch_op.create_foreign_key(
            batch_op.f('fk_membership_organisation_id_organisation'), 'organisation',
            ['organisation_id'], ['id'], ondelete='CASCADE',
        )
        batch_op.create_check_constraint(batch_op.f('ck_membership_role'), OLD_ROLES)
        batch_op.drop_column('organisation_kind')

    op.drop_index('uq_organisation_id_kind', table_name='organisation')
