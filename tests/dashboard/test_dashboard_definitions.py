"""Every dashboard figure checked against numbers counted by hand (tests/factories/dashboard.py).

Autumn 2026 runs 1 Aug-31 Dec 2026 (default dates). On roll in autumn: p1..p5 (p5 joined
1 Sep; p6 left in July). p1 SEN K + disadvantaged; p2 EHC plan; p3 disadvantaged + EAL;
p4 none; p5 young carer.
"""

from datetime import date

import pytest
import sqlalchemy as sa

from school_tracker.calendar.terms import TermCalendar
from school_tracker.dashboard.anonymise import anonymise
from school_tracker.dashboard.drill_records import RECORD_SOURCES, drill_records
from school_tracker.dashboard.drilldown import drill_pupils
from school_tracker.dashboard.figures import build_dashboard, overdue_reviews
from school_tracker.dashboard.sources import DashboardFilters
from school_tracker.extensions import db
from school_tracker.models import Role, YearGroup
from tests.factories import dashboard as dashboard_fixture

AUTUMN = TermCalendar().recent("autumn-2026", 6)


@pytest.fixture
def fixture(app, make_school, make_user, make_pupil):
    school, other = make_school("hand"), make_school("other")
    staff = make_user(Role.STAFF, school=school)
    with app.app_context():
        ids = dashboard_fixture.build(school, other, staff, make_pupil)
    return school, ids


def _values(dashboard, table):
    return {row.key: row.values[-1] for row in dashboard.table(table).rows}


def test_every_figure_matches_the_hand_count(app, fixture):
    school, _ = fixture
    with app.app_context():
        d = build_dashboard(school.id, AUTUMN)
        assert _values(d, "reached") == {
            "P1": 2,
            "P2": 3,
            "P4a": 2,
            "P4b": 3,
            "P5": 1,
            "any": 4,
        }
        groups = _values(d, "groups")
        assert groups["roll:all"] == 5 and groups["reached:all"] == 4
        assert (groups["roll:sen_k"], groups["reached:sen_k"]) == (1, 1)
        assert (groups["roll:disadvantaged"], groups["reached:disadvantaged"]) == (2, 2)
        assert (groups["roll:young_carer"], groups["reached:young_carer"]) == (1, 1)
        assert (groups["roll:cla"], groups["reached:cla"]) == (0, 0)
        gap = _values(d, "gap")
        assert gap["all"] == 80.0 and gap["sen_k"] == 100.0 and gap["gap:sen_k"] == 20.0
        assert gap["cla"] is None and gap["gap:cla"] is None
        assert _values(d, "interventions") == {
            "interventions": 1,
            "all": 3,
            "sen_k": 1,
            "sen_e": 1,
            "disadvantaged": 2,
            "eal": 1,
            "cla": 0,
            "young_carer": 0,
        }
        assert _values(d, "impact") == {
            "impact:-2": 0,
            "impact:-1": 1,
            "impact:0": 0,
            "impact:1": 1,
            "impact:2": 0,
            "impact:total": 2,
        }
        assert _values(d, "cost") == {
            "cost:total": 600.0,
            "cost:pupils": 3,
            "cost:per_pupil": 200.0,
        }
        assert _values(d, "mentoring") == {"pairs": 1, "mentees": 1, "sessions": 2, "hours": 1.5}
        assert _values(d, "risk_levels") == {
            "open:low": 0,
            "open:medium": 0,
            "open:high": 1,
            "open:total": 1,
        }
        assert _values(d, "risk_flow") == {"raised": 1, "closed": 1}
        assert _values(d, "agencies") == {"agency:CAMHS / CYPMHS": 1}
        assert _values(d, "suspensions") == {"count": 1, "pupils": 1, "sessions": 4, "permanent": 0}
        assert list(_values(d, "reasons").values()) == [1]
        rates = _values(d, "suspension_rates")
        assert (rates["rate:send"], rates["rate:no_send"]) == (50.0, 0.0)
        assert (rates["rate:disadvantaged"], rates["rate:not_disadvantaged"]) == (0.0, 33.3)
        assert _values(d, "cpd") == {"hours": 5.5, "staff": 1}
        assert _values(d, "families") == {"held": 1, "families": 1}
        kindness = _values(d, "kindness")
        assert kindness["value:friendship"] == kindness["value:patience"] == 1
        assert kindness["value:tolerance"] == 0 and kindness["moments"] == 1
        assert overdue_reviews(school.id, date(2026, 11, 22)) == {"interventions": 1, "flags": 1}


