"""email_preferences: each person's choice of immediate e-mail, a daily digest or security only (issue 14 item 2).

Everyone keeps the e-mails they get today (immediate) until they choose otherwise; no existing
alert waits for a digest.

Revision ID: 0017_email_preferences
Revises: 0016_class_staff
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = "0017_email_preferences"
down_revision = "0016_class_staff"
branch_labels = None
depends_on = None

EMAIL_ALERTS = ("immediate", "digest", "none")


def upgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "email_alerts",
                sa.Enum(
                    *EMAIL_ALERTS,
                    name="email_alerts",
                    native_enum=False,
                    create_constraint=True,
                    length=9,
                ),
                server_default="immediate",
                nullable=False,
            )
        )
    with op.batch_alter_table("alerts", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("awaits_digest", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.create_index(
            "ix_alerts_awaits_digest", ["awaits_digest", "created_at"], unique=False
        )
    op.create_table(
        "alert_digests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("recipient_id", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=True),
        sa.Column("digest_day", sa.Date(), nullable=False),
        sa.Column("alert_count", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["recipient_id"], ["users.id"], name=op.f("fk_alert_digests_recipient_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["school_id"], ["schools.id"], name=op.f("fk_alert_digests_school_id_schools")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert_digests")),
        sa.UniqueConstraint("recipient_id", "digest_day", name="uq_alert_digests_once_a_day"),
    )
    with op.batch_alter_table("alert_digests", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_alert_digests_school_id"), ["school_id"], unique=False)


def downgrade():
    with op.batch_alter_table("alert_digests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_alert_digests_school_id"))
    op.drop_table("alert_digests")
    with op.batch_alter_table("alerts", schema=None) as batch_op:
        batch_op.drop_index("ix_alerts_awaits_digest")
        batch_op.drop_column("awaits_digest")
    with op.batch_alter_table("users", schema=None) as batch_op:
        # SQLite's copy of the table would otherwise keep the choice's CHECK without its column.
        batch_op.drop_constraint(batch_op.f("ck_users_email_alerts"), type_="check")
        batch_op.drop_column("email_alerts")
