"""The one-screen summary: a tile per AfA priority and per headline figure, and what needs
attention. Every tile's number is a figure of the section it links to, taken from the same
table row, so the two can never disagree.
"""

from dataclasses import dataclass
from datetime import date

from school_tracker.calendar.terms import Term
from school_tracker.dashboard import sources as src
from school_tracker.dashboard.anonymise import anonymise
from school_tracker.dashboard.figures import build_dashboard, overdue_reviews
from school_tracker.dashboard.model import Dashboard
from school_tracker.dashboard.spend import TOTAL, spend_by_term
from school_tracker.privacy.suppression import suppress_count

# The tables the summary reads (their figure functions run once each).
# "groups" too: the governors' version of a gap needs the counts it is built on.
SUMMARY_TABLES = ("reached", "groups", "gap", "risk_levels", "suspensions", "cpd")
SPARK_WIDTH, SPARK_HEIGHT = 120, 32


@dataclass(frozen=True)
class Tile:
    """One headline number for the chosen term, with the terms before it."""

    key: str
    label: str
    unit: str
    values: list[float | None]  # oldest first; the last is the chosen term
    section: str
    table: str | None = None  # the section's table and row it is taken from
    row: str | None = None
    note: str | None = None
    drill: str | None = None  # the list behind the number (leaders only)
    drill_label: str = ""

    @property
    def latest(self) -> float | None:
        return self.values[-1]

    @property
    def change(self) -> float | None:
        """This term minus the last (None when either is hidden or undefined)."""
        if len(self.values) < 2 or self.values[-1] is None or self.values[-2] is None:
            return None
        return round(self.values[-1] - self.values[-2], 2)

    @property
    def sparkline(self) -> str:
        """SVG polyline points for the trend (empty when fewer than two values are shown)."""
        shown = [(i, v) for i, v in enumerate(self.values) if v is not None]
        if len(shown) < 2:
            return ""
        low, high = min(v for _, v in shown), max(v for _, v in shown)
        span = (high - low) or 1
        step = SPARK_WIDTH / max(len(self.values) - 1, 1)
        return " ".join(
            f"{i * step:.1f},{SPARK_HEIGHT - 2 - (v - low) / span * (SPARK_HEIGHT - 4):.1f}"
            for i, v in shown
        )


@dataclass(frozen=True)
class Attention:
    """One thing a head teacher should look at, and where."""

    text: str
    section: str


@dataclass(frozen=True)
class Summary:
    terms: list[Term]
    priorities: list[Tile]
    headlines: list[Tile]
    overdue: dict[str, int | None]
    attention: list[Attention]


def _row_tile(
    dashboard: Dashboard, key: str, label: str, table: str, row: str, section: str
) -> Tile:
    figure = next(r for r in dashboard.built_table(table).rows if r.key == row)
    return Tile(
        key,
        label,
        figure.unit,
        list(figure.values),
        section,
        table,
        row,
        drill=figure.drill,
        drill_label=figure.label,
    )


def _priority_tiles(dashboard: Dashboard) -> list[Tile]:
    tiles = [
        _row_tile(dashboard, f"priority:{row.key}", row.label, "reached", row.key, "reach")
        for row in dashboard.built_table("reached").rows
        if row.key != "any"
    ]
    cpd = {row.key: row for row in dashboard.built_table("cpd").rows}
    hours = cpd["hours"].values[-1]
    staff = Tile(
        "priority:P3",
        "P3 Teachers as professional learners: staff taking part",
        "records",
        list(cpd["staff"].values),
        "staff",
        "cpd",
        "staff",
        note=None if hours is None else f"{hours:,.1f} hours of professional learning",
        drill=cpd["staff"].drill,
        drill_label=cpd["staff"].label,
    )
    return [*tiles[:2], staff, *tiles[2:]]  # in the manifesto's order: P1, P2, P3, P4a, ...


def _headline_tiles(dashboard: Dashboard, spend: list[float], anonymised: bool) -> list[Tile]:
    sessions = next(r for r in dashboard.built_table("suspensions").rows if r.key == "sessions")
    return [
        _row_tile(dashboard, "reached", "Pupils reached (any priority)", "reached", "any", "reach"),
        _row_tile(
            dashboard,
            "gap:disadvantaged",
            "Gap: disadvantaged pupils vs all",
            "gap",
            "gap:disadvantaged",
            "reach",
        ),
        _row_tile(dashboard, "gap:sen_k", "Gap: SEN support vs all", "gap", "gap:sen_k", "reach"),
        _row_tile(dashboard, "gap:sen_e", "Gap: EHC plan vs all", "gap", "gap:sen_e", "reach"),
        _row_tile(
            dashboard,
            "high_risk",
            "Pupils with a high exclusion-risk flag open",
            "risk_levels",
            "open:high",
            "risk",
        ),
        Tile(
            "suspension_days",
            "School days lost to suspension",
            "days",
            [None if v is None else v / 2 for v in sessions.values],
            "suspensions",
            "suspensions",
            "sessions",
            note="two sessions make a day",
            drill=sessions.drill,
            drill_label=sessions.label,
        ),
        Tile(
            "spend",
            "Spend on interventions started",
            "pounds",
            list(spend),
            "spend",
            drill=None if anonymised else f"spend_cost:{TOTAL}",
            drill_label="Spend on interventions started",
        ),
    ]


def _attention(priorities: list[Tile], headlines: list[Tile], overdue: dict) -> list[Attention]:
    items = []
    if overdue["interventions"]:
        items.append(Attention("Intervention reviews are overdue.", "interventions"))
    if overdue["flags"]:
        items.append(Attention("Exclusion-risk flag reviews are overdue.", "risk"))
    tiles = {tile.key: tile for tile in headlines}
    if (tiles["high_risk"].change or 0) > 0:
        items.append(
            Attention("More pupils have a high exclusion-risk flag than last term.", "risk")
        )
    if (tiles["suspension_days"].change or 0) > 0:
        items.append(
            Attention("More school days were lost to suspension than last term.", "suspensions")
        )
    for key in ("gap:disadvantaged", "gap:sen_k", "gap:sen_e"):
        if (tiles[key].latest or 0) < 0:
            items.append(
                Attention(f"{tiles[key].label[5:]}: reached less than pupils overall.", "reach")
            )
    for tile in priorities:
        if tile.latest == 0:
            items.append(
                Attention(f"Nobody was counted under {tile.label} this term.", tile.section)
            )
    return items


def build_summary(
    school_id: int,
    terms: list[Term],
    filters: src.DashboardFilters,
    as_of: date,
    threshold: int | None = None,
) -> Summary:
    """The summary's tiles; with a threshold, the governors' version (suppressed)."""
    dashboard = build_dashboard(school_id, terms, filters, only=SUMMARY_TABLES)
    overdue: dict[str, int | None] = dict(overdue_reviews(school_id, as_of))
    if threshold is not None:
        dashboard = anonymise(dashboard, threshold)
        overdue = {
            k: None if v is None else suppress_count(v, threshold) for k, v in overdue.items()
        }
    spend = spend_by_term(school_id, terms, filters)[TOTAL]
    priorities = _priority_tiles(dashboard)
    headlines = _headline_tiles(dashboard, spend, anonymised=threshold is not None)
    return Summary(
        terms, priorities, headlines, overdue, _attention(priorities, headlines, overdue)
    )
