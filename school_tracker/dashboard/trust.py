"""The trust view: each school's figures side by side, anonymised as for governors."""

from dataclasses import dataclass

import sqlalchemy as sa

from school_tracker.calendar.term_dates import calendar_for
from school_tracker.dashboard.anonymise import anonymise
from school_tracker.dashboard.figures import build_dashboard
from school_tracker.extensions import db
from school_tracker.models import School

# (table key, row key) pairs compared across schools, in reading order.
COMPARED = (
    ("groups", "roll:all"),
    ("reached", "any"),
    ("gap", "all"),
    ("gap", "gap:sen_k"),
    ("gap", "gap:sen_e"),
    ("gap", "gap:disadvantaged"),
    ("interventions", "interventions"),
    ("interventions", "all"),
    ("cost", "cost:per_pupil"),
    ("mentoring", "pairs"),
    ("mentoring", "sessions"),
    ("risk_levels", "open:total"),
    ("suspensions", "pupils"),
    ("suspensions", "permanent"),
    ("suspension_rates", "rate:send"),
    ("suspension_rates", "rate:disadvantaged"),
    ("cpd", "hours"),
    ("families", "held"),
    ("kindness", "moments"),
)


@dataclass(frozen=True)
class TrustRow:
    """One figure across the trust's schools."""

    label: str
    unit: str
    values: list[float | None]


def trust_comparison(
    trust_id: int, term_key: str, threshold: int
) -> tuple[list[School], list[TrustRow]]:
    """Each school's suppressed figures for one term (each school's own term dates)."""
    schools = list(
        db.session.scalars(
            sa.select(School).where(School.trust_id == trust_id).order_by(School.name)
        )
    )
    columns = []
    for school in schools:
        terms = calendar_for(school.id).recent(term_key, 2)
        columns.append(anonymise(build_dashboard(school.id, terms), threshold))
    rows = []
    for table_key, row_key in COMPARED:
        label, unit, values = "", "pupils", []
        for dashboard in columns:
            row = next(r for r in dashboard.built_table(table_key).rows if r.key == row_key)
            label, unit = row.label, row.unit
            values.append(row.values[-1])
        rows.append(TrustRow(label, unit, values))
    return schools, rows
