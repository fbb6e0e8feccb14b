"""Who the programme reached, by priority and group; interventions, impact and cost."""

import sqlalchemy as sa

from school_tracker.calendar.terms import Term
from school_tracker.dashboard import sources as src
from school_tracker.dashboard.model import (
    GROUP_LABELS,
    FigureRow,
    FigureTable,
    filter_pupils,
    grid_by_term,
    join_pupils,
)
from school_tracker.extensions import db
from school_tracker.models import (
    InterventionParticipant,
    Priority,
)
from school_tracker.models.intervention import Intervention, InterventionStatus

# P3 (teachers as professional learners) is about staff, so it is counted in people who learn
# and their hours (the "cpd" table), never in pupils reached.
STAFF_PRIORITY = "P3"


def reach(
    school_id: int, terms: list[Term], t: sa.Subquery, filters: src.DashboardFilters
) -> list[FigureTable]:
    """Pupils reached per AfA priority and per group, each group's roll, and the gap.

    The reached rows (a six-way UNION over every record kind) are the dashboard's most
    expensive input, so every count taken from them is one aggregate over one statement:
    per priority, any priority (the "all" group) and each group are COUNT(DISTINCT ...)
    columns of the same GROUP BY term.
    """
    n = len(terms)
    priorities = db.session.execute(
        sa.select(Priority.id, Priority.code, Priority.title)
        .where(Priority.code != STAFF_PRIORITY)
        .order_by(Priority.sort_order)
    ).all()
    reached, on_roll = _reached(school_id, t, filters)
    pupil = reached.c.pupil_id
    per_priority = [
        sa.func.count(sa.distinct(sa.case((reached.c.priority_id == pid, pupil))))
        for pid, _, _ in priorities
    ]
    per_group = [sa.func.count(sa.distinct(sa.case((cond, pupil)))) for cond in src.GROUPS.values()]
    got = db.session.execute(
        join_pupils(sa.select(reached.c.idx, *per_priority, *per_group), filters, pupil)
        .where(*on_roll)
        .group_by(reached.c.idx)
    ).all()
    by_priority = {code: [0] * n for _, code, _ in priorities}
    reached_n = {key: [0] * n for key in src.GROUPS}
    for row in got:
        idx, counts = row[0], row[1:]
        for offset, (_, code, _) in enumerate(priorities):
            by_priority[code][idx] = counts[offset] or 0
        for offset, key in enumerate(src.GROUPS):
            reached_n[key][idx] = counts[len(priorities) + offset] or 0
    rows = [
        FigureRow(code, f"{code} {title}", by_priority[code], drill=f"reached:{code}")
        for _, code, title in priorities
    ]
    # "Any priority" is the distinct pupils reached at all: the "all" group's count.
    rows.append(FigureRow("any", "Any priority", reached_n["all"], drill="reached:any"))
    reached_table = FigureTable("reached", "Pupils reached, by priority", rows)
    return [reached_table, *_group_gap(school_id, n, t, filters, reached_n)]


def _reached(
    school_id: int, t: sa.Subquery, filters: src.DashboardFilters
) -> tuple[sa.Subquery, list[sa.ColumnElement[bool]]]:
    """Who was reached, restricted to pupils on roll in that term and to the filters."""
    reached = src.reached_rows(school_id, t)
    conditions = [src.on_roll_in(reached.c.starts, reached.c.ends)]
    return reached, conditions


def _group_gap(
    school_id: int,
    n: int,
    t: sa.Subquery,
    filters: src.DashboardFilters,
    reached_n: dict[str, list[int]],
) -> tuple[FigureTable, FigureTable]:
    """For each group: pupils on roll, pupils reached, and the share reached."""
    roll = src.roll_by_term(school_id, t, filters, src.GROUPS.values())
    on_roll = {key: [0] * n for key in src.GROUPS}
    for row in roll:
        for offset, key in enumerate(src.GROUPS):
            on_roll[key][row[0]] = row[1 + offset] or 0
    share = {
        key: [
            round(100 * r / o, 1) if o else None
            for r, o in zip(reached_n[key], on_roll[key], strict=True)
        ]
        for key in src.GROUPS
    }
    counts = FigureTable(
        "groups",
        "Pupils on roll and reached, by group",
        [
            row
            for key in src.GROUPS
            for row in (
                FigureRow(
                    f"roll:{key}",
                    f"{GROUP_LABELS[key]}: on roll",
                    on_roll[key],
                    drill=f"roll:{key}",
                ),
                FigureRow(
                    f"reached:{key}",
                    f"{GROUP_LABELS[key]}: reached",
                    reached_n[key],
                    drill=f"group:{key}",
                ),
            )
        ],
    )
    gap = FigureTable(
        "gap",
        "Share of each group reached, and the gap to all pupils",
        [FigureRow(key, GROUP_LABELS[key], share[key], unit="percent") for key in src.GROUPS]
        + [
            FigureRow(
                f"gap:{key}",
                f"Gap: {GROUP_LABELS[key]} vs all pupils",
                [
                    None if g is None or a is None else round(g - a, 1)
                    for g, a in zip(share[key], share["all"], strict=True)
                ],
                unit="points",
            )
            for key in src.GROUPS
            if key != "all"
        ],
    )
    return counts, gap


