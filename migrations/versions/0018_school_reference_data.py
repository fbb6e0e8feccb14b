"""school_reference_data: risk factors, agencies, intervention measures and CPD focus areas each school controls (issue 16 item 6).

Agencies and risk factors were one list for everyone; now each school has its own copy, with
the dates each value is offered. Every existing school gets a copy of every row, and every
link (a flag's agencies and risk factors, an involvement's agency) moves to its school's copy.
Intervention measures and CPD focus areas were typed text; each school's distinct values
(trimmed, compared without case) join the standard list in `reference_values`, and records
point at them. Downgrade folds the copies back into one list by code and writes the names
back as text.

Revision ID: 0018_school_reference_data
Revises: 0017_email_preferences
Create Date: 2026-12-05
"""

from datetime import date

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = "0018_school_reference_data"
down_revision = "0017_email_preferences"
branch_labels = None
depends_on = None

CODED = ("agencies", "risk_factors")
# Each link to a coded list: (table, its column, how to find the school of a link row).
LINKS = (
    ("risk_flag_agencies", "agency_id", "agencies",
     "(SELECT f.school_id FROM risk_flags f WHERE f.id = risk_flag_agencies.flag_id)"),
    ("risk_flag_factors", "risk_factor_id", "risk_factors",
     "(SELECT f.school_id FROM risk_flags f WHERE f.id = risk_flag_factors.flag_id)"),
    ("agency_involvements", "agency_id", "agencies", "agency_involvements.school_id"),
)
# The standard lists as they were seeded globally (0003), for a downgrade of a database that
# has no school to take them from.
AGENCIES = (
    ("camhs", "CAMHS / CYPMHS"), ("mhst", "Mental Health Support Team"),
    ("early_help", "Early Help"), ("social_care", "Children's social care"),
    ("virtual_school", "Virtual School Head"), ("ed_psych", "Educational psychology"),
    ("salt", "Speech and language therapy"), ("ot", "Occupational therapy"),
    ("school_nursing", "School nursing"), ("youth_justice", "Youth Justice Service"),
    ("police", "Police / safer schools officer"), ("la_sen", "LA SEN team"),
    ("behaviour_support", "Specialist teaching / behaviour support"),
    ("ap_pru", "Alternative provision / PRU"), ("young_carers", "Young carers service"),
    ("attendance", "Attendance service"), ("fair_access", "Fair Access panel"),
)
RISK_FACTORS = (
    ("persistent_disruption", "Persistent disruption"), ("attendance", "Attendance"),
    ("unmet_send", "Unmet SEND need"), ("bereavement_family_change", "Bereavement or family change"),
    ("peer_conflict", "Peer conflict"), ("online_harm", "Online harm"),
    ("substance_misuse", "Substance misuse"), ("exploitation", "Exploitation concern"),
    ("other", "Other"),
)
STANDARD = {"agencies": AGENCIES, "risk_factors": RISK_FACTORS}
MEASURES = (
    "Boxall Profile (developmental strands)", "SDQ total difficulties", "Reading age (months)",
    "Phonics check score", "Maths standardised score", "Language standardised score",
    "Attendance %", "Wellbeing scale (1-5)",
)
CPD_FOCUS = (
    "Attachment and trauma", "Behaviour and relationships", "Communication", "Early reading",
    "Reading", "Maths", "SEND", "Leadership", "Parents and carers", "Safeguarding",
    "Teaching and learning", "Wellbeing",
)
# (kind, standard names, record table, old text column, its length, new id column)
TEXT_LISTS = (
    ("measure", MEASURES, "interventions", "measure", 120, "measure_id"),
    ("cpd_focus", CPD_FOCUS, "learning_records", "focus", 200, "focus_id"),
)
ACTIVE_RANGE = "active_to IS NULL OR active_from IS NULL OR active_to >= active_from"


def _kind_type() -> sa.Enum:
    return sa.Enum("measure", "cpd_focus", name="reference_kind", native_enum=False,
                   create_constraint=True, length=9)


def _reference_values() -> sa.Table:
    return sa.table(
        "reference_values",
        sa.column("school_id", sa.Integer), sa.column("kind", sa.String),
        sa.column("name", sa.String), sa.column("sort_order", sa.Integer),
    )


