"""Exclusion-risk flags, suspensions and exclusions, and suspension rates by group."""

from datetime import date

import sqlalchemy as sa

from school_tracker.calendar.terms import Term
from school_tracker.dashboard import sources as src
from school_tracker.dashboard.model import (
    FigureRow,
    FigureTable,
    filter_pupils,
    grid_by_term,
    join_pupils,
)
from school_tracker.extensions import db
from school_tracker.models import (
    AgencyInvolvement,
    Exclusion,
    Pupil,
    RiskFlag,
)
from school_tracker.models.exclusion import ExclusionKind, ExclusionReason
from school_tracker.models.intervention import Intervention, InterventionStatus
from school_tracker.models.pupil import SenStatus
from school_tracker.models.risk import Agency, RiskLevel, risk_flag_agencies

RATE_GROUPS = {
    "send": ("Pupils with SEND", Pupil.sen_status != SenStatus.NONE),
    "no_send": ("Pupils without SEND", Pupil.sen_status == SenStatus.NONE),
    "disadvantaged": ("Disadvantaged pupils", Pupil.pupil_premium.is_(True)),
    "not_disadvantaged": ("Other pupils", Pupil.pupil_premium.is_(False)),
}


def agency_involvement(school_id: int) -> sa.Subquery:
    """(pupil, agency, from, to) for every agency ticked on a risk flag (while the flag was open)
    and every agency involvement record (from referral until declined or closed), so a pupil
    the same agency works with both ways counts once."""
    ticked = (
        sa.select(
            RiskFlag.pupil_id,
            Agency.name,
            RiskFlag.raised_on.label("starts"),
            RiskFlag.closed_on.label("ends"),
        )
        .join(risk_flag_agencies, risk_flag_agencies.c.flag_id == RiskFlag.id)
        .join(Agency, Agency.id == risk_flag_agencies.c.agency_id)
        .where(RiskFlag.school_id == school_id)
    )
    recorded = (
        sa.select(
            AgencyInvolvement.pupil_id,
            Agency.name,
            AgencyInvolvement.referred_on.label("starts"),
            AgencyInvolvement.ended_on.label("ends"),
        )
        .join(Agency, Agency.id == AgencyInvolvement.agency_id)
        .where(AgencyInvolvement.school_id == school_id)
    )
    return sa.union_all(ticked, recorded).subquery("agency_involvement")


def risk_levels(
    school_id: int, terms: list[Term], t: sa.Subquery, filters: src.DashboardFilters
) -> FigureTable:
    """Pupils with a flag open at the end of each term, by its level."""
    n = len(terms)
    open_at_end = sa.and_(
        RiskFlag.raised_on <= t.c.ends,
        sa.or_(RiskFlag.closed_on.is_(None), RiskFlag.closed_on > t.c.ends),
    )
    by_level = db.session.execute(
        filter_pupils(
            sa.select(t.c.idx, RiskFlag.level, sa.func.count(sa.distinct(RiskFlag.pupil_id)))
            .select_from(RiskFlag)
            .join(t, open_at_end),
            filters,
            RiskFlag.pupil_id,
        )
        .where(RiskFlag.school_id == school_id)
        .group_by(t.c.idx, RiskFlag.level)
    ).all()
    grid = grid_by_term([(i, level.value, c) for i, level, c in by_level], n)
    levels = [
        FigureRow(
            f"open:{lv.value}", f"Open, {lv.value}", grid[lv.value], drill=f"flag_open:{lv.value}"
        )
        for lv in RiskLevel
    ]
    levels.append(
        FigureRow(
            "open:total",
            "Open at the end of the term",
            [sum(v) for v in zip(*(grid[lv.value] for lv in RiskLevel), strict=True)],
            drill="flag_open:total",
        )
    )
    return FigureTable(
        "risk_levels",
        "Pupils with an open exclusion-risk flag, by level",
        levels,
        additive=True,
        chart="bar",
    )


