"""Drill-down links for every dashboard cell, built from a single url_for per list page.

A leader's dashboard has a few hundred linked cells; one url_for (and two reads of the
request proxy) per cell took about a third of the page's time, so the query strings are
encoded here the way Werkzeug's URL builder encodes them.
"""

from urllib.parse import quote_plus

from flask import request, url_for

from school_tracker.dashboard.drill_records import RECORD_SOURCES
from school_tracker.dashboard.model import Dashboard

# Werkzeug's URL builder leaves these characters unescaped in query strings.
_SAFE = "!$'()*,/:;?@"


def _q(value: str) -> str:
    return quote_plus(value, safe=_SAFE)


def list_endpoint(drill: str) -> str:
    """The page listing what a drill-down key counts: records, or pupils."""
    kind = drill.partition(":")[0]
    return "dashboard.records" if kind in RECORD_SOURCES else "dashboard.pupils"


def list_phrase(drill: str) -> str:
    """What following a drill-down link does, for its accessible name."""
    return "list the records" if list_endpoint(drill) == "dashboard.records" else "list the pupils"


class DrillLinks:
    """hrefs for drill-down keys and terms, keeping the page's year and group filters."""

    def __init__(self) -> None:
        self._bases = {
            endpoint: url_for(endpoint) for endpoint in ("dashboard.pupils", "dashboard.records")
        }
        self._filters = (
            f"&year={_q(request.args.get('year', ''))}&group={_q(request.args.get('group', ''))}"
        )

    def href(self, drill: str, term_key: str) -> str:
        """figure=..&term=..&year=..&group=.. in url_for's order."""
        base = self._bases[list_endpoint(drill)]
        return f"{base}?figure={_q(drill)}&term={_q(term_key)}{self._filters}"


def drill_links(dashboard: Dashboard) -> dict[str, list[str]]:
    """{drill figure: [href per term]} for the rows that drill down to a list."""
    links = DrillLinks()
    hrefs: dict[str, list[str]] = {}
    for table in dashboard.tables:
        for row in table.rows:
            if row.drill and row.drill not in hrefs:
                hrefs[row.drill] = [links.href(row.drill, term.key) for term in dashboard.terms]
    return hrefs
