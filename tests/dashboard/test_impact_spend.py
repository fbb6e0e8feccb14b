"""Impact and spend figures against numbers counted by hand.

On top of tests/factories/dashboard.py (autumn 2026: a £600 group reading intervention, no
funding stream, places for p1 (+1, ended 1 Dec), p2 (−1, ended 15 Nov) and p3 (withdrawn
6 Sep)), a completed £1,200 pupil premium nurture group for six more pupils n1..n6 (n1, n2
disadvantaged), measured in reading age months, 10 sessions planned:

    pupil  baseline  exit  change  attended  impact
    n1     100       106   +6      10        +2
    n2     90        93    +3      9         +1
    n3     80        80    0       8         0
    n4     95        99    +4      10        +1
    n5     70        78    +8      7         +2
    n6     85        88    +3      6         (none)

Progress 24 / 6 = +4.0 months; attendance 50 / 60 = 83.3%; positive 4; cost £200 a place.
"""

from datetime import date

import pytest

from school_tracker.calendar.terms import TermCalendar
from school_tracker.dashboard.impact import impact_report, mentoring_line
from school_tracker.dashboard.sources import DashboardFilters
from school_tracker.dashboard.spend import NOT_RECORDED, TOTAL, spend_report
from school_tracker.models import (
    Role,
)
from tests.factories import dashboard as dashboard_fixture

CALENDAR = TermCalendar()
AUTUMN = CALENDAR.term("autumn-2026")


@pytest.fixture
def school(app, make_school, make_user, make_pupil):
    school, other = make_school("hand"), make_school("other")
    staff = make_user(Role.STAFF, school=school)
    with app.app_context():
        dashboard_fixture.build(school, other, staff, make_pupil)
    dashboard_fixture.build_nurture_group(app, school, staff, make_pupil)
    return school


def test_impact_by_type_matches_the_hand_count(app, school):
    with app.app_context():
        report = impact_report(school.id, AUTUMN, DashboardFilters(), small_group=5)
    lines = {line.label: line for line in report.by_type}
    nurture = lines["Nurture group"]
    assert (nurture.pupils, nurture.sessions_planned, nurture.sessions_attended) == (6, 60, 50)
    assert nurture.attendance == 83.3
    assert (nurture.measure, nurture.progress, nurture.progress_pupils) == (
        "Reading age (months)",
        4.0,
        6,
    )
    assert nurture.impact == {-2: 0, -1: 0, 0: 1, 1: 2, 2: 2}
    assert (nurture.impact_recorded, nurture.positive) == (5, 4)
    assert (nurture.cost, nurture.cost_per_pupil, nurture.cost_per_positive) == (1200, 200, 300)
    assert not nurture.too_few
    (reading,) = [line for line in report.by_type[:-1] if line.label != "Nurture group"]
    # Three places (p3 withdrawn) share £600; two impacts recorded, one positive.
    assert (reading.pupils, reading.cost, reading.cost_per_pupil) == (3, 600, 200)
    assert (reading.positive, reading.cost_per_positive) == (1, 600)
    assert reading.too_few and reading.progress is None and reading.attendance is None
    everything = lines["All interventions"]
    assert (everything.pupils, everything.cost, everything.positive) == (9, 1800, 5)
    assert everything.cost_per_positive == 360
    assert everything.impact == {-2: 0, -1: 1, 0: 1, 1: 3, 2: 2}
    # Only the nurture group's places are scored, so the one measure is shared.
    assert (everything.measure, everything.progress) == ("Reading age (months)", 4.0)


def test_impact_by_group_and_filters(app, school):
    with app.app_context():
        report = impact_report(school.id, AUTUMN, DashboardFilters(), small_group=5)
        only_pp = impact_report(school.id, AUTUMN, DashboardFilters(group="disadvantaged"), 5)
    groups = {line.key: line for line in report.by_group}
    # Disadvantaged: p1 (+1), p3 (withdrawn) and n1 (+2), n2 (+1).
    assert (groups["disadvantaged"].pupils, groups["disadvantaged"].positive) == (4, 3)
    assert groups["disadvantaged"].cost == 800 and groups["disadvantaged"].too_few
    assert groups["all"].pupils == 9
    assert only_pp.by_type[-1].pupils == 4


def test_mentees_wellbeing_from_first_to_last_session():
    term = AUTUMN
    rows = []
    # Six pairings rated 2 at the start of their first session and 4 at the end of their last
    # (+2 each), one unrated and one with a single session: the mean is +2.0 over six.
    for pairing in range(1, 7):
        rows += [
            (pairing, pairing, date(2026, 9, 20), 2, 3),
            (pairing, pairing, date(2026, 10, 20), None, 4),
        ]
    rows += [(7, 7, date(2026, 10, 1), None, None), (7, 7, date(2026, 10, 8), None, None)]
    rows += [(8, 8, date(2026, 10, 1), 1, 5)]
    line = mentoring_line(rows, term, small_group=5)
    assert (line.pupils, line.sessions_attended, line.progress_pupils) == (8, 15, 6)
    assert line.progress == 2.0
    fewer = mentoring_line(rows[:4], term, small_group=5)
    assert fewer.progress is None and fewer.progress_pupils == 2 and fewer.too_few


def test_spend_by_stream_matches_the_hand_count(app, school):
    year = CALENDAR.academic_year_terms("autumn-2026")
    with app.app_context():
        report = spend_report(school.id, year, DashboardFilters())
        only_pp = spend_report(school.id, year, DashboardFilters(group="disadvantaged"))
    assert report.academic_year == AUTUMN.academic_year
    assert report.spend["pupil_premium"] == [1200, 0, 0]
    assert report.spend[NOT_RECORDED] == [600, 0, 0]
    assert report.spend[TOTAL] == [1800, 0, 0] and report.year_spend(TOTAL) == 1800
    assert report.spend["sen_notional"] == [0, 0, 0]
    assert report.pupils["pupil_premium"]["all"] == 6
    assert report.pupils["pupil_premium"]["disadvantaged"] == 2
    assert report.pupils[NOT_RECORDED]["all"] == 3
    assert report.pupils[TOTAL]["all"] == 9 and report.pupils[TOTAL]["disadvantaged"] == 4
    # Filtered: the disadvantaged pupils' places only (n1, n2: 2 × £200; p1, p3: 2 × £200).
    assert only_pp.spend[TOTAL] == [800, 0, 0]
    assert only_pp.pupils[TOTAL]["all"] == 4
