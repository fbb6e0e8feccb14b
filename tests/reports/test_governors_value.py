"""The impact and spend sheets of the governors' workbook: what is hidden, and why."""

from school_tracker.calendar.terms import TermCalendar
from school_tracker.dashboard.impact import ImpactLine, ImpactReport
from school_tracker.dashboard.spend import TOTAL, SpendReport
from school_tracker.reports.governors.value import IMPACT_HEADER, value_sheets

CALENDAR = TermCalendar()
TERM = CALENDAR.term("autumn-2026")


def _line(key: str, pupils: int, impacts: tuple[int, ...], cost: float, **more) -> ImpactLine:
    line = ImpactLine(key, key.title(), pupils=pupils, cost=cost, **more)
    line.impact = dict(zip((-2, -1, 0, 1, 2), impacts, strict=True))
    line.impact_recorded = sum(impacts)
    line.positive = impacts[3] + impacts[4]
    line.cost_per_pupil = round(cost / pupils, 2) if pupils else None
    line.cost_per_positive = round(cost / line.positive, 2) if line.positive else None
    line.too_few = pupils <= 5
    return line


def _sheets() -> dict[str, dict[str, dict[str, object]]]:
    nurture = _line("nurture", 3, (0, 0, 1, 2, 0), 300.0)
    reading = _line("reading", 10, (0, 1, 2, 4, 3), 1000.0, progress=2.5, progress_pupils=10)
    everyone = _line("all", 13, (0, 1, 3, 6, 3), 1300.0, measures_differ=True, progress_pupils=13)
    mentoring = _line("mentoring", 4, (0, 0, 0, 0, 0), 0.0, progress=1.0, progress_pupils=4)
    impact = ImpactReport(TERM, [nurture, reading, everyone], [everyone], mentoring, 5)
    spend = SpendReport(
        "2026/27",
        CALENDAR.academic_year_terms("autumn-2026"),
        {"pupil_premium": [1300.0, 0.0, 0.0], TOTAL: [1300.0, 0.0, 0.0]},
        {"pupil_premium": {"all": 13, "disadvantaged": 4}, TOTAL: {"all": 13}},
    )
    sheets, notes = value_sheets(impact, spend, 5, (1, 2, 3), 21)
    assert [note.split(":")[0] for note in notes] == [
        "Impact by intervention type and by pupil group",
        "Mentoring",
        "Spend by funding stream",
    ]
    return {
        sheet.sheet_name: {
            row.labels[0]: dict(zip(sheet.header[1:], row.values, strict=True))
            for row in sheet.rows
        }
        for sheet in sheets
    }


def test_a_lone_hidden_type_takes_another_with_it_and_its_costs_per_pupil():
    by_type = _sheets()["Impact_by_type"]
    nurture, reading, everyone = by_type["Nurture"], by_type["Reading"], by_type["All"]
    # 3 pupils is hidden; with the total of 13 beside it, 10 would give it away: hidden too.
    assert (nurture["Pupils"], reading["Pupils"], everyone["Pupils"]) == ("[c]", "[c]", 13)
    # cost ÷ cost per pupil would give the count back, so that goes as well; money stays.
    assert nurture["Cost (£)"] == 300.0 and nurture["Cost per pupil (£)"] == "[c]"
    assert reading["Cost per pupil (£)"] == "[c]" and everyone["Cost per pupil (£)"] == 100.0
    assert nurture["Attendance (%)"] == "[z]"  # no sessions planned: nothing to show
    assert everyone["Progress (points)"] == "[z]"  # measures differ: no one unit
    assert reading["Progress (points)"] == 2.5  # ten pupils on one measure
    for row in by_type.values():
        for name in IMPACT_HEADER[4:10]:  # the impact counts and their total
            value = row[name]
            assert value in (0, "[c]") or value > 5, (row, name)


def test_wellbeing_and_spend():
    sheets = _sheets()
    mentoring = sheets["Wellbeing"]["Mentoring"]
    assert mentoring["Mentees"] == "[c]" and mentoring["Change (points)"] == "[c]"
    spend = sheets["Spend"]["Pupil premium"]
    assert spend["2026/27 (£)"] == 1300.0 and spend["Autumn 2026 (£)"] == 1300.0
    reached = sheets["Spend_pupils"]["Pupil premium"]
    assert reached["All pupils"] == 13 and reached["Disadvantaged (pupil premium)"] == "[c]"
    assert sheets["Spend_pupils"]["All funding streams"]["Young carer"] == 0
