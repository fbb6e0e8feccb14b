"""Server-side SVG charts (pygal), each served as its own image so the page needs no script.

Each chart is a picture of a table that is always printed beside it; the table is the
accessible version, so the image's alt text points to it.
"""

import pygal
from pygal.style import Style

from school_tracker.calendar.terms import Term
from school_tracker.dashboard.figures import FigureTable

# Colour-blind-safe palette (Okabe-Ito) with enough contrast on white.
STYLE = Style(
    background="white",
    plot_background="white",
    foreground="#222",
    foreground_strong="#000",
    foreground_subtle="#555",
    font_family="system-ui, sans-serif",
    colors=("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000"),
)
MAX_SERIES = 7


def has_chart(table: FigureTable) -> bool:
    """Whether there is anything to draw."""
    return any(v not in (None, 0) for row in table.rows for v in row.values)


def chart_svg(table: FigureTable, terms: list[Term]) -> bytes:
    """The table's chart as SVG."""
    rows = [r for r in table.rows if any(v not in (None, 0) for v in r.values)][:MAX_SERIES]
    kind = pygal.Bar if table.chart == "bar" else pygal.Line
    chart = kind(
        style=STYLE,
        js=[],
        width=720,
        height=320,
        explicit_size=True,
        disable_xml_declaration=True,
        legend_at_bottom=True,
        legend_at_bottom_columns=2,
        truncate_legend=40,
        show_minor_x_labels=True,
        margin=8,
    )
    chart.x_labels = [term.name for term in terms]
    for row in rows:
        chart.add(row.label, [None if v is None else float(v) for v in row.values])
    if not rows:
        chart.no_data_text = "No data"
    svg: str = chart.render(is_unicode=True)
    return svg.encode("utf-8")
