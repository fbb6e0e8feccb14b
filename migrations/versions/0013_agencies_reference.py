"""agencies_reference: an agency's involvement with a pupil as its own record, and the alert
kind for its overdue next step (issue 16 item 5); the pupil characteristics set by hand
(item 7).

Revision ID: 0013_agencies_reference
Revises: 0012_exclusion_cases
Create Date: 2026-12-05
"""
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from alembic import op


# revision identifiers, used by Alembic.
revision = "0013_agencies_reference"
down_revision = "0012_exclusion_cases"
branch_labels = None
depends_on = None

STATUSES = ("referred", "accepted", "declined", "active", "closed")
ALERT_KINDS = (
    "flag_named", "flag_action", "flag_review_overdue", "intervention_review_overdue",
    "follow_up_due", "intervention_delivery", "password_changed", "two_factor_on",
    "two_factor_off", "role_changed", "signed_out_everywhere",
)
NEW_ALERT_KINDS = (*ALERT_KINDS, "agency_step_due")


def _alert_kind(kinds) -> sa.Enum:
    return sa.Enum(*kinds, name="alert_kind", native_enum=False, create_constraint=True, length=27)


def _set_alert_kinds(old, new) -> None:
    # The kind's CHECK lists every value; batch mode rebuilds the table on SQLite with the new one.
    with op.batch_alter_table("alerts", schema=None, recreate="always") as batch_op:
        batch_op.alter_column(
            "kind", existing_type=_alert_kind(old), type_=_alert_kind(new), existing_nullable=False
        )


def upgrade():
    op.create_table(
        "agency_involvements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pupil_id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("referred_on", sa.Date(), nullable=False),
        sa.Column("referred_by_id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(*STATUSES, name="involvement_status", native_enum=False,
                    create_constraint=True, length=8),
            nullable=False,
        ),
        sa.Column("professional_role", sa.String(length=120), nullable=False),
        sa.Column("professional_contact", sa.String(length=200), nullable=False),
        sa.Column("next_step", sa.Text(), nullable=False),
        sa.Column("next_step_on", sa.Date(), nullable=True),
        sa.Column("outcome_notes", sa.Text(), nullable=False),
        sa.Column("ended_on", sa.Date(), nullable=True),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["pupil_id"], ["pupils.id"],
                                name=op.f("fk_agency_involvements_pupil_id_pupils")),
        sa.ForeignKeyConstraint(["agency_id"], ["agencies.id"],
                                name=op.f("fk_agency_involvements_agency_id_agencies")),
        sa.ForeignKeyConstraint(["referred_by_id"], ["users.id"],
                                name=op.f("fk_agency_involvements_referred_by_id_users")),
        sa.ForeignKeyConstraint(["school_id"], ["schools.id"],
                                name=op.f("fk_agency_involvements_school_id_schools")),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"],
                                name=op.f("fk_agency_involvements_created_by_id_users")),
        sa.ForeignKeyConstraint(["updated_by_id"], ["users.id"],
                                name=op.f("fk_agency_involvements_updated_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agency_involvements")),
    )
    with op.batch_alter_table("agency_involvements", schema=None) as batch_op:
        batch_op.create_index("ix_agency_involvements_school_referred",
                              ["school_id", "referred_on"], unique=False)
        batch_op.create_index("ix_agency_involvements_next_step", ["next_step_on"], unique=False)
        batch_op.create_index(batch_op.f("ix_agency_involvements_pupil_id"), ["pupil_id"],
                              unique=False)
        batch_op.create_index(batch_op.f("ix_agency_involvements_school_id"), ["school_id"],
                              unique=False)
    op.create_table(
        "agency_involvement_staff",
        sa.Column("involvement_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["involvement_id"], ["agency_involvements.id"], ondelete="CASCADE",
            name=op.f("fk_agency_involvement_staff_involvement_id_agency_involvements"),
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"],
                                name=op.f("fk_agency_involvement_staff_user_id_users")),
        sa.PrimaryKeyConstraint("involvement_id", "user_id",
                                name=op.f("pk_agency_involvement_staff")),
    )
    with op.batch_alter_table("agency_involvement_staff", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_agency_involvement_staff_user_id"), ["user_id"],
                              unique=False)
    _set_alert_kinds(ALERT_KINDS, NEW_ALERT_KINDS)
    with op.batch_alter_table("pupils", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "hand_set_fields",
                # JSONB on PostgreSQL: plain json has no equality, which SELECT DISTINCT needs.
                sa.JSON().with_variant(postgresql.JSONB(), "postgresql"),
                nullable=False,
                server_default="[]",
            )
        )


def downgrade():
    with op.batch_alter_table("pupils", schema=None) as batch_op:
        batch_op.drop_column("hand_set_fields")
    op.execute(sa.text("DELETE FROM alerts WHERE kind = 'agency_step_due'"))
    _set_alert_kinds(NEW_ALERT_KINDS, ALERT_KINDS)
    with op.batch_alter_table("agency_involvement_staff", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_agency_involvement_staff_user_id"))
    op.drop_table("agency_involvement_staff")
    with op.batch_alter_table("agency_involvements", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_agency_involvements_school_id"))
        batch_op.drop_index(batch_op.f("ix_agency_involvements_pupil_id"))
        batch_op.drop_index("ix_agency_involvements_next_step")
        batch_op.drop_index("ix_agency_involvements_school_referred")
    op.drop_table("agency_involvements")