def interventions(
    school_id: int, terms: list[Term], t: sa.Subquery, filters: src.DashboardFilters
) -> list[FigureTable]:
    """Interventions running and pupils in them by group; impact; cost per pupil."""
    n = len(terms)
    running = sa.and_(Intervention.school_id == school_id, src.taking_part_in_term(t))
    base = (
        sa.select(t.c.idx)
        .select_from(InterventionParticipant)
        .join(Intervention, Intervention.id == InterventionParticipant.intervention_id)
        .join(t, running)
    )
    cols = [sa.func.count(sa.distinct(Intervention.id))] + [
        sa.func.count(sa.distinct(sa.case((cond, InterventionParticipant.pupil_id))))
        for cond in src.GROUPS.values()
    ]
    rows = db.session.execute(
        join_pupils(base.add_columns(*cols), filters, InterventionParticipant.pupil_id).group_by(
            t.c.idx
        )
    ).all()
    counts = {key: [0] * n for key in ["interventions", *src.GROUPS]}
    for row in rows:
        for offset, key in enumerate(counts):
            counts[key][row[0]] = row[1 + offset] or 0
    running_table = FigureTable(
        "interventions",
        "Interventions running and pupils in them",
        [
            FigureRow(
                "interventions",
                "Interventions running",
                counts["interventions"],
                unit="records",
                drill="running:any",
            ),
            *[
                FigureRow(
                    key,
                    f"Pupils taking part: {GROUP_LABELS[key]}",
                    counts[key],
                    drill=f"intervention:{key}",
                )
                for key in src.GROUPS
            ],
        ],
    )
    ended = src.participation_end()
    impact_rows = db.session.execute(
        filter_pupils(
            sa.select(
                t.c.idx,
                InterventionParticipant.impact,
                sa.func.count(sa.distinct(InterventionParticipant.pupil_id)),
            )
            .select_from(InterventionParticipant)
            .join(Intervention, Intervention.id == InterventionParticipant.intervention_id)
            .join(t, src.within(t, ended)),
            filters,
            InterventionParticipant.pupil_id,
        )
        .where(Intervention.school_id == school_id, InterventionParticipant.impact.is_not(None))
        .group_by(t.c.idx, InterventionParticipant.impact)
    ).all()
    grid = grid_by_term(impact_rows, n)
    labels = {
        "-2": "−2 much worse",
        "-1": "−1 worse",
        "0": "0 no change",
        "1": "+1 better",
        "2": "+2 much better",
    }
    impact = [
        FigureRow(f"impact:{k}", label, grid[k], drill=f"impact:{k}") for k, label in labels.items()
    ]
    impact.append(
        FigureRow(
            "impact:total",
            "Total with an impact recorded",
            [sum(v) for v in zip(*(grid[k] for k in labels), strict=True)],
            drill="impact:total",
        )
    )
    impact_table = FigureTable(
        "impact", "Impact for pupils whose intervention ended", impact, additive=True, chart="bar"
    )
    cost_rows = db.session.execute(
        sa.select(
            t.c.idx,
            sa.func.sum(Intervention.cost_pence),
            sa.func.count(sa.distinct(Intervention.id)),
        )
        .select_from(Intervention)
        .join(t, src.within(t, Intervention.start_date))
        .where(
            Intervention.school_id == school_id, Intervention.status != InterventionStatus.PLANNED
        )
        .group_by(t.c.idx)
    ).all()
    pupil_rows = db.session.execute(
        filter_pupils(
            sa.select(t.c.idx, sa.func.count(sa.distinct(InterventionParticipant.pupil_id)))
            .select_from(InterventionParticipant)
            .join(Intervention, Intervention.id == InterventionParticipant.intervention_id)
            .join(t, src.within(t, Intervention.start_date)),
            filters,
            InterventionParticipant.pupil_id,
        )
        .where(
            Intervention.school_id == school_id, Intervention.status != InterventionStatus.PLANNED
        )
        .group_by(t.c.idx)
    ).all()
    cost: list[float] = [0] * n
    pupils = [0] * n
    for idx, pence, _ in cost_rows:
        cost[idx] = (pence or 0) / 100
    for idx, count in pupil_rows:
        pupils[idx] = count
    per_pupil = [round(c / p, 2) if p else None for c, p in zip(cost, pupils, strict=True)]
    cost_table = FigureTable(
        "cost",
        "Cost of interventions started in the term",
        [
            FigureRow(
                "cost:total", "Total cost (£)", cost, unit="pounds", drill="started_cost:any"
            ),
            FigureRow("cost:pupils", "Pupils in them", pupils, drill="started:any"),
            FigureRow("cost:per_pupil", "Cost per pupil (£)", per_pupil, unit="pounds"),
        ],
    )
    return [running_table, impact_table, cost_table]