def risk(
    school_id: int, terms: list[Term], t: sa.Subquery, filters: src.DashboardFilters
) -> list[FigureTable]:
    """Pupils with a flag raised and closed in each term; agencies involved."""
    n = len(terms)
    flow_cols = [
        sa.func.count(sa.distinct(sa.case((src.within(t, RiskFlag.raised_on), RiskFlag.pupil_id)))),
        sa.func.count(sa.distinct(sa.case((src.within(t, RiskFlag.closed_on), RiskFlag.pupil_id)))),
    ]
    flows = db.session.execute(
        filter_pupils(
            sa.select(t.c.idx, *flow_cols)
            .select_from(RiskFlag)
            .join(t, src.overlaps(t, RiskFlag.raised_on, RiskFlag.closed_on)),
            filters,
            RiskFlag.pupil_id,
        )
        .where(RiskFlag.school_id == school_id)
        .group_by(t.c.idx)
    ).all()
    raised, closed = [0] * n, [0] * n
    for idx, new, done in flows:
        raised[idx], closed[idx] = new, done
    involved = agency_involvement(school_id)
    agencies = db.session.execute(
        filter_pupils(
            sa.select(t.c.idx, involved.c.name, sa.func.count(sa.distinct(involved.c.pupil_id)))
            .select_from(involved)
            .join(t, src.overlaps(t, involved.c.starts, involved.c.ends)),
            filters,
            involved.c.pupil_id,
        ).group_by(t.c.idx, involved.c.name)
    ).all()
    agency_grid = grid_by_term(agencies, n)
    return [
        FigureTable(
            "risk_flow",
            "Flags raised and closed",
            [
                FigureRow("raised", "Pupils with a flag raised", raised, drill="flag_raised:any"),
                FigureRow("closed", "Pupils with a flag closed", closed, drill="flag_closed:any"),
            ],
        ),
        FigureTable(
            "agencies",
            "Agencies involved (pupils with an open flag or a referral)",
            [
                FigureRow(f"agency:{name}", name, values, drill=f"agency:{name}")
                for name, values in sorted(agency_grid.items())
            ],
        ),
    ]


def suspensions(
    school_id: int, terms: list[Term], t: sa.Subquery, filters: src.DashboardFilters
) -> list[FigureTable]:
    """Suspensions and permanent exclusions; reasons; rates for SEND and disadvantaged."""
    n = len(terms)
    live = sa.and_(Exclusion.school_id == school_id, Exclusion.cancelled_on.is_(None))
    is_susp = Exclusion.kind == ExclusionKind.SUSPENSION
    rows = db.session.execute(
        filter_pupils(
            sa.select(
                t.c.idx,
                sa.func.count(sa.case((is_susp, Exclusion.id))),
                sa.func.coalesce(sa.func.sum(sa.case((is_susp, Exclusion.sessions))), 0),
                sa.func.count(sa.distinct(sa.case((is_susp, Exclusion.pupil_id)))),
                sa.func.count(sa.case((~is_susp, Exclusion.id))),
            )
            .select_from(Exclusion)
            .join(t, src.within(t, Exclusion.start_date)),
            filters,
            Exclusion.pupil_id,
        )
        .where(live)
        .group_by(t.c.idx)
    ).all()
    values = {k: [0] * n for k in ("count", "sessions", "pupils", "permanent")}
    for idx, count, sessions, pupils, permanent in rows:
        values["count"][idx], values["sessions"][idx] = count, sessions
        values["pupils"][idx], values["permanent"][idx] = pupils, permanent
    reasons = sa.union_all(
        *[
            sa.select(Exclusion.id.label("exclusion_id"), column.label("reason_id")).where(
                live, column.is_not(None)
            )
            for column in (Exclusion.reason_1_id, Exclusion.reason_2_id, Exclusion.reason_3_id)
        ]
    ).subquery("reasons")
    by_reason = db.session.execute(
        filter_pupils(
            sa.select(t.c.idx, ExclusionReason.code, sa.func.count(sa.distinct(Exclusion.id)))
            .select_from(reasons)
            .join(Exclusion, Exclusion.id == reasons.c.exclusion_id)
            .join(ExclusionReason, ExclusionReason.id == reasons.c.reason_id)
            .join(t, src.within(t, Exclusion.start_date)),
            filters,
            Exclusion.pupil_id,
        ).group_by(t.c.idx, ExclusionReason.code)
    ).all()
    reason_grid = grid_by_term(by_reason, n)
    names = dict(
        db.session.execute(sa.select(ExclusionReason.code, ExclusionReason.description)).all()
    )
    return [
        FigureTable(
            "suspensions",
            "Suspensions and permanent exclusions",
            [
                FigureRow(
                    "count", "Suspensions", values["count"], unit="records", drill="suspension:any"
                ),
                FigureRow("pupils", "Pupils suspended", values["pupils"], drill="suspended:any"),
                FigureRow(
                    "sessions",
                    "School sessions lost to suspension",
                    values["sessions"],
                    unit="records",
                    drill="suspension:any",
                ),
                FigureRow(
                    "permanent", "Permanent exclusions", values["permanent"], drill="permanent:any"
                ),
            ],
        ),
        FigureTable(
            "reasons",
            "Suspensions and exclusions by DfE reason",
            [
                FigureRow(
                    f"reason:{code}",
                    f"{code} {names.get(code, '')}".strip(),
                    vals,
                    unit="records",
                    drill=f"reason:{code}",
                )
                for code, vals in sorted(reason_grid.items())
            ],
            chart="bar",
        ),
    ]


