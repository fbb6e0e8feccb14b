"""Reference data for risk flags: each school's agencies and risk-factor checklist.

The standard lists and the rule for what a form offers live in records/reference_lists.py,
shared with agency involvement, interventions and CPD; admins change a school's lists
(admin/reference_data.py, docs/reference-data.md).
"""

from datetime import date

from school_tracker.models import Agency, RiskFactor, RiskFlag
from school_tracker.records.reference_lists import (
    AGENCIES,
    RISK_FACTORS,
    ensure_every_school_lists,
    name_choices,
    offered,
)

__all__ = ["AGENCIES", "RISK_FACTORS", "ensure_agencies", "ensure_risk_factors"]


def ensure_agencies() -> None:
    """Give every school any standard agency (and other standard value) it lacks (idempotent)."""
    ensure_every_school_lists()


def ensure_risk_factors() -> None:
    """Give every school any standard risk factor it lacks (idempotent)."""
    ensure_every_school_lists()


def flag_choices(
    school_id: int, on: date, flag: RiskFlag | None
) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    """(risk factors, agencies) a flag's form offers: those active on `on`, and the flag's own."""
    factors = offered(
        RiskFactor, school_id, on=on, keep=[row.id for row in flag.risk_factors] if flag else []
    )
    agencies = offered(
        Agency, school_id, on=on, keep=[row.id for row in flag.agencies] if flag else []
    )
    return name_choices(factors, on=on), name_choices(agencies, on=on)