def test_previous_terms_are_counted_separately(app, fixture):
    school, _ = fixture
    with app.app_context():
        d = build_dashboard(school.id, AUTUMN)
    summer = {row.key: row.values[-2] for row in d.table("reached").rows}
    # Summer 2026: p4's pairing (to 1 Jul) and p3's flag (raised 1 May).
    assert summer == {"P1": 1, "P2": 0, "P4a": 1, "P4b": 0, "P5": 0, "any": 2}
    assert [t.key for t in d.terms][-2:] == ["summer-2026", "autumn-2026"]


def test_filters_narrow_by_year_and_group(app, fixture, make_pupil):
    school, ids = fixture
    with app.app_context():
        only_pp = build_dashboard(school.id, AUTUMN, DashboardFilters(group="disadvantaged"))
        assert _values(only_pp, "reached")["any"] == 2
        nobody = build_dashboard(school.id, AUTUMN, DashboardFilters(year=YearGroup.Y6))
        assert _values(nobody, "reached")["any"] == 0


# Rows whose number is a sum over the records listed (hours, pounds, sessions lost), not a count.
SUMS = {("suspensions", "sessions")}


NO_FILTERS = DashboardFilters()


def _listed(school_id, drill, filters=NO_FILTERS) -> int:
    if drill.partition(":")[0] in RECORD_SOURCES:
        _, stmt = drill_records(school_id, AUTUMN[-1], drill, filters)
    else:
        stmt = drill_pupils(school_id, AUTUMN[-1], drill, filters)
    return len(db.session.scalars(stmt).all())


def test_each_drill_down_lists_exactly_the_pupils_or_records_counted(app, fixture):
    """Every number with a count drills down, to as many pupils or records as it says."""
    school, _ = fixture
    with app.app_context():
        d = build_dashboard(school.id, AUTUMN)
        checked, records = 0, 0
        for table in d.tables:
            for row in table.rows:
                if row.unit in ("pupils", "records"):
                    assert row.drill, (table.key, row.key)
                if (
                    row.drill
                    and row.unit in ("pupils", "records")
                    and (
                        table.key,
                        row.key,
                    )
                    not in SUMS
                ):
                    assert _listed(school.id, row.drill) == row.values[-1], (table.key, row.key)
                    checked += 1
                    records += row.drill.partition(":")[0] in RECORD_SOURCES
                elif row.drill:
                    assert _listed(school.id, row.drill) > 0, (table.key, row.key)
        assert checked >= 50 and records >= 12
        # The same under a filter: only disadvantaged pupils and their records.
        only_pp = DashboardFilters(group="disadvantaged")
        for table in build_dashboard(school.id, AUTUMN, only_pp).tables:
            for row in table.rows:
                if (
                    row.drill
                    and row.unit in ("pupils", "records")
                    and (
                        table.key,
                        row.key,
                    )
                    not in SUMS
                ):
                    assert _listed(school.id, row.drill, only_pp) == row.values[-1], row.key
        names = {
            p.legal_surname
            for p in db.session.scalars(
                drill_pupils(school.id, AUTUMN[-1], "reached:any", DashboardFilters())
            )
        }
        assert names == {"One", "Two", "Three", "Five"}


def test_query_count_does_not_grow_with_the_data(app, fixture, make_school, make_user, make_pupil):
    school, _ = fixture

    def count_queries(school_id) -> int:
        statements = []

        def listener(*args):
            statements.append(1)

        with app.app_context():
            sa.event.listen(db.engine, "before_cursor_execute", listener)
            try:
                build_dashboard(school_id, AUTUMN)
                overdue_reviews(school_id, date(2026, 11, 22))
            finally:
                sa.event.remove(db.engine, "before_cursor_execute", listener)
        return len(statements)

    small = count_queries(school.id)
    bigger = make_school("bigger")
    staff = make_user(Role.STAFF, school=bigger)
    for _ in range(3):  # three times the records and a bigger roll
        with app.app_context():
            dashboard_fixture.build(bigger, make_school(f"o{_}"), staff, make_pupil)
    assert count_queries(bigger.id) == small <= 30


def test_governors_get_no_small_numbers_and_no_links(app, fixture):
    school, _ = fixture
    with app.app_context():
        safe = anonymise(build_dashboard(school.id, AUTUMN), threshold=5)
    for table in safe.tables:
        for row in table.rows:
            assert row.drill is None
            if row.unit in ("pupils", "records"):
                assert all(v is None or v == 0 or v > 5 for v in row.values), row.key
            if row.unit in ("percent", "points"):
                assert all(v is None for v in row.values[-1:]), row.key
    assert safe.table("cpd").rows[0].values[-1] == 5.5  # hours are not counts of children
