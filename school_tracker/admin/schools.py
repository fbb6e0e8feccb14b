"""Creating schools inside the deployment's single trust."""

import re

import sqlalchemy as sa

from school_tracker.audit import record_audit
from school_tracker.extensions import db
from school_tracker.models import School, Trust
from school_tracker.records.reference_lists import ensure_school_lists

_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{1,58}[a-z0-9]$")


class SchoolError(ValueError):
    """A school the rules refuse."""


def the_trust(name: str | None = None) -> Trust:
    """The deployment's trust, created on first use."""
    trust = db.session.scalar(sa.select(Trust).order_by(Trust.id))
    if trust is None:
        trust = Trust(name=name or "Our trust")
        db.session.add(trust)
        db.session.flush()
    return trust


def ensure_reference_data() -> None:
    """Every codeset: the shared priorities and exclusion reasons, and each existing school's
    own agencies, risk factors, measures and CPD focus areas (records/reference_lists.py).

    Each feature owns its codeset; a new school (and a test database) needs them all.
    """
    from school_tracker.exclusions.reference import ensure_exclusion_reasons
    from school_tracker.records.reference import ensure_priorities
    from school_tracker.risk.reference import ensure_agencies, ensure_risk_factors

    ensure_priorities()
    ensure_agencies()
    ensure_risk_factors()
    ensure_exclusion_reasons()


def create_school(*, slug: str, name: str, trust_name: str | None = None) -> School:
    """A new school with a unique slug of lower-case letters, digits and hyphens."""
    slug = slug.strip().lower()
    name = name.strip()
    if not _SLUG.match(slug):
        raise SchoolError("A slug is 3-60 lower-case letters, digits or hyphens, e.g. oakfield.")
    if not name or len(name) > 200:
        raise SchoolError("Give the school's name (up to 200 characters).")
    if db.session.scalar(sa.select(School.id).where(School.slug == slug)) is not None:
        raise SchoolError(f"A school with the slug {slug!r} already exists.")
    from school_tracker.interventions.catalogue import ensure_intervention_types

    ensure_reference_data()
    school = School(trust=the_trust(trust_name), slug=slug, name=name)
    db.session.add(school)
    db.session.flush()
    ensure_intervention_types(school.id)  # each school starts with the standard catalogue
    ensure_school_lists(school.id)  # and its own copy of the standard reference lists
    record_audit(None, "create", "school", school.id, school_id=school.id)
    return school
