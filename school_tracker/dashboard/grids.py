"""Impact and spend as tables: rows × named columns, each cell with its unit and drill-down.

The term-by-term figures are FigureTables (figures.py); impact and spend compare types,
groups and funding streams, so they are laid out here. `suppress_grid` is the governors'
version: counts of 1 to the threshold hidden (with the impact distribution protected against
its total), anything built on a hidden count hidden, and no drill-down.
"""

import copy
from dataclasses import dataclass, field

from school_tracker.dashboard import sources as src
from school_tracker.dashboard.impact import IMPACT_SCORES, ImpactLine, ImpactReport
from school_tracker.dashboard.model import GROUP_LABELS
from school_tracker.dashboard.spend import STREAMS, TOTAL, SpendReport
from school_tracker.privacy.suppression import suppress_count, suppress_list

COUNT_UNITS = {"pupils", "records"}
SCORE_LABELS = {-2: "Impact −2", -1: "Impact −1", 0: "Impact 0", 1: "Impact +1", 2: "Impact +2"}


@dataclass
class GridCell:
    """One value; `note` is shown instead when there is no number (or beside a text cell)."""

    value: float | None
    unit: str = "pupils"  # pupils | records | pounds | percent | change | text
    drill: str | None = None
    term_key: str | None = None  # the term its drill-down lists, when not the chosen one
    note: str | None = None
    hidden: bool = False  # suppressed for governors (shown "[c]")


@dataclass
class GridRow:
    key: str
    label: str
    cells: list[GridCell]


@dataclass
class GridTable:
    """A titled table whose columns are named (not terms)."""

    key: str
    title: str
    row_header: str
    columns: list[str]
    rows: list[GridRow] = field(default_factory=list)
    # Column indexes whose counts add up to the column at the last index given.
    additive: tuple[int, ...] = ()

    def row(self, key: str) -> GridRow:
        return next(r for r in self.rows if r.key == key)

    def column(self, name: str) -> int:
        return self.columns.index(name)


def _too_few(line: ImpactLine, counted: int, small_group: int) -> str:
    if counted == 0:
        return "none recorded"
    return f"too few pupils ({small_group} or fewer) for an average"


def _progress(line: ImpactLine, small_group: int) -> list[GridCell]:
    if line.measures_differ:
        return [
            GridCell(None, "text", note="measures differ"),
            GridCell(None, "change", note="no shared measure"),
        ]
    measure = GridCell(None, "text", note=line.measure or "none recorded")
    if line.progress is None:
        return [
            measure,
            GridCell(None, "change", note=_too_few(line, line.progress_pupils, small_group)),
        ]
    return [measure, GridCell(line.progress, "change")]


def _taking_part_row(line: ImpactLine, drill: str | None, small_group: int) -> GridRow:
    attendance = (
        GridCell(line.attendance, "percent")
        if line.attendance is not None
        else GridCell(None, "percent", note=_too_few(line, line.attendance_pupils, small_group))
    )
    return GridRow(
        line.key,
        line.label,
        [
            GridCell(line.pupils, drill=drill),
            GridCell(line.sessions_planned, "records"),
            GridCell(line.sessions_attended, "records"),
            attendance,
            *_progress(line, small_group),
        ],
    )


def _value_row(line: ImpactLine, drill: str) -> GridRow:
    """`drill` names the pupils (impact_type:<type> or impact_group:<group>); each impact count
    drills to those with that outcome."""
    return GridRow(
        line.key,
        line.label,
        [
            GridCell(line.pupils, drill=drill),
            *[GridCell(line.impact[score], drill=f"{drill}:{score}") for score in IMPACT_SCORES],
            GridCell(line.impact_recorded, drill=f"{drill}:recorded"),
            GridCell(line.positive, drill=f"{drill}:positive"),
            GridCell(line.cost, "pounds"),
            GridCell(line.cost_per_pupil, "pounds"),
            GridCell(line.cost_per_positive, "pounds", note=None if line.positive else "none"),
        ],
    )


VALUE_COLUMNS = [
    "Pupils",
    *SCORE_LABELS.values(),
    "Impact recorded",
    "Positive impact",
    "Cost (£)",
    "Cost per pupil (£)",
    "Cost per pupil with positive impact (£)",
]
# The five impact scores add up to "Impact recorded" (indexes in VALUE_COLUMNS).
VALUE_ADDITIVE = (1, 2, 3, 4, 5, 6)


