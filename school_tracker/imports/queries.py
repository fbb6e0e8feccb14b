"""Roll import look-ups, always bound to the signed-in admin's school and own uploads."""

import sqlalchemy as sa
from flask import abort
from sqlalchemy.orm import joinedload

from school_tracker.extensions import db
from school_tracker.models import RollImport, User

RECENT_IMPORTS = 10


def get_import_or_404(import_id: str, *, user: User) -> RollImport:
    """The import if this user uploaded it for their school; 404 otherwise (R58)."""
    roll_import = db.session.scalar(
        sa.select(RollImport).where(
            RollImport.id == import_id,
            RollImport.school_id == user.school_id,
            RollImport.uploaded_by_id == user.id,
        )
    )
    if roll_import is None:
        abort(404)
    return roll_import


def recent_imports(school_id: int) -> list[RollImport]:
    """The school's latest previews and imports, newest first."""
    return list(
        db.session.scalars(
            sa.select(RollImport)
            .options(joinedload(RollImport.uploaded_by))
            .where(RollImport.school_id == school_id)
            .order_by(RollImport.created_at.desc())
            .limit(RECENT_IMPORTS)
        )
    )
