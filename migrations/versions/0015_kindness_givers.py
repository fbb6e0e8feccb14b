"""kindness_givers: a kindness moment given by several pupils or a whole class (issue 13 item 4).

A moment's kind pupils move from `kindness_moments.giver_pupil_id` (one pupil) to rows of
`kindness_moment_givers` (moment, pupil), one per pupil, so a class's moment names every child
in it once. `giver_group` keeps the registration group it was given by, if any. Earlier
versions of a moment that kept `giver_pupil_id` keep the same pupil as `giver_pupil_ids`.

Downgrading keeps one kind pupil per moment (the lowest id): the old schema has room for no
more, so the other givers of a moment given by several are lost.

Revision ID: 0015_kindness_givers
Revises: 0014_intervention_attendance
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0015_kindness_givers"
down_revision = "0014_intervention_attendance"
branch_labels = None
depends_on = None

OLD_ONE_GIVER = (
    "(giver_kind = 'pupil' AND giver_pupil_id IS NOT NULL AND giver_name IS NULL)"
    " OR (giver_kind <> 'pupil' AND giver_pupil_id IS NULL AND giver_name IS NOT NULL)"
)
NEW_ONE_GIVER = (
    "(giver_kind = 'pupil' AND giver_name IS NULL)"
    " OR (giver_kind <> 'pupil' AND giver_name IS NOT NULL AND giver_group IS NULL)"
)

versions = sa.table(
    "record_versions",
    sa.column("id", sa.Integer),
    sa.column("entity_type", sa.String),
    sa.column("previous", sa.JSON(none_as_null=True)),
)


def _rename_in_versions(rewrite):
    """Apply `rewrite` to the earlier values of every kindness moment version that has them."""
    conn = op.get_bind()
    rows = conn.execute(
        sa.select(versions.c.id, versions.c.previous).where(
            versions.c.entity_type == "kindness_moment", versions.c.previous.is_not(None)
        )
    ).all()
    for version_id, previous in rows:
        changed = rewrite(dict(previous))
        if changed is not None:
            conn.execute(
                versions.update().where(versions.c.id == version_id).values(previous=changed)
            )


def _to_list(previous):
    if "giver_pupil_id" not in previous:
        return None
    pupil_id = previous.pop("giver_pupil_id")
    previous["giver_pupil_ids"] = [] if pupil_id is None else [pupil_id]
    return previous


def _to_single(previous):
    if "giver_pupil_ids" not in previous:
        return None
    pupil_ids = previous.pop("giver_pupil_ids") or []
    previous["giver_pupil_id"] = min(pupil_ids) if pupil_ids else None
    return previous


def upgrade():
    op.create_table(
        "kindness_moment_givers",
        sa.Column("moment_id", sa.Integer(), nullable=False),
        sa.Column("pupil_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["moment_id"],
            ["kindness_moments.id"],
            name=op.f("fk_kindness_moment_givers_moment_id_kindness_moments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["pupil_id"], ["pupils.id"], name=op.f("fk_kindness_moment_givers_pupil_id_pupils")
        ),
        sa.PrimaryKeyConstraint("moment_id", "pupil_id", name=op.f("pk_kindness_moment_givers")),
    )
    with op.batch_alter_table("kindness_moment_givers", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_kindness_moment_givers_pupil_id"), ["pupil_id"], unique=False
        )
    op.execute(
        "INSERT INTO kindness_moment_givers (moment_id, pupil_id) "
        "SELECT id, giver_pupil_id FROM kindness_moments WHERE giver_pupil_id IS NOT NULL"
    )
    _rename_in_versions(_to_list)
    with op.batch_alter_table("kindness_moments", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_kindness_moments_one_giver"), type_="check")
        batch_op.drop_index(batch_op.f("ix_kindness_moments_giver_pupil_id"))
        batch_op.drop_constraint(
            batch_op.f("fk_kindness_moments_giver_pupil_id_pupils"), type_="foreignkey"
        )
        batch_op.drop_column("giver_pupil_id")
        batch_op.add_column(sa.Column("giver_group", sa.String(length=20), nullable=True))
        batch_op.create_check_constraint(batch_op.f("ck_kindness_moments_one_giver"), NEW_ONE_GIVER)


def downgrade():
    with op.batch_alter_table("kindness_moments", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_kindness_moments_one_giver"), type_="check")
        batch_op.drop_column("giver_group")
        batch_op.add_column(sa.Column("giver_pupil_id", sa.Integer(), nullable=True))
    op.execute(
        "UPDATE kindness_moments SET giver_pupil_id = (SELECT min(g.pupil_id) "
        "FROM kindness_moment_givers g WHERE g.moment_id = kindness_moments.id)"
    )
    _rename_in_versions(_to_single)
    with op.batch_alter_table("kindness_moments", schema=None) as batch_op:
        batch_op.create_foreign_key(
            batch_op.f("fk_kindness_moments_giver_pupil_id_pupils"),
            "pupils",
            ["giver_pupil_id"],
            ["id"],
        )
        batch_op.create_index(
            batch_op.f("ix_kindness_moments_giver_pupil_id"), ["giver_pupil_id"], unique=False
        )
        batch_op.create_check_constraint(batch_op.f("ck_kindness_moments_one_giver"), OLD_ONE_GIVER)
    with op.batch_alter_table("kindness_moment_givers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_kindness_moment_givers_pupil_id"))
    op.drop_table("kindness_moment_givers")
