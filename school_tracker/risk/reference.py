"""Reference data for risk flags: agencies and the risk-factor checklist (docs/design.md section 5).

Codes are stable identifiers (the migration seeds the same rows); names may be reworded.
"""

import sqlalchemy as sa

from school_tracker.extensions import db
from school_tracker.models import Agency, RiskFactor

AGENCIES: tuple[tuple[str, str], ...] = (
    ("camhs", "CAMHS / CYPMHS"),
    ("mhst", "Mental Health Support Team"),
    ("early_help", "Early Help"),
    ("social_care", "Children's social care"),
    ("virtual_school", "Virtual School Head"),
    ("ed_psych", "Educational psychology"),
    ("salt", "Speech and language therapy"),
    ("ot", "Occupational therapy"),
    ("school_nursing", "School nursing"),
    ("youth_justice", "Youth Justice Service"),
    ("police", "Police / safer schools officer"),
    ("la_sen", "LA SEN team"),
    ("behaviour_support", "Specialist teaching / behaviour support"),
    ("ap_pru", "Alternative provision / PRU"),
    ("young_carers", "Young carers service"),
    ("attendance", "Attendance service"),
    ("fair_access", "Fair Access panel"),
)

RISK_FACTORS: tuple[tuple[str, str], ...] = (
    ("persistent_disruption", "Persistent disruption"),
    ("attendance", "Attendance"),
    ("unmet_send", "Unmet SEND need"),
    ("bereavement_family_change", "Bereavement or family change"),
    ("peer_conflict", "Peer conflict"),
    ("online_harm", "Online harm"),
    ("substance_misuse", "Substance misuse"),
    ("exploitation", "Exploitation concern"),
    ("other", "Other"),
)


def _ensure(model: type[Agency | RiskFactor], rows: tuple[tuple[str, str], ...]) -> None:
    existing = set(db.session.scalars(sa.select(model.code)))
    db.session.add_all(
        model(code=code, name=name, sort_order=order)
        for order, (code, name) in enumerate(rows, start=1)
        if code not in existing
    )


def ensure_agencies() -> None:
    """Insert any missing agency (idempotent)."""
    _ensure(Agency, AGENCIES)


def ensure_risk_factors() -> None:
    """Insert any missing risk factor (idempotent)."""
    _ensure(RiskFactor, RISK_FACTORS)


def active_agencies() -> list[Agency]:
    """Agencies offered on forms, in list order."""
    return list(
        db.session.scalars(sa.select(Agency).where(Agency.active).order_by(Agency.sort_order))
    )


def active_risk_factors() -> list[RiskFactor]:
    """Risk factors offered on forms, in checklist order."""
    return list(
        db.session.scalars(
            sa.select(RiskFactor).where(RiskFactor.active).order_by(RiskFactor.sort_order)
        )
    )
