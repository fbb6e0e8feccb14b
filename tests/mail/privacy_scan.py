"""The privacy scan: does any e-mail hold a pupil's name, UPN, date of birth or record text?

The values come from the database itself: every column docs/security.md R67's classification
marks identifying or free text, except the staff's own (an e-mail may name who raised it).
"""

from datetime import date

import sqlalchemy as sa

from school_tracker.extensions import db
from school_tracker.privacy.classification import DataClass, columns_of
from tests.support.smtp import ReceivedMail

STAFF_TABLES = {"users"}


def _forms_of(value: object) -> set[str]:
    if isinstance(value, date):
        return {value.isoformat(), value.strftime("%d/%m/%Y"), value.strftime("%-d %B %Y")}
    if isinstance(value, str) and len(value.strip()) >= 3:
        return {value.strip()}
    if isinstance(value, dict):  # a record version's earlier values
        return set().union(*(_forms_of(item) for item in value.values()))
    if isinstance(value, list):
        return set().union(*(_forms_of(item) for item in value))
    return set()


def protected_values() -> set[str]:
    """Every pupil name, UPN, date of birth and record text now in the database (app context)."""
    values: set[str] = set()
    tables = db.metadata.tables
    for name in sorted(columns_of(DataClass.IDENTIFYING, DataClass.FREE_TEXT)):
        table_name, column_name = name.split(".")
        if table_name in STAFF_TABLES or table_name not in tables:
            continue
        column = tables[table_name].c[column_name]
        for value in db.session.scalars(sa.select(column)):
            values |= _forms_of(value)
    return values


def pupil_details_in(messages: list[ReceivedMail], values: set[str]) -> list[tuple[str, str]]:
    """(value, subject) for each protected value found in a message's subject or body."""
    found = []
    for message in messages:
        text = f"{message.subject}\n{message.body}".casefold()
        found += [(value, message.subject) for value in values if value.casefold() in text]
    return found
