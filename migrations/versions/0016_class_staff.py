"""class_staff: staff assigned to registration groups, for "my class" (issue 13 item 6).

Revision ID: 0016_class_staff
Revises: 0015_kindness_givers
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0016_class_staff"
down_revision = "0015_kindness_givers"
branch_labels = None
depends_on = None


def upgrade():
    # A new table: no existing row changes, so there is no data to carry forward.
    op.create_table(
        "registration_group_staff",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("registration_group", sa.String(length=20), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("added_by_id", sa.Integer(), nullable=True),
        sa.Column("added_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["school_id"],
            ["schools.id"],
            name=op.f("fk_registration_group_staff_school_id_schools"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_registration_group_staff_user_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["added_by_id"],
            ["users.id"],
            name=op.f("fk_registration_group_staff_added_by_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_registration_group_staff")),
        sa.UniqueConstraint(
            "school_id", "registration_group", "user_id", name="uq_registration_group_staff"
        ),
    )
    with op.batch_alter_table("registration_group_staff", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_registration_group_staff_school_id"), ["school_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_registration_group_staff_user_id"), ["user_id"], unique=False
        )


def downgrade():
    op.drop_table("registration_group_staff")
