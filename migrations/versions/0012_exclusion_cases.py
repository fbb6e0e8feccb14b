"""exclusion_cases: a suspension's return and reintegration, governors' reinstatement reviews
with their panel, and the head teacher's name on the school (issue 16 items 1, 2 and 4).

Revision ID: 0012_exclusion_cases
Revises: 0011_outbox
Create Date: 2026-12-05
"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = "0012_exclusion_cases"
down_revision = "0011_outbox"
branch_labels = None
depends_on = None


def _record_columns():
    """RecordMixin's columns: school, authorship, timestamps and version."""
    return [
        sa.Column("school_id", sa.Integer(), sa.ForeignKey("schools.id"), nullable=False),
        sa.Column("created_by_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=True),
        sa.Column("updated_by_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
    ]


def upgrade():
    with op.batch_alter_table("schools", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("head_teacher", sa.String(length=120), nullable=False, server_default="")
        )
    op.create_table(
        "exclusion_follow_ups",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("exclusion_id", sa.Integer(), sa.ForeignKey("exclusions.id"), nullable=False),
        sa.Column("return_on", sa.Date(), nullable=True),
        sa.Column("meeting_on", sa.Date(), nullable=True),
        sa.Column("attended", sa.Text(), nullable=False),
        sa.Column("agreed", sa.Text(), nullable=False),
        sa.Column("pupil_views", sa.Text(), nullable=False),
        sa.Column("parent_views", sa.Text(), nullable=False),
        sa.Column("provider", sa.String(length=200), nullable=True),
        sa.Column("provision_from", sa.Date(), nullable=True),
        *_record_columns(),
        sa.UniqueConstraint("exclusion_id", name="uq_exclusion_follow_ups_exclusion_id"),
        sa.CheckConstraint(
            "(provider IS NULL) = (provision_from IS NULL)",
            name="ck_exclusion_follow_ups_provision_provider_and_date",
        ),
    )
    op.create_index("ix_exclusion_follow_ups_school_id", "exclusion_follow_ups", ["school_id"])
    op.create_table(
        "reinstatement_reviews",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("pupil_id", sa.Integer(), sa.ForeignKey("pupils.id"), nullable=False),
        sa.Column("exclusion_id", sa.Integer(), sa.ForeignKey("exclusions.id"), nullable=False),
        sa.Column(
            "trigger",
            sa.Enum(
                "permanent", "over_15_days", "public_exam",
                name="review_trigger", native_enum=False, create_constraint=True, length=12,
            ),
            nullable=False,
        ),
        sa.Column("board_notified_on", sa.Date(), nullable=False),
        sa.Column("meeting_on", sa.Date(), nullable=True),
        sa.Column("representations", sa.Text(), nullable=False),
        sa.Column(
            "decision",
            sa.Enum(
                "reinstate", "uphold",
                name="review_decision", native_enum=False, create_constraint=True, length=9,
            ),
            nullable=True,
        ),
        sa.Column("decision_reasons", sa.Text(), nullable=False),
        sa.Column("decided_on", sa.Date(), nullable=True),
        sa.Column("decision_notified_on", sa.Date(), nullable=True),
        *_record_columns(),
        sa.CheckConstraint(
            "(decision IS NULL AND decided_on IS NULL) OR "
            "(decision IS NOT NULL AND decided_on IS NOT NULL)",
            name="ck_reinstatement_reviews_decision_dated",
        ),
    )
    op.create_index("ix_reinstatement_reviews_pupil", "reinstatement_reviews", ["pupil_id"])
    op.create_index("ix_reinstatement_reviews_school_id", "reinstatement_reviews", ["school_id"])
    op.create_table(
        "reinstatement_panel",
        sa.Column(
            "review_id",
            sa.Integer(),
            sa.ForeignKey("reinstatement_reviews.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id"), primary_key=True),
    )


def downgrade():
    op.drop_table("reinstatement_panel")
    op.drop_index("ix_reinstatement_reviews_school_id", table_name="reinstatement_reviews")
    op.drop_index("ix_reinstatement_reviews_pupil", table_name="reinstatement_reviews")
    op.drop_table("reinstatement_reviews")
    op.drop_index("ix_exclusion_follow_ups_school_id", table_name="exclusion_follow_ups")
    op.drop_table("exclusion_follow_ups")
    with op.batch_alter_table("schools", schema=None) as batch_op:
        batch_op.drop_column("head_teacher")
