"""The dashboard's sections: each summary tile links to one, at /dashboard/<section>."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Section:
    """A page of related figures; `tables` are the term-by-term tables it shows."""

    key: str
    title: str
    tables: tuple[str, ...] = ()


SECTIONS: dict[str, Section] = {
    section.key: section
    for section in (
        Section("reach", "Pupils reached, by priority and group", ("reached", "groups", "gap")),
        Section(
            "interventions", "Interventions, impact and cost", ("interventions", "impact", "cost")
        ),
        Section("impact", "Impact and value for money"),
        Section("spend", "Spend by funding stream"),
        Section("mentoring", "Mentoring", ("mentoring",)),
        Section("risk", "Exclusion risk and agencies", ("risk_levels", "risk_flow", "agencies")),
        Section(
            "suspensions",
            "Suspensions and exclusions",
            ("suspensions", "reasons", "suspension_rates"),
        ),
        Section("staff", "P3 Staff professional learning", ("cpd",)),
        Section("families", "Families", ("families",)),
        Section("kindness", "Kindness", ("kindness",)),
    )
}
# Sections laid out by their own figure modules rather than term by term.
IMPACT, SPEND = "impact", "spend"
