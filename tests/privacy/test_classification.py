"""One data classification table, and the controls it drives (R67)."""

import re
from datetime import date, datetime

import pytest
import sqlalchemy as sa

from school_tracker.extensions import db
from school_tracker.privacy.classification import (
    CLASSIFICATION,
    CONTENT_COLUMN_NAMES,
    SPECIAL_TABLES,
    DataClass,
    columns_of,
)
from tests.factories.accounts import signed_in
from tests.factories.exports import NOTE, classified_values, workbook_rows

# R67: one classification table, and the controls it drives ------------------------------------

# Column names that hold organisations or reference data, not people.
NOT_PERSONAL = {
    "agencies.name",
    "risk_factors.name",
    "reference_values.name",  # intervention measures and CPD focus areas
    "trusts.name",
    "schools.name",
    "intervention_types.name",
    "roll_imports.file_name",
    "transfer_records.sent_to",
}
PERSONAL_NAME = re.compile(r"(name|surname|forename|_said|_voice|notes|reason|goals)$")


@pytest.mark.requirement("R67")
def test_r67_every_classified_column_exists(app):
    tables = db.metadata.tables
    for qualified in CLASSIFICATION:
        table, column = qualified.split(".")
        assert table in tables and column in tables[table].columns, qualified
    assert set(tables) >= SPECIAL_TABLES


@pytest.mark.requirement("R67")
def test_r67_every_free_text_or_name_column_is_classified(app):
    for table in db.metadata.sorted_tables:
        for column in table.columns:
            qualified = f"{table.name}.{column.name}"
            if qualified in NOT_PERSONAL or column.name in ("password_hash", "email"):
                continue
            if isinstance(column.type, sa.Text) or PERSONAL_NAME.search(column.name):
                assert qualified in columns_of(DataClass.IDENTIFYING, DataClass.FREE_TEXT), (
                    qualified
                )


@pytest.mark.requirement("R67")
def test_r67_no_service_writes_classified_values_into_the_audit():
    from school_tracker.families.services import SAFE_FIELDS as FAMILIES
    from school_tracker.interventions.participants import SAFE_FIELDS as PARTICIPANTS
    from school_tracker.interventions.services import SAFE_FIELDS as INTERVENTIONS
    from school_tracker.learning.services import SAFE_FIELDS as LEARNING
    from school_tracker.mentoring.services import SAFE_FIELDS as MENTORING

    for safe in (FAMILIES, PARTICIPANTS, INTERVENTIONS, LEARNING, MENTORING):
        assert not safe & CONTENT_COLUMN_NAMES, safe & CONTENT_COLUMN_NAMES


@pytest.mark.requirement("R67")
def test_r67_governors_workbook_holds_no_classified_value(app, export_world):
    texts, dates = classified_values(app)
    assert NOTE in " ".join(texts) and date(2018, 3, 1) in dates  # the world is rich enough
    leader = signed_in(app, export_world.leader)
    response = leader.get("/reports/governors.xlsx?term=autumn-2026")
    assert response.status_code == 200
    cells = [c for sheet in workbook_rows(response.data).values() for row in sheet for c in row]
    strings = [c for c in cells if isinstance(c, str)]
    for value in texts:
        if len(value) >= 12:
            assert not any(value in cell for cell in strings), value
        else:
            assert value not in strings, value
    cell_days = {c.date() if isinstance(c, datetime) else c for c in cells if isinstance(c, date)}
    assert not cell_days & dates
