"""intervention_attendance: sessions attended come from the register (issue 13 item 1).

Before the session register, staff typed one "sessions attended" number per pupil. That number
keeps its value and gets a name saying what it is: `sessions_before_register`, sessions
attended as counted before the register existed. From now on a pupil's sessions attended are
the register sessions they were present at plus that earlier count, and every page showing the
figure says which part is which (docs/interventions.md). No row is changed, so a downgrade
renames the column back and the earlier code reads exactly the numbers it wrote.

The CHECK constraint names the column, so it is dropped and made again around the rename
(batch mode on SQLite cannot tell that a reflected CHECK refers to the renamed column).

Revision ID: 0014_intervention_attendance
Revises: 0013_agencies_reference
Create Date: 2026-12-05
"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "0014_intervention_attendance"
down_revision = "0013_agencies_reference"
branch_labels = None
depends_on = None

TABLE = "intervention_participants"
CHECK = "ck_intervention_participants_sessions_not_negative"


def _rename(old: str, new: str) -> None:
    with op.batch_alter_table(TABLE, schema=None) as batch_op:
        batch_op.drop_constraint(op.f(CHECK), type_="check")
        batch_op.alter_column(old, new_column_name=new)
        batch_op.create_check_constraint(op.f(CHECK), f"{new} IS NULL OR {new} >= 0")


def upgrade():
    _rename("sessions_attended", "sessions_before_register")


def downgrade():
    _rename("sessions_before_register", "sessions_attended")
