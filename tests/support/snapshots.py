"""Whole-database snapshots, so "nothing was saved" covers audit entries and versions too."""

import sqlalchemy as sa
from flask import Flask

from school_tracker.extensions import db


def database_rows(app: Flask) -> dict[str, list[str]]:
    """Every row of every table, in a stable order."""
    with app.app_context():
        return {
            table.name: sorted(repr(tuple(row)) for row in db.session.execute(sa.select(table)))
            for table in db.metadata.sorted_tables
        }
