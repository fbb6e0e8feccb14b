"""Counting rows, the check most database tests end with."""

import sqlalchemy as sa

from school_tracker.extensions import db


def count_rows(app, model, *where) -> int:
    """How many rows of `model` match `where` (all of them when nothing is given)."""
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))