def suspension_rates(
    school_id: int, terms: list[Term], t: sa.Subquery, filters: src.DashboardFilters
) -> FigureTable:
    """Share of each group on roll who were suspended in the term."""
    n = len(terms)
    roll = src.roll_by_term(school_id, t, filters, [cond for _, cond in RATE_GROUPS.values()])
    suspended = db.session.execute(
        join_pupils(
            sa.select(
                t.c.idx,
                *[
                    sa.func.count(sa.distinct(sa.case((cond, Exclusion.pupil_id))))
                    for _, cond in RATE_GROUPS.values()
                ],
            )
            .select_from(Exclusion)
            .join(t, src.within(t, Exclusion.start_date)),
            filters,
            Exclusion.pupil_id,
        )
        .where(
            Exclusion.school_id == school_id,
            Exclusion.cancelled_on.is_(None),
            Exclusion.kind == ExclusionKind.SUSPENSION,
        )
        .group_by(t.c.idx)
    ).all()
    base = {k: [0] * n for k in RATE_GROUPS}
    hit = {k: [0] * n for k in RATE_GROUPS}
    for source, target in ((roll, base), (suspended, hit)):
        for row in source:
            for offset, key in enumerate(RATE_GROUPS):
                target[key][row[0]] = row[1 + offset] or 0
    rows = []
    for key, (label, _) in RATE_GROUPS.items():
        rows.append(
            FigureRow(f"rate_base:{key}", f"{label}: on roll", base[key], drill=f"roll_rate:{key}")
        )
        rows.append(
            FigureRow(f"rate_hit:{key}", f"{label}: suspended", hit[key], drill=f"suspended:{key}")
        )
        rows.append(
            FigureRow(
                f"rate:{key}",
                f"{label}: % suspended",
                [
                    round(100 * h / b, 1) if b else None
                    for h, b in zip(hit[key], base[key], strict=True)
                ],
                unit="percent",
            )
        )
    return FigureTable(
        "suspension_rates", "Suspension rates: SEND and disadvantaged vs others", rows
    )


def overdue_reviews(school_id: int, as_of: date) -> dict[str, int]:
    """Reviews whose date has passed on `as_of`: open interventions and flags not closed."""
    interventions_due = (
        sa.select(sa.func.count(Intervention.id))
        .where(
            Intervention.school_id == school_id,
            Intervention.review_date < as_of,
            Intervention.status.in_([InterventionStatus.PLANNED, InterventionStatus.ACTIVE]),
        )
        .scalar_subquery()
    )
    flags_due = (
        sa.select(sa.func.count(RiskFlag.id))
        .where(
            RiskFlag.school_id == school_id,
            RiskFlag.review_on < as_of,
            RiskFlag.closed_on.is_(None),
        )
        .scalar_subquery()
    )
    # Both counts in one round trip.
    interventions, flags = db.session.execute(sa.select(interventions_due, flags_due)).one()
    return {"interventions": interventions or 0, "flags": flags or 0}
