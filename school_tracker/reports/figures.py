"""Dashboard figures as they are published to governors and trust leaders.

`publish` anonymises a dashboard (small counts suppressed, no drill-down) and gives each value
a published form: the number, or the Analysis Function's shorthand where there is none. The
shorthand tells the two reasons apart: `[c]` where a number exists but is hidden to protect a
child, `[z]` where no number applies (a share of a group with no pupils). Only whether the
unsuppressed value exists is read from it, never the value itself.
"""

from dataclasses import dataclass

from school_tracker.dashboard.anonymise import anonymise
from school_tracker.dashboard.definitions import DEFINITIONS
from school_tracker.dashboard.figures import Dashboard, FigureRow
from school_tracker.privacy.suppression import SUPPRESSED

NOT_APPLICABLE = "[z]"
Published = int | float | str

# What each unit is called in a column of its own (the shorthand goes in the value cells).
UNIT_NAMES = {
    "pupils": "Pupils",
    "records": "Number",
    "hours": "Hours",
    "pounds": "£",
    "percent": "%",
    "points": "Percentage points",
}
NUMBER_FORMATS = {
    "pupils": "#,##0",
    "records": "#,##0",
    "hours": "#,##0.0",
    "pounds": "£#,##0.00",
    "percent": "0.0",
    "points": "+0.0;-0.0;0.0",
}
CHANGE_FORMATS = {
    "pupils": "+#,##0;-#,##0;0",
    "records": "+#,##0;-#,##0;0",
    "hours": "+#,##0.0;-#,##0.0;0.0",
    "pounds": "+£#,##0.00;-£#,##0.00;£0.00",
    "percent": "+0.0;-0.0;0.0",  # a change of a percentage is in percentage points
    "points": "+0.0;-0.0;0.0",
}
SYMBOLS_USED = {
    SUPPRESSED: "confidential: a number hidden so that no child can be identified",
    NOT_APPLICABLE: "not applicable: there is no number to show (for example a share of a "
    "group with no pupils in it)",
}


@dataclass(frozen=True)
class PublishedFigure:
    """One figure line: a published value per term and the change on the term before."""

    key: str
    label: str
    unit: str
    values: tuple[Published, ...]
    change: Published

    @property
    def unit_name(self) -> str:
        return UNIT_NAMES.get(self.unit, self.unit)

    @property
    def number_format(self) -> str:
        return NUMBER_FORMATS.get(self.unit, "#,##0")

    @property
    def change_format(self) -> str:
        return CHANGE_FORMATS.get(self.unit, "+#,##0;-#,##0;0")

    @property
    def is_count(self) -> bool:
        return self.unit in ("pupils", "records")

    @property
    def latest(self) -> Published:
        return self.values[-1]

    @property
    def previous(self) -> Published:
        return self.values[-2] if len(self.values) > 1 else NOT_APPLICABLE


@dataclass(frozen=True)
class PublishedTable:
    """A titled figure table with its definition."""

    key: str
    title: str
    definition: str
    chart: str
    figures: tuple[PublishedFigure, ...]

    def figure(self, key: str) -> PublishedFigure | None:
        return next((f for f in self.figures if f.key == key), None)


def _published(safe: float | None, raw: float | None) -> Published:
    if safe is None:
        return NOT_APPLICABLE if raw is None else SUPPRESSED
    return int(safe) if float(safe).is_integer() else safe


def change_between(latest: Published, previous: Published) -> Published:
    """This term minus the last; a hidden value hides the change (it could be worked back)."""
    if isinstance(latest, str) or isinstance(previous, str):
        return SUPPRESSED if SUPPRESSED in (latest, previous) else NOT_APPLICABLE
    change = round(latest - previous, 2)
    return int(change) if float(change).is_integer() else change


def _figure(safe: FigureRow, raw: FigureRow) -> PublishedFigure:
    values = tuple(_published(s, r) for s, r in zip(safe.values, raw.values, strict=True))
    change = change_between(values[-1], values[-2]) if len(values) > 1 else NOT_APPLICABLE
    return PublishedFigure(safe.key, safe.label, safe.unit, values, change)


def publish(raw: Dashboard, threshold: int) -> list[PublishedTable]:
    """Every table of the dashboard, suppressed, with published values."""
    safe = anonymise(raw, threshold)
    tables = []
    for safe_table, raw_table in zip(safe.tables, raw.tables, strict=True):
        raw_rows = {row.key: row for row in raw_table.rows}
        figures = tuple(_figure(row, raw_rows[row.key]) for row in safe_table.rows)
        tables.append(
            PublishedTable(
                key=safe_table.key,
                title=safe_table.title,
                definition=DEFINITIONS.get(safe_table.key, ""),
                chart=safe_table.chart,
                figures=figures,
            )
        )
    return tables
