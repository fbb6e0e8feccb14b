"""The intervention catalogue: the standard list (docs/design.md section 5) and admins' edits."""

import sqlalchemy as sa

from school_tracker.audit import record_audit
from school_tracker.extensions import db
from school_tracker.models import InterventionType, User
from school_tracker.records.priorities import priorities_by_code
from school_tracker.records.versions import RecordRuleError

# (seed key, name, default priority codes, SEND-focused). A SEND-focused type also gets P4b.
STANDARD_CATALOGUE: tuple[tuple[str, str, tuple[str, ...], bool], ...] = (
    ("nurture_group", "Nurture group", ("P1", "P4a"), False),
    ("reading_catch_up", "Reading catch-up", ("P2",), False),
    ("phonics", "Phonics", ("P2",), False),
    ("maths_booster", "Maths booster", ("P2",), False),
    ("elsa", "ELSA / emotional literacy", ("P1",), True),
    ("social_skills", "Social skills", ("P1",), False),
    ("attendance_mentoring", "Attendance mentoring", ("P4a",), False),
    ("speech_language", "Speech & language", ("P2",), True),
    ("lunchtime_club", "Lunchtime club", ("P1",), False),
    ("sport_extracurricular", "Sport / extracurricular", ("P1",), False),
    ("counselling_camhs", "Counselling / CAMHS referral", ("P1",), False),
    ("structured_conversation", "Structured conversation with parents", ("P5",), False),
    ("alternative_provision", "Alternative provision placement", ("P4a",), False),
    ("managed_move", "Managed move", ("P4a",), False),
)


def ensure_intervention_types(school_id: int) -> int:
    """Add any standard type the school lacks (idempotent, even after renames); returns added."""
    existing = db.session.execute(
        sa.select(InterventionType).where(InterventionType.school_id == school_id)
    ).scalars()
    by_key, by_name = {}, {}
    for row in existing:
        by_key[row.seed_key] = row
        by_name[row.name.casefold()] = row
    added = 0
    for order, (key, name, codes, send_focused) in enumerate(STANDARD_CATALOGUE, start=1):
        if key in by_key:
            continue
        if name.casefold() in by_name:  # an admin made it by hand: adopt it, don't duplicate
            by_name[name.casefold()].seed_key = key
            continue
        db.session.add(
            InterventionType(
                school_id=school_id,
                name=name,
                seed_key=key,
                send_focused=send_focused,
                sort_order=order * 10,
                default_priorities=priorities_by_code(list(codes)),
            )
        )
        added += 1
    return added


def school_types(school_id: int, *, active_only: bool = False) -> list[InterventionType]:
    """The school's catalogue in display order."""
    stmt = sa.select(InterventionType).where(InterventionType.school_id == school_id)
    if active_only:
        stmt = stmt.where(InterventionType.active.is_(True))
    stmt = stmt.order_by(InterventionType.sort_order, InterventionType.name)
    return list(db.session.scalars(stmt))


def get_type(school_id: int, type_id: int | None) -> InterventionType | None:
    """A type of this school's catalogue, or None (another school's id is not found)."""
    if type_id is None:
        return None
    return db.session.scalar(
        sa.select(InterventionType).where(
            InterventionType.id == type_id, InterventionType.school_id == school_id
        )
    )


def _check_name(school_id: int, name: str, current: InterventionType | None = None) -> str:
    name = (name or "").strip()
    if not name:
        raise RecordRuleError("Enter a name.", field="name")
    clash = db.session.scalar(
        sa.select(InterventionType.id).where(
            InterventionType.school_id == school_id,
            sa.func.lower(InterventionType.name) == name.lower(),
        )
    )
    if clash is not None and (current is None or clash != current.id):
        raise RecordRuleError("The catalogue already has a type with this name.", field="name")
    return name


def add_type(
    school_id: int, *, name: str, codes: list[str], send_focused: bool, by: User
) -> InterventionType:
    """A new catalogue entry at the end of the list."""
    name = _check_name(school_id, name)
    last = db.session.scalar(
        sa.select(sa.func.max(InterventionType.sort_order)).where(
            InterventionType.school_id == school_id
        )
    )
    row = InterventionType(
        school_id=school_id,
        name=name,
        send_focused=send_focused,
        sort_order=(last or 0) + 10,
        default_priorities=priorities_by_code(codes),
    )
    db.session.add(row)
    db.session.flush()
    record_audit(
        by,
        "create",
        "intervention_type",
        row.id,
        school_id=school_id,
        changes={"name": name, "send_focused": send_focused, "priorities": sorted(codes)},
    )
    return row


def update_type(
    row: InterventionType, *, name: str, codes: list[str], send_focused: bool, by: User
) -> dict:
    """Rename an entry or change its defaults; catalogue names are not personal, so audited."""
    name = _check_name(row.school_id, name, current=row)
    changes: dict = {}
    if row.name != name:
        changes["name"] = [row.name, name]
        row.name = name
    if row.send_focused != send_focused:
        changes["send_focused"] = [row.send_focused, send_focused]
        row.send_focused = send_focused
    old_codes = sorted(p.code for p in row.default_priorities)
    if old_codes != sorted(codes):
        changes["priorities"] = [old_codes, sorted(codes)]
        row.default_priorities = priorities_by_code(codes)
    if changes:
        record_audit(
            by, "update", "intervention_type", row.id, school_id=row.school_id, changes=changes
        )
    return changes


def set_type_active(row: InterventionType, active: bool, *, by: User) -> None:
    """Deactivate (no new interventions of this type; existing ones keep it) or reactivate."""
    if row.active == active:
        return
    row.active = active
    record_audit(
        by,
        "activate" if active else "deactivate",
        "intervention_type",
        row.id,
        school_id=row.school_id,
    )
