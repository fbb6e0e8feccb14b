"""Scale (issue 7): the dashboard's query count is fixed whatever the data, and its speed-ups
(fewer joins, one pass over the roll, drill links built once) change no number.

These are counts and comparisons, not timings: `make bench` does the timing.
"""

import random
from datetime import date

import pytest
import sqlalchemy as sa
from flask import url_for

from school_tracker.calendar.terms import TermCalendar
from school_tracker.dashboard import figures_programme, figures_safety, figures_support
from school_tracker.dashboard.figures import build_dashboard
from school_tracker.dashboard.links import drill_links, list_endpoint
from school_tracker.dashboard.model import join_pupils
from school_tracker.dashboard.sources import DashboardFilters
from school_tracker.demo.trust import SchoolPlan
from school_tracker.demo.trust_rows import pupil_rows
from school_tracker.extensions import db
from school_tracker.models import Pupil, Role, School

TODAY = date(2026, 11, 22)
TERM = "autumn-2026"
PAGES = (
    f"/dashboard/?term={TERM}",
    f"/dashboard/?term={TERM}&year=5&group=disadvantaged",
    f"/dashboard/?term={TERM}&group=sen_k",
)


def _queries(app, client, path: str) -> int:
    seen = []
    with app.app_context():
        engine = db.engine
    listener = lambda *args: seen.append(1)  # noqa: E731
    sa.event.listen(engine, "before_cursor_execute", listener)
    try:
        assert client.get(path).status_code == 200
    finally:
        sa.event.remove(engine, "before_cursor_execute", listener)
    return len(seen)


def _grow(app, school_id: int, pupils: int, scale: float, seed: int) -> None:
    """Add a roll and three years of every record kind (the demo's own seeders)."""
    from school_tracker.demo.interventions import seed_interventions
    from school_tracker.demo.mentoring import seed_mentoring
    from school_tracker.demo.risk import seed_risk

    rng = random.Random(seed)
    with app.app_context():
        plan = SchoolPlan("x", "x", False, pupils, 2100 + seed)
        db.session.execute(sa.insert(Pupil), pupil_rows(plan, rng, school_id, 2026))
        db.session.flush()
        school = db.session.get(School, school_id)
        seed_mentoring(school, rng, TODAY, scale)
        seed_risk(school, rng, TODAY, scale, upn_establishment=2100 + seed)
        seed_interventions(school, rng, TODAY, scale)
        db.session.commit()


@pytest.fixture
def school(make_school, make_user):
    school = make_school("scale", "Scale Primary")
    make_user(Role.LEADER, school=school)  # the risk seeder's flags are closed by a leader
    for _ in range(4):
        make_user(Role.STAFF, school=school)
    return school


def test_dashboard_query_count_does_not_grow_with_the_data(app, client, login_as, school):
    login_as(Role.LEADER, school=school)
    empty = [_queries(app, client, path) for path in PAGES]
    _grow(app, school.id, 40, 0.3, seed=1)
    some = [_queries(app, client, path) for path in PAGES]
    _grow(app, school.id, 120, 1.0, seed=2)
    more = [_queries(app, client, path) for path in PAGES]
    assert empty == some == more
    assert max(more) <= 30  # each figure is one statement over all six terms


def test_governors_and_trust_query_counts_are_fixed(app, client, login_as, school, make_user):
    governor = login_as(Role.GOVERNOR, school=school)
    before = _queries(app, client, f"/dashboard/?term={TERM}")
    _grow(app, school.id, 60, 0.5, seed=3)
    assert _queries(app, client, f"/dashboard/?term={TERM}") == before
    client.post("/logout")
    trust_leader = make_user(Role.TRUST_LEADER, school=school)
    client.post(
        "/login", data={"email": trust_leader.email, "password": "violet-harbour-engine-42"}
    )
    trust = _queries(app, client, f"/dashboard/trust?term={TERM}")
    _grow(app, school.id, 60, 0.5, seed=4)
    assert _queries(app, client, f"/dashboard/trust?term={TERM}") == trust
    assert governor.id != trust_leader.id


class _EveryPupil(DashboardFilters):
    """A filter that keeps everyone but forces every statement down its pupil-join path."""

    def conditions(self):
        return [sa.true()]


def test_skipping_the_pupil_join_changes_no_number(app, school, monkeypatch):
    _grow(app, school.id, 80, 1.0, seed=5)
    terms = TermCalendar().recent(TERM, 6)
    with app.app_context():
        fast = build_dashboard(school.id, terms)
        for module in (figures_programme, figures_safety, figures_support):
            monkeypatch.setattr(module, "filter_pupils", join_pupils, raising=False)
        joined = build_dashboard(school.id, terms, _EveryPupil())

    # Kindness is left out: any filter limits it to moments a pupil took part in, by design.
    def numbers(dashboard):
        return [
            (t.key, [r.values for r in t.rows]) for t in dashboard.tables if t.key != "kindness"
        ]

    assert numbers(fast) == numbers(joined)


def test_roll_counts_match_a_pupil_by_pupil_count(app, school):
    _grow(app, school.id, 80, 0.5, seed=6)
    terms = TermCalendar().recent(TERM, 6)
    with app.app_context():
        leaver = db.session.scalars(sa.select(Pupil).where(Pupil.school_id == school.id)).first()
        leaver.leaving_date = date(2026, 2, 1)
        db.session.commit()
        pupils = db.session.scalars(sa.select(Pupil).where(Pupil.school_id == school.id)).all()
        groups = build_dashboard(school.id, terms).table("groups")
        rates = build_dashboard(school.id, terms).table("suspension_rates")
    # Counts stay integers on every engine (PostgreSQL sums bigints into numerics).
    assert {type(v) for r in groups.rows for v in r.values} == {int}
    for idx, term in enumerate(terms):
        on_roll = [
            p
            for p in pupils
            if (p.admission_date is None or p.admission_date <= term.ends_on)
            and (p.leaving_date is None or p.leaving_date >= term.starts_on)
        ]
        row = {r.key: r.values[idx] for r in groups.rows}
        assert row["roll:all"] == len(on_roll)
        assert row["roll:disadvantaged"] == sum(p.pupil_premium for p in on_roll)
        assert row["roll:sen_k"] == sum("sen_k" in p.groups for p in on_roll)
        rate = {r.key: r.values[idx] for r in rates.rows}
        assert rate["rate_base:not_disadvantaged"] == sum(not p.pupil_premium for p in on_roll)


@pytest.mark.parametrize("query", ["", "?year=R&group=sen_k", "?year=10", "?group=a b&c"])
def test_drill_links_are_what_url_for_builds(app, query):
    terms = TermCalendar().recent(TERM, 6)
    with app.app_context():
        dashboard = build_dashboard(0, terms)
    with app.test_request_context(f"/dashboard/{query}"):
        from flask import request

        links = drill_links(dashboard)
        endpoints = {list_endpoint(figure) for figure in links}
        assert endpoints == {"dashboard.pupils", "dashboard.records"}
        for figure, hrefs in links.items():
            for term, href in zip(terms, hrefs, strict=True):
                assert href == url_for(
                    list_endpoint(figure),
                    figure=figure,
                    term=term.key,
                    year=request.args.get("year", ""),
                    group=request.args.get("group", ""),
                )
