"""Helpers for mentoring and kindness tests (plain functions; fixtures live in the test files)."""

from datetime import date, timedelta

import sqlalchemy as sa

from school_tracker.calendar.terms import school_today
from school_tracker.extensions import db
from school_tracker.kindness import services as kindness_services
from school_tracker.mentoring import services, session_log
from school_tracker.models import (
    AuditEntry,
    KindnessValue,
    KindPersonKind,
    MeetingFrequency,
    MentorKind,
    Pupil,
    User,
)

TODAY = school_today()
SECRET = "PLATYPUS-LANTERN-5521"  # free text that must never reach the audit log


def details(
    mentor: services.MentorSpec,
    *,
    starts_on: date | None = None,
    planned_end_on: date | None = None,
    codes: tuple[str, ...] = ("P1",),
) -> services.PairingDetails:
    """Pairing details with sensible defaults."""
    return services.PairingDetails(
        mentor=mentor,
        mentee_goals=f"To make a friend. {SECRET}",
        mentor_goals=f"To listen better. {SECRET}",
        priority_codes=codes,
        starts_on=starts_on or TODAY - timedelta(days=30),
        planned_end_on=planned_end_on,
        frequency=MeetingFrequency.WEEKLY,
    )


def staff_mentor(user: User) -> services.MentorSpec:
    """A staff mentor spec."""
    return services.MentorSpec(MentorKind.STAFF, user_id=user.id)


def make_pairing(
    app,
    mentee: Pupil,
    by: User,
    *,
    mentor: services.MentorSpec | None = None,
    starts_on: date | None = None,
) -> int:
    """Start a pairing through the service (staff mentor = `by` unless given); returns its id."""
    with app.app_context():
        pairing = services.create_pairing(
            mentee.school_id,
            db.session.get(Pupil, mentee.id),
            details(mentor or staff_mentor(by), starts_on=starts_on),
            by=db.session.get(User, by.id),
        )
        db.session.commit()
        return pairing.id


def log(app, pairing_id: int, by: User, held_on: date, **overrides) -> int:
    """Log a session through the service; returns its id."""
    from school_tracker.models import MentoringPairing

    values = dict(
        held_on=held_on,
        minutes=30,
        activities=f"Played chess. {SECRET}",
        mentee_voice="I liked it.",
        mentor_reflection="Good session.",
        wellbeing_start=2,
        wellbeing_end=3,
    )
    values.update(overrides)
    with app.app_context():
        session = session_log.log_session(
            db.session.get(MentoringPairing, pairing_id),
            session_log.SessionDetails(**values),
            by=db.session.get(User, by.id),
            today=TODAY,
        )
        db.session.commit()
        return session.id


def make_moment(
    app,
    school_id: int,
    by: User,
    *,
    giver: Pupil | None = None,
    receiver: Pupil | None = None,
    giver_name: str | None = None,
    values: tuple[KindnessValue, ...] = (KindnessValue.FRIENDSHIP,),
    occurred_on: date | None = None,
    description: str = "Invited a new pupil to join the game.",
) -> int:
    """Record a kindness moment through the service; returns its id."""
    with app.app_context():
        moment = kindness_services.record_moment(
            school_id,
            kindness_services.MomentDetails(
                giver_kind=KindPersonKind.PUPIL if giver else KindPersonKind.STAFF,
                giver_pupil_ids=(giver.id,) if giver else (),
                giver_name=None if giver else (giver_name or "Mrs Clarke"),
                receiver_pupil_id=receiver.id if receiver else None,
                description=description,
                values=values,
                occurred_on=occurred_on or TODAY - timedelta(days=1),
            ),
            by=db.session.get(User, by.id),
            today=TODAY,
        )
        db.session.commit()
        return moment.id


def audit_entries(entity_type: str, entity_id: int | None = None) -> list[AuditEntry]:
    """Audit entries for an entity, oldest first (inside an app context)."""
    stmt = sa.select(AuditEntry).where(AuditEntry.entity_type == entity_type)
    if entity_id is not None:
        stmt = stmt.where(AuditEntry.entity_id == entity_id)
    return list(db.session.scalars(stmt.order_by(AuditEntry.id)))
