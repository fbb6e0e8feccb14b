"""Impact and spend for the governors' workbook: the dashboard's value-for-money figures,
suppressed for governors (issue 15 items 3, 4 and 7).

The figures come from dashboard/impact.py and dashboard/spend.py; here they are hidden as the
rest of the workbook is. Counts of pupils (and of sessions) from 1 to the threshold are `[c]`;
where rows add up to a published total, one more cell is hidden so a hidden one cannot be worked
back (privacy/suppression.py); a rate, an average or a cost per pupil resting on a hidden count
is hidden too, since cost ÷ cost per pupil would give the count back. What staff typed (a
measure's name) is never included: governors receive no free text.
"""

from collections.abc import Sequence

from school_tracker.dashboard.impact import IMPACT_SCORES, ImpactLine, ImpactReport
from school_tracker.dashboard.model import GROUP_LABELS
from school_tracker.dashboard.sources import GROUPS
from school_tracker.dashboard.spend import STREAMS, TOTAL, SpendReport
from school_tracker.privacy.suppression import (
    SUPPRESSED,
    is_small,
    suppress_count,
    suppress_list,
    suppress_table,
)
from school_tracker.reports.figures import NOT_APPLICABLE, Published
from school_tracker.reports.publication import TableRow, TableSheet, note_reference

POUNDS, WHOLE, ONE_PLACE = "£#,##0.00", "#,##0", "0.0"
SCORE_HEADERS = [f"Impact {score:+d}" if score else "Impact 0" for score in IMPACT_SCORES]
IMPACT_HEADER = (
    "Pupils",
    "Sessions attended",
    "Attendance (%)",
    "Progress (points)",
    *SCORE_HEADERS,
    "Impact recorded",
    "Cost (£)",
    "Cost per pupil (£)",
    "Cost per pupil with positive impact (£)",
)
IMPACT_FORMATS = {2: ONE_PLACE, 3: "+0.0;-0.0;0.0", 10: POUNDS, 11: POUNDS, 12: POUNDS}
IMPACT_NOTE = (
    "Impact by intervention type and by pupil group: pupils whose part in an intervention "
    "(not planned) ended in the term. Sessions attended = the sessions each pupil was marked "
    "present at on the register, plus any count recorded before the register existed. "
    "Attendance = sessions attended ÷ sessions planned, for pupils with both recorded. "
    "Progress = the mean of exit score minus baseline score, shown "
    "only where every pupil of the row was scored on the same measure ([z] where measures "
    "differ); the measure is named on the dashboard, not here, because staff type it. Impact is "
    "the lead's judgement from -2 to +2. Each intervention's cost is shared equally among its "
    "places. Averages and rates over {threshold} pupils or fewer are [c]."
)
WELLBEING_NOTE = (
    "Mentoring: mentees with a session in the term, sessions held, and the change in the "
    "mentee's wellbeing (rated 1 to 5) from the start of their first rated session to the end "
    "of their last, for pairings with two or more sessions. The mean is [c] for {threshold} "
    "mentees or fewer."
)
SPEND_NOTE = (
    "Spend by funding stream: the cost of interventions (not planned) that started in each "
    "term of the academic year, by the budget that paid for them; and the pupils taking part "
    "in them over the year, by group. A pupil in interventions from two streams counts once in "
    "the total. Money is not a count of children and is never hidden."
)


def _count(value: int | None) -> Published:
    return SUPPRESSED if value is None else value


def _hidden_unless(shown: bool, value: float | None, *, none: bool = False) -> Published:
    """A derived figure: [z] when there is none (or no pupils at all, `none`), [c] when what it
    rests on is hidden."""
    if none:
        return NOT_APPLICABLE
    if not shown:
        return SUPPRESSED
    return NOT_APPLICABLE if value is None else value


def _pupil_cells(
    lines: Sequence[ImpactLine], threshold: int, *, additive: bool
) -> list[int | None]:
    """Each line's pupils; when the last line is the others' sum, hidden as a line with a total
    (one more cell hidden if only one is), so no hidden type can be worked out from it."""
    if not additive:
        return [suppress_count(line.pupils, threshold) for line in lines]
    parts = [line.pupils for line in lines[:-1]]
    if sum(parts) != lines[-1].pupils:  # a pupil in two types: the total is not the sum
        return [suppress_count(pupils, threshold) for pupils in [*parts, lines[-1].pupils]]
    cells, total = suppress_list(parts, threshold)
    return [*cells, total]