def impact_grids(report: ImpactReport) -> list[GridTable]:
    """The impact page's tables: taking part and progress, value for money, groups, mentoring."""
    small = report.small_group
    taking_part = GridTable(
        "impact_taking_part",
        "Taking part and progress, by intervention type",
        "Intervention type",
        [
            "Pupils",
            "Sessions planned",
            "Sessions attended",
            "Attendance (%)",
            "Measure",
            "Mean progress, baseline to exit",
        ],
    )
    value = GridTable(
        "impact_value",
        "Impact and value for money, by intervention type",
        "Intervention type",
        VALUE_COLUMNS,
        additive=VALUE_ADDITIVE,
    )
    for line in report.by_type:
        key = "all" if line.key == "all" else line.key
        taking_part.rows.append(_taking_part_row(line, f"impact_type:{key}", small))
        value.rows.append(_value_row(line, f"impact_type:{key}"))
    groups = GridTable(
        "impact_groups",
        "Impact and value for money, by pupil group",
        "Pupil group",
        VALUE_COLUMNS,
        additive=VALUE_ADDITIVE,
    )
    for line in report.by_group:
        groups.rows.append(_value_row(line, f"impact_group:{line.key}"))
    mentoring = report.mentoring
    wellbeing = GridTable(
        "impact_mentoring",
        "Mentoring: the mentees' wellbeing from their first session to their last",
        "Support",
        ["Mentees with a session", "Sessions held", "Pairings rated", "Mean change (1 to 5 scale)"],
        rows=[
            GridRow(
                mentoring.key,
                "Mentoring",
                [
                    GridCell(mentoring.pupils),
                    GridCell(mentoring.sessions_attended, "records"),
                    GridCell(mentoring.progress_pupils, "records"),
                    GridCell(mentoring.progress, "change")
                    if mentoring.progress is not None
                    else GridCell(
                        None, "change", note=_too_few(mentoring, mentoring.progress_pupils, small)
                    ),
                ],
            )
        ],
    )
    return [taking_part, value, groups, wellbeing]


def spend_grids(report: SpendReport) -> list[GridTable]:
    """Spend per stream per term and for the year; the pupils each stream reached, by group."""
    spend = GridTable(
        "spend_terms",
        f"Spend by funding stream, {report.academic_year} (£)",
        "Funding stream",
        [*[term.name for term in report.terms], f"Academic year {report.academic_year}"],
    )
    pupils = GridTable(
        "spend_pupils",
        f"Pupils reached by each funding stream, {report.academic_year}",
        "Funding stream",
        [GROUP_LABELS[key] for key in src.GROUPS],
    )
    for stream, label in [*STREAMS.items(), (TOTAL, "All funding streams")]:
        spend.rows.append(
            GridRow(
                stream,
                label,
                [
                    *[
                        GridCell(amount, "pounds", drill=f"spend_cost:{stream}", term_key=term.key)
                        for amount, term in zip(report.spend[stream], report.terms, strict=True)
                    ],
                    GridCell(report.year_spend(stream), "pounds"),
                ],
            )
        )
        pupils.rows.append(
            GridRow(
                stream,
                label,
                [
                    GridCell(report.pupils[stream][group], drill=f"spend_pupils:{stream}:{group}")
                    for group in src.GROUPS
                ],
            )
        )
    return [spend, pupils]


def _hide(cell: GridCell) -> None:
    cell.value, cell.note, cell.hidden = None, None, True


def suppress_grid(table: GridTable, threshold: int) -> GridTable:
    """The governors' copy: small counts hidden, no drill-down, nothing built on a hidden count."""
    safe = copy.deepcopy(table)
    for row in safe.rows:
        for cell in row.cells:
            cell.drill = None
        if table.additive:
            *parts, total = table.additive
            values, published = suppress_list(
                [int(row.cells[i].value or 0) for i in parts], threshold
            )
            for index, value in [*zip(parts, values, strict=True), (total, published)]:
                if value is None:
                    _hide(row.cells[index])
        for cell in row.cells:
            small = cell.value is not None and suppress_count(int(cell.value), threshold) is None
            if cell.unit in COUNT_UNITS and small:
                _hide(cell)
        hidden_pupils = bool(row.cells) and row.cells[0].hidden
        for name, cell in zip(table.columns, row.cells, strict=True):
            # A share, an average or a cost per pupil over a hidden count could give it away.
            if hidden_pupils and (
                cell.unit in ("percent", "change") or "per pupil" in name.lower()
            ):
                _hide(cell)
        positive = table.column("Positive impact") if "Positive impact" in table.columns else None
        if positive is not None and row.cells[positive].hidden:
            _hide(row.cells[-1])  # the cost per pupil with positive impact
    return safe


def cell_text(cell: GridCell) -> str:
    """A cell as the page shows it ("[c]" hidden, "–" no number, or a note saying why not)."""
    if cell.hidden:
        return "[c]"
    if cell.value is None:
        return cell.note or "–"
    if cell.unit == "pounds":
        return f"£{cell.value:,.2f}"
    if cell.unit == "percent":
        return f"{cell.value:.1f}%"
    if cell.unit == "change":
        return f"{cell.value:+.1f}"
    return f"{int(cell.value):,}"
