"""Term arithmetic: DfE default dates, Easter, keys, a school's own dates and holidays."""

from datetime import date

import pytest

from school_tracker.calendar.terms import (
    TermCalendar,
    TermKeyError,
    academic_year_label,
    default_term,
    next_key,
    parse_term_key,
    previous_key,
    term_key_for,
)


@pytest.mark.requirement("R86")
@pytest.mark.parametrize(
    ("day", "key"),
    [
        (date(2026, 7, 31), "summer-2026"),
        (date(2026, 8, 1), "autumn-2026"),
        (date(2026, 8, 31), "autumn-2026"),
        (date(2026, 9, 1), "autumn-2026"),
        (date(2026, 12, 31), "autumn-2026"),
        (date(2027, 1, 1), "spring-2027"),
        (date(2027, 3, 28), "spring-2027"),  # Easter Sunday 2027
        (date(2027, 3, 29), "summer-2027"),  # Easter Monday
        (date(2026, 4, 5), "spring-2026"),  # Easter Sunday 2026
        (date(2026, 4, 6), "summer-2026"),
    ],
)
def test_default_term_for_a_date(day, key):
    assert term_key_for(day) == key
    assert TermCalendar().term_for(day).key == key


def test_default_dates_follow_dfe_statistics():
    assert default_term("autumn-2026").starts_on == date(2026, 8, 1)
    assert default_term("autumn-2026").ends_on == date(2026, 12, 31)
    assert default_term("spring-2027").ends_on == date(2027, 3, 28)
    assert default_term("summer-2027").starts_on == date(2027, 3, 29)
    assert default_term("summer-2027").ends_on == date(2027, 7, 31)


def test_academic_year_labels():
    assert default_term("autumn-2026").academic_year == "2026/27"
    assert default_term("spring-2027").academic_year == "2026/27"
    assert default_term("summer-2027").academic_year == "2026/27"
    assert academic_year_label("autumn", 2099) == "2099/00"


def test_previous_and_next_wrap_across_years():
    assert previous_key("spring-2027") == "autumn-2026"
    assert previous_key("autumn-2026") == "summer-2026"
    assert previous_key("summer-2026") == "spring-2026"
    assert next_key("autumn-2026") == "spring-2027"
    assert next_key("summer-2027") == "autumn-2027"
    assert [t.key for t in TermCalendar().recent("spring-2027", 3)] == [
        "summer-2026",
        "autumn-2026",
        "spring-2027",
    ]


@pytest.mark.parametrize("bad", ["winter-2026", "autumn-26", "autumn_2026", "", "autumn-1066"])
def test_bad_keys_are_refused(bad):
    with pytest.raises(TermKeyError):
        parse_term_key(bad)


def test_school_dates_override_and_holidays_belong_to_the_term_just_ended():
    calendar = TermCalendar(
        {
            "autumn-2026": (date(2026, 9, 2), date(2026, 12, 18)),
            "summer-2026": (date(2026, 4, 20), date(2026, 7, 21)),
        }
    )
    assert calendar.term("autumn-2026").starts_on == date(2026, 9, 2)
    assert calendar.term_for(date(2026, 9, 2)).key == "autumn-2026"
    assert calendar.term_for(date(2026, 8, 20)).key == "summer-2026"  # summer holiday
    assert calendar.term_for(date(2026, 12, 24)).key == "autumn-2026"  # Christmas holiday
    terms = calendar.academic_year_terms("summer-2027")
    assert [t.key for t in terms] == ["autumn-2026", "spring-2027", "summer-2027"]
