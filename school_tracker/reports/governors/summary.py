"""The governors' summary PDF: a few pages for a board pack, from the published figures.

The same published figures as the workbook (suppressed, with `[c]` and `[z]`), laid out by
templates/reports/governors_summary.html and rendered by documents/pdf.py. Like the workbook it
never sees a pupil row. Each chart is a picture of the table printed under it.
"""

import base64
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

import pygal
from pygal.style import Style

from school_tracker.calendar.terms import Term
from school_tracker.dashboard.charts import STYLE
from school_tracker.documents.pdf import render_pdf
from school_tracker.reports.figures import (
    NOT_APPLICABLE,
    SYMBOLS_USED,
    Published,
    PublishedFigure,
    PublishedTable,
)

TOOLTIPS = re.compile(r"<desc\b[^>]*>.*?</desc>", re.S)
# The dashboard's colour-blind-safe palette, with lines and text sized for paper.
PRINT_STYLE = Style(
    background="white",
    plot_background="white",
    foreground="#222",
    foreground_strong="#000",
    foreground_subtle="#666",
    font_family="DejaVu Sans, sans-serif",
    colors=STYLE.colors,
    guide_stroke_color="#d0d0d0",
    guide_stroke_dasharray="none",
    major_guide_stroke_color="#d0d0d0",
    major_guide_stroke_dasharray="none",
    label_font_size=13,
    major_label_font_size=13,
    legend_font_size=14,
    stroke_width=3,
)
# The figures on the first page, (table key, figure key), in reading order.
HEADLINES = (
    ("groups", "roll:all"),
    ("reached", "any"),
    ("reached", "P1"),
    ("reached", "P2"),
    ("cpd", "staff"),  # P3 counts the staff who learn, not pupils
    ("reached", "P4a"),
    ("reached", "P4b"),
    ("reached", "P5"),
    ("gap", "gap:disadvantaged"),
    ("gap", "gap:sen_k"),
    ("gap", "gap:sen_e"),
    ("risk_levels", "open:high"),
    ("suspensions", "count"),
    ("suspensions", "sessions"),
    ("cost", "cost:total"),
    ("cpd", "hours"),
    ("kindness", "moments"),
)
# Headline labels that need their table's title to make sense on their own.
HEADLINE_LABELS = {
    ("groups", "roll:all"): "Pupils on roll",
    ("reached", "any"): "Pupils reached by any priority",
    ("risk_levels", "open:high"): "Pupils with a high-risk exclusion flag open",
    ("cost", "cost:total"): "Cost of interventions started (£)",
    ("cpd", "staff"): "P3 Staff taking part in professional learning",
}
# The sections after the headlines: a heading, its tables, and the tables drawn as charts.
# Charts only where most numbers are published: a chart of mostly hidden numbers misleads.
SECTIONS: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = (
    ("The priorities over six terms", ("reached",), ("reached",)),
    ("Who is reached", ("gap",), ()),
    ("Interventions, their impact and cost", ("interventions", "impact", "cost"), ()),
    ("Exclusion risk and suspensions", ("risk_levels", "suspensions", "suspension_rates"), ()),
    ("Staff, families and kindness", ("cpd", "families", "kindness"), ("kindness",)),
)
# Tables the summary shows in part (the workbook has them whole): only these units.
SHOWN_UNITS = {"suspension_rates": {"percent"}}


@dataclass(frozen=True)
class Headline:
    """A headline figure: last term, this term and the change, as shown."""

    label: str
    figure: PublishedFigure
    previous: str
    latest: str
    change: str


def shown(value: Published, unit: str, *, signed: bool = False) -> str:
    """A published value as printed: the shorthand as it is, numbers in their unit."""
    if isinstance(value, str):
        return value
    sign = "+" if signed and value > 0 else ""
    minus = "−" if value < 0 else ""
    size = abs(value)
    if unit == "pounds":
        text = f"£{size:,.0f}"
    elif unit in ("percent", "points", "hours"):
        text = f"{size:,.1f}"
    else:
        text = f"{size:,.0f}"
    suffix = {"percent": "%", "points": " pts"}.get(unit, "")
    if signed and unit == "percent":
        suffix = " pts"  # a change of a percentage is in percentage points
    return f"{sign}{minus}{text}{suffix}"


def change_words(figure: PublishedFigure) -> str:
    """The change in words as well as a sign, so it never rests on colour or an arrow."""
    change = figure.change
    if isinstance(change, str):
        return change
    if change == 0:
        return "no change"
    direction = "up" if change > 0 else "down"
    unit = "points" if figure.unit == "percent" else figure.unit  # percentage points
    return f"{direction} {shown(abs(change), unit)}"


def _headlines(tables: dict[str, PublishedTable]) -> list[Headline]:
    headlines = []
    for table_key, figure_key in HEADLINES:
        table = tables.get(table_key)
        figure = table.figure(figure_key) if table else None
        if figure is None:
            continue
        headlines.append(
            Headline(
                HEADLINE_LABELS.get((table_key, figure_key), figure.label),
                figure,
                shown(figure.previous, figure.unit),
                shown(figure.latest, figure.unit),
                change_words(figure),
            )
        )
    return headlines


def _chart(table: PublishedTable, terms: Sequence[Term]) -> str | None:
    """The table's chart as a data: URL (hidden values are gaps in the line, not zeros); None
    when no number in it is above zero, as an empty chart says nothing the table doesn't."""
    figures = [f for f in table.figures if any(not isinstance(v, str) and v for v in f.values)]
    if not figures:
        return None
    kind = pygal.Bar if table.chart == "bar" else pygal.Line
    chart = kind(
        style=PRINT_STYLE,
        js=[],
        width=800,
        height=330,
        explicit_size=True,
        disable_xml_declaration=True,
        legend_at_bottom=True,
        legend_at_bottom_columns=2,
        truncate_legend=-1,
        truncate_label=-1,
        margin=6,
        margin_right=36,  # room for the last term's label
        dots_size=3.5,
        min_scale=4,
        max_scale=6,
        include_x_axis=True,
    )
    chart.x_labels = [term.name for term in terms]
    for figure in figures[: len(PRINT_STYLE.colors)]:
        chart.add(figure.label, [None if isinstance(v, str) else float(v) for v in figure.values])
    # The tooltips' <desc> elements mean nothing on paper and double WeasyPrint's work.
    svg: str = TOOLTIPS.sub("", chart.render(is_unicode=True))
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def build_governors_summary(
    tables: Sequence[PublishedTable],
    terms: Sequence[Term],
    *,
    school_name: str,
    threshold: int,
    generated_at: datetime,
) -> bytes:
    """The summary as PDF bytes, from figures that have already been published (suppressed)."""
    by_key = {
        table.key: replace(
            table,
            figures=tuple(
                figure
                for figure in table.figures
                if figure.unit in SHOWN_UNITS.get(table.key, {figure.unit})
            ),
        )
        for table in tables
    }
    sections = [
        (
            heading,
            [by_key[key] for key in keys if key in by_key],
            {
                key: chart
                for key in charts
                if key in by_key and (chart := _chart(by_key[key], terms)) is not None
            },
        )
        for heading, keys, charts in SECTIONS
    ]
    return render_pdf(
        "reports/governors_summary.html",
        school_name=school_name,
        terms=terms,
        term=terms[-1],
        headlines=_headlines(by_key),
        sections=sections,
        symbols=SYMBOLS_USED,
        not_applicable=NOT_APPLICABLE,
        threshold=threshold,
        generated_at=generated_at,
        shown=shown,
    )