def upgrade():
    bind = op.get_bind()
    for table in CODED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("school_id", sa.Integer(), nullable=True))
            batch_op.add_column(sa.Column("active_from", sa.Date(), nullable=True))
            batch_op.add_column(sa.Column("active_to", sa.Date(), nullable=True))
            batch_op.drop_constraint(op.f(f"uq_{table}_code"), type_="unique")
        # A copy of every shared row for every school; a row no longer offered ends today.
        bind.execute(
            sa.text(
                f"INSERT INTO {table} (code, name, sort_order, active, school_id, active_to) "
                "SELECT g.code, g.name, g.sort_order * 10, g.active, s.id, "
                "CASE WHEN g.active THEN NULL ELSE :today END "
                f"FROM {table} g CROSS JOIN schools s WHERE g.school_id IS NULL"
            ),
            {"today": date.today()},
        )
    for link, column, table, school in LINKS:
        bind.execute(
            sa.text(
                f"UPDATE {link} SET {column} = (SELECT own.id FROM {table} own "
                f"JOIN {table} shared ON shared.code = own.code "
                f"WHERE shared.id = {link}.{column} AND own.school_id = {school})"
            )
        )
    for table in CODED:
        bind.execute(sa.text(f"DELETE FROM {table} WHERE school_id IS NULL"))
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column("school_id", existing_type=sa.Integer(), nullable=False)
            batch_op.create_foreign_key(
                op.f(f"fk_{table}_school_id_schools"), "schools", ["school_id"], ["id"]
            )
            batch_op.create_index(op.f(f"ix_{table}_school_id"), ["school_id"], unique=False)
            batch_op.create_unique_constraint(op.f(f"uq_{table}_school_code"), ["school_id", "code"])
            batch_op.create_check_constraint(op.f(f"ck_{table}_active_range_ordered"), ACTIVE_RANGE)
            batch_op.drop_column("active")

    op.create_table(
        "reference_values",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", _kind_type(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("sort_order", sa.Integer(), nullable=False),
        sa.Column("active_from", sa.Date(), nullable=True),
        sa.Column("active_to", sa.Date(), nullable=True),
        sa.CheckConstraint(ACTIVE_RANGE, name=op.f("ck_reference_values_active_range_ordered")),
        sa.ForeignKeyConstraint(["school_id"], ["schools.id"],
                                name=op.f("fk_reference_values_school_id_schools")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reference_values")),
        sa.UniqueConstraint("school_id", "kind", "name", name="uq_reference_values_name"),
    )
    with op.batch_alter_table("reference_values", schema=None) as batch_op:
        batch_op.create_index(op.f("ix_reference_values_school_id"), ["school_id"], unique=False)

    school_ids = [row[0] for row in bind.execute(sa.text("SELECT id FROM schools ORDER BY id"))]
    for kind, standard, records, text_column, _, id_column in TEXT_LISTS:
        _text_to_values(bind, school_ids, kind, standard, records, text_column, id_column)


def _text_to_values(bind, school_ids, kind, standard, records, text_column, id_column) -> None:
    """The standard list and each school's own typed values, then records point at them."""
    typed = bind.execute(
        sa.text(f"SELECT id, school_id, {text_column} FROM {records} "
                f"WHERE {text_column} IS NOT NULL ORDER BY id")
    ).all()
    names: dict[int, dict[str, str]] = {
        school_id: {name.casefold(): name for name in standard} for school_id in school_ids
    }
    for _, school_id, text in typed:
        text = (text or "").strip()
        if text:
            names[school_id].setdefault(text.casefold(), text)
    rows = [
        {"school_id": school_id, "kind": kind, "name": name, "sort_order": order * 10}
        for school_id, by_key in names.items()
        for order, name in enumerate(by_key.values(), start=1)
    ]
    if rows:
        op.bulk_insert(_reference_values(), rows)
    ids = {
        (school_id, name.casefold()): value_id
        for value_id, school_id, name in bind.execute(
            sa.text("SELECT id, school_id, name FROM reference_values WHERE kind = :kind"),
            {"kind": kind},
        )
    }
    with op.batch_alter_table(records, schema=None) as batch_op:
        batch_op.add_column(sa.Column(id_column, sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            op.f(f"fk_{records}_{id_column}_reference_values"),
            "reference_values", [id_column], ["id"],
        )
    updates = [
        {"value_id": ids[(school_id, text.strip().casefold())], "record_id": record_id}
        for record_id, school_id, text in typed
        if (text or "").strip()
    ]
    if updates:
        bind.execute(
            sa.text(f"UPDATE {records} SET {id_column} = :value_id WHERE id = :record_id"),
            updates,
        )
    with op.batch_alter_table(records, schema=None) as batch_op:
        batch_op.drop_column(text_column)


def downgrade():
    bind = op.get_bind()
    for _, _, records, text_column, length, id_column in TEXT_LISTS:
        not_null = text_column == "focus"  # learning_records.focus was "" when left blank
        with op.batch_alter_table(records, schema=None) as batch_op:
            batch_op.add_column(
                sa.Column(text_column, sa.String(length=length), nullable=True)
            )
        bind.execute(
            sa.text(
                f"UPDATE {records} SET {text_column} = (SELECT substr(v.name, 1, {length}) "
                f"FROM reference_values v WHERE v.id = {records}.{id_column})"
            )
        )
        if not_null:
            bind.execute(sa.text(f"UPDATE {records} SET {text_column} = '' "
                                 f"WHERE {text_column} IS NULL"))
        with op.batch_alter_table(records, schema=None) as batch_op:
            batch_op.drop_constraint(
                op.f(f"fk_{records}_{id_column}_reference_values"), type_="foreignkey"
            )
            batch_op.drop_column(id_column)
            if not_null:
                batch_op.alter_column(text_column, existing_type=sa.String(length=length),
                                      nullable=False)
    with op.batch_alter_table("reference_values", schema=None) as batch_op:
        batch_op.drop_index(op.f("ix_reference_values_school_id"))
    op.drop_table("reference_values")

    today = date.today()
    for table in CODED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("active", sa.Boolean(), nullable=True))
            batch_op.alter_column("school_id", existing_type=sa.Integer(), nullable=True)
        # One shared row per code: the first school's name, offered if any school offers it.
        rows = bind.execute(
            sa.text(f"SELECT code, name, sort_order, active_from, active_to FROM {table} "
                    "ORDER BY school_id, id")
        ).all()
        shared: dict[str, dict] = {}
        for code, name, sort_order, active_from, active_to in rows:
            offered = (active_from is None or _as_date(active_from) <= today) and (
                active_to is None or _as_date(active_to) >= today
            )
            row = shared.setdefault(
                code, {"code": code, "name": name, "sort_order": sort_order // 10 or sort_order,
                       "active": False}
            )
            row["active"] = row["active"] or offered
        for order, (code, name) in enumerate(STANDARD[table], start=1):
            shared.setdefault(code, {"code": code, "name": name, "sort_order": order,
                                     "active": True})
        if shared:
            bind.execute(
                sa.text(f"INSERT INTO {table} (code, name, sort_order, active) "
                        "VALUES (:code, :name, :sort_order, :active)"),
                list(shared.values()),
            )
    for link, column, table, _ in LINKS:
        bind.execute(
            sa.text(
                f"UPDATE {link} SET {column} = (SELECT shared.id FROM {table} shared "
                f"JOIN {table} own ON own.code = shared.code "
                f"WHERE own.id = {link}.{column} AND shared.school_id IS NULL)"
            )
        )
    for table in CODED:
        bind.execute(sa.text(f"DELETE FROM {table} WHERE school_id IS NOT NULL"))
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(op.f(f"ck_{table}_active_range_ordered"), type_="check")
            batch_op.drop_constraint(op.f(f"uq_{table}_school_code"), type_="unique")
            batch_op.drop_index(op.f(f"ix_{table}_school_id"))
            batch_op.drop_constraint(op.f(f"fk_{table}_school_id_schools"), type_="foreignkey")
            batch_op.drop_column("school_id")
            batch_op.drop_column("active_from")
            batch_op.drop_column("active_to")
            batch_op.alter_column("active", existing_type=sa.Boolean(), nullable=False)
            batch_op.create_unique_constraint(op.f(f"uq_{table}_code"), ["code"])


def _as_date(value) -> date:
    """SQLite hands dates back as ISO text."""
    return value if isinstance(value, date) else date.fromisoformat(str(value))
