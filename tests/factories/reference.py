"""Look-ups in a school's own reference lists (inside an app context)."""

import sqlalchemy as sa

from school_tracker.extensions import db
from school_tracker.models import Agency, ReferenceKind, ReferenceValue, RiskFactor


def coded_ids(model: type[Agency] | type[RiskFactor], school_id: int, *codes: str) -> list[int]:
    """Ids of the school's own agencies or risk factors with these codes."""
    return list(
        db.session.scalars(
            sa.select(model.id).where(model.school_id == school_id, model.code.in_(codes))
        )
    )


def coded_id(model: type[Agency] | type[RiskFactor], school_id: int, code: str) -> int:
    """The id of the school's own agency or risk factor with this code."""
    (found,) = coded_ids(model, school_id, code)
    return found


def value_id(school_id: int, kind: ReferenceKind, name: str) -> int:
    """The id of the school's measure or CPD focus area with this name."""
    found = db.session.scalar(
        sa.select(ReferenceValue.id).where(
            ReferenceValue.school_id == school_id,
            ReferenceValue.kind == kind,
            ReferenceValue.name == name,
        )
    )
    assert found is not None, name
    return found