def _impact_rows(lines: Sequence[ImpactLine], threshold: int, *, additive: bool) -> list[TableRow]:
    """Rows for lines whose scores form a grid; `additive` when the last line is their total."""
    parts = lines[:-1] if additive else lines
    grid = suppress_table(
        [[line.impact[score] for score in IMPACT_SCORES] for line in parts],
        threshold,
        with_totals=True,
    )
    cells: list[list[int | None]] = list(grid.cells)
    recorded: list[int | None] = list(grid.row_totals)
    if additive:
        total = lines[-1]
        sums_match = [sum(line.impact[s] for line in parts) for s in IMPACT_SCORES] == [
            total.impact[s] for s in IMPACT_SCORES
        ]
        # A pupil in two types counts once in the total: then it is not the cells' sum, and
        # the total is hidden rather than published beside cells it does not add up to.
        cells.append(grid.column_totals if sums_match else [None] * len(IMPACT_SCORES))
        recorded.append(grid.grand_total if sums_match else None)
    rows = []
    for line, pupils, scores, recorded_total in zip(
        lines, _pupil_cells(lines, threshold, additive=additive), cells, recorded, strict=True
    ):
        shown = pupils is not None and not line.too_few
        positive_shown = shown and not is_small(line.positive, threshold)
        progress: Published = (
            NOT_APPLICABLE
            if line.measures_differ or not line.progress_pupils
            else _hidden_unless(line.progress_pupils > threshold, line.progress)
        )
        rows.append(
            TableRow(
                labels=(line.label,),
                values=(
                    _count(pupils),
                    _count(suppress_count(line.sessions_attended, threshold)),
                    _hidden_unless(
                        shown and line.attendance_pupils > threshold,
                        line.attendance,
                        none=not line.attendance_pupils,
                    ),
                    progress,
                    *(_count(score) for score in scores),
                    _count(recorded_total),
                    line.cost,
                    _hidden_unless(pupils is not None, line.cost_per_pupil, none=not line.pupils),
                    _hidden_unless(positive_shown, line.cost_per_positive, none=not line.positive),
                ),
                number_format=WHOLE,
                formats=IMPACT_FORMATS,
            )
        )
    return rows


def _wellbeing_row(line: ImpactLine, threshold: int) -> TableRow:
    mentees = suppress_count(line.pupils, threshold)
    change: Published = (
        NOT_APPLICABLE
        if not line.progress_pupils
        else _hidden_unless(line.progress_pupils > threshold, line.progress)
    )
    return TableRow(
        labels=(line.label,),
        values=(
            _count(mentees),
            _count(suppress_count(line.sessions_attended, threshold)),
            _count(suppress_count(line.progress_pupils, threshold)),
            change,
        ),
        number_format=WHOLE,
        formats={3: "+0.0;-0.0;0.0"},
    )


def _spend_rows(spend: SpendReport, threshold: int) -> tuple[list[TableRow], list[TableRow]]:
    streams = [key for key in (*STREAMS, TOTAL) if key in spend.spend]
    label = {**STREAMS, TOTAL: "All funding streams"}
    money = [
        TableRow(
            labels=(label[key],),
            values=(*spend.spend[key], spend.year_spend(key)),
            number_format=POUNDS,
        )
        for key in streams
    ]
    pupils = [
        TableRow(
            labels=(label[key],),
            values=tuple(
                _count(suppress_count(spend.pupils.get(key, {}).get(group, 0), threshold))
                for group in GROUPS
            ),
        )
        for key in streams
    ]
    return money, pupils


def _sheet(
    name: str,
    title: str,
    about: str,
    first: str,
    header: Sequence[str],
    rows: Sequence[TableRow],
    notes: str,
) -> TableSheet:
    return TableSheet(
        sheet_name=name,
        title=title,
        about=(about, f"Notes: {notes}, on the Notes sheet."),
        header=(first, *header),
        rows=rows,
        label_widths=(40,),
        value_width=14,
        notes=notes,
    )


def value_sheets(
    impact: ImpactReport, spend: SpendReport, threshold: int, shared: Sequence[int], first: int
) -> tuple[list[TableSheet], list[str]]:
    """The impact, wellbeing and spend sheets, and their notes (numbered from `first`)."""
    cite = [note_reference(n) for n in shared]
    impact_notes = ", ".join([*cite, note_reference(first)])
    wellbeing_notes = ", ".join([*cite, note_reference(first + 1)])
    spend_notes = ", ".join([*cite, note_reference(first + 2)])
    term, year = impact.term.name, spend.academic_year
    money, reached = _spend_rows(spend, threshold)
    sheets = [
        _sheet(
            "Impact_by_type",
            f"Impact and cost by intervention type, {term}",
            "This worksheet contains one table: one row per type of intervention, then all.",
            "Intervention type",
            IMPACT_HEADER,
            _impact_rows(impact.by_type, threshold, additive=True),
            impact_notes,
        ),
        _sheet(
            "Impact_by_group",
            f"Impact and cost by pupil group, {term}",
            "This worksheet contains one table: one row per pupil group (groups overlap).",
            "Pupil group",
            IMPACT_HEADER,
            _impact_rows(impact.by_group, threshold, additive=False),
            impact_notes,
        ),
        _sheet(
            "Wellbeing",
            f"Mentees' wellbeing, {term}",
            "This worksheet contains one table: mentoring, first rated session to last.",
            "Support",
            ("Mentees", "Sessions held", "Mentees rated first and last", "Change (points)"),
            [_wellbeing_row(impact.mentoring, threshold)],
            wellbeing_notes,
        ),
        _sheet(
            "Spend",
            f"Spend by funding stream, {year}",
            "This worksheet contains one table: spend per term of the academic year, and the year.",
            "Funding stream",
            (*(f"{t.name} (£)" for t in spend.terms), f"{year} (£)"),
            money,
            spend_notes,
        ),
        _sheet(
            "Spend_pupils",
            f"Pupils reached by each funding stream, {year}",
            "This worksheet contains one table: pupils taking part over the year, by group.",
            "Funding stream",
            tuple(GROUP_LABELS[group] for group in GROUPS),
            reached,
            spend_notes,
        ),
    ]
    notes = [
        IMPACT_NOTE.format(threshold=threshold),
        WELLBEING_NOTE.format(threshold=threshold),
        SPEND_NOTE,
    ]
    return sheets, notes
