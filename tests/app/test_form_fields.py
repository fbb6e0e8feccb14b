"""Every field of every form the app defines (R28, R30-R32, R34), built on its own, so a
field added later without a length limit or control-character check fails here without a
new test."""

import importlib
import re
import unicodedata
from datetime import date, timedelta

import pytest
from werkzeug.datastructures import MultiDict
from wtforms import (
    BooleanField,
    DateField,
    FileField,
    HiddenField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
)
from wtforms.fields.core import UnboundField
from wtforms.form import BaseForm
from wtforms.validators import AnyOf, Email, EqualTo, Length

import school_tracker
from school_tracker import create_app
from school_tracker.calendar.terms import school_today
from school_tracker.extensions import db
from school_tracker.forms import NameText
from school_tracker.models import (
    InterventionType,
    KindnessMoment,
    LearningRecord,
    ParentConversation,
    TransferRecord,
    User,
)
from tests.conftest import make_config
from tests.support.form_walk import all_forms, field_validators, form_fields

TODAY = school_today()


# --- R28: every field of every form refuses NUL, other control characters and max+1 ---------


def _is_repeat(unbound: UnboundField) -> bool:
    """A "repeat the password" field: it must equal its twin, which has the real checks."""
    return any(isinstance(v, EqualTo) for v in field_validators(unbound))


# Buttons, ticks and uploads carry no free input; the optimistic-locking `version` is parsed as
# an integer and anything else is refused as a stale edit (VersionedForm.expected_version).
NO_INPUT = (SubmitField, FileField, BooleanField)

# What NoControlCharacters and NameText say, so a test knows which check refused a value.
HIDDEN_CHARACTERS = re.compile("control characters|direction-changing characters")


def _cases(keep) -> list:
    return [
        pytest.param(cls, name, unbound, id=f"{cls.__qualname__}.{name}")
        for cls in all_forms()
        for name, unbound in form_fields(cls)
        if not issubclass(unbound.field_class, NO_INPUT) and name != "version" and keep(unbound)
    ]


INPUT_FIELDS = _cases(lambda unbound: not _is_repeat(unbound))
TEXT_FIELDS = _cases(
    lambda u: (
        issubclass(u.field_class, StringField)
        and not issubclass(u.field_class, HiddenField)
        and not _is_repeat(u)
    )
)
CHOICE_FIELDS = _cases(lambda u: issubclass(u.field_class, SelectField | SelectMultipleField))
DATE_FIELDS = [  # term dates are held to their own term by the service: see the R30 test
    case
    for case in _cases(lambda u: issubclass(u.field_class, DateField))
    if case.values[0].__name__ != "TermDatesForm"
]
NAME_FIELDS = _cases(lambda u: any(isinstance(v, NameText) for v in field_validators(u)))
EMAIL_FIELDS = _cases(lambda u: any(isinstance(v, Email) for v in field_validators(u)))


@pytest.fixture(scope="module")
def form_app(database_url):
    """One app for the form walks: validating a field touches no table."""
    return create_app(make_config(database_url))


def _errors(form_app, name: str, unbound: UnboundField, *values: str) -> list[str]:
    """Bind one field on its own, submit `values` to it and return its errors."""
    with form_app.test_request_context(method="POST"):
        form = BaseForm([(name, unbound)])
        form.process(MultiDict([(name, value) for value in values]))
        field = form[name]
        if getattr(field, "choices", ()) is None:  # loaded per request: any real list will do
            field.choices = [("1", "One")]
        form.validate()
        return [str(error) for error in field.errors]


def test_the_walk_finds_every_kind_of_field():
    names = {f"{cls.__module__}.{cls.__qualname__}" for cls in all_forms()}
    assert "school_tracker.interventions.forms.InterventionForm" in names
    assert "school_tracker.reports.subject_access.transfer.TransferForm" in names
    assert "school_tracker.auth.forms.LoginForm" in names
    assert (len(INPUT_FIELDS), len(TEXT_FIELDS), len(DATE_FIELDS)) > (100, 40, 20)
    assert len(CHOICE_FIELDS) > 20 and len(NAME_FIELDS) >= 6


@pytest.mark.requirement("R28")
@pytest.mark.parametrize(("cls", "name", "unbound"), INPUT_FIELDS)
@pytest.mark.parametrize("bad", ["be\x00fore", "be\x01fore"])
def test_r28_every_input_refuses_nul_and_control_characters(form_app, cls, name, unbound, bad):
    """R28: NUL and \\x01 are a form error in every field of every form, passwords included."""
    errors = _errors(form_app, name, unbound, bad)
    assert errors, f"{cls.__qualname__}.{name} accepted {bad!r}"


@pytest.mark.requirement("R28")
@pytest.mark.parametrize(("cls", "name", "unbound"), TEXT_FIELDS)
def test_r28_text_fields_name_the_control_character_problem(form_app, cls, name, unbound):
    """R28: free text is refused for its hidden character, not by luck of another check."""
    errors = _errors(form_app, name, unbound, "Ann\x00")
    assert any(HIDDEN_CHARACTERS.search(e) for e in errors), errors


@pytest.mark.requirement("R28")
@pytest.mark.parametrize(
    ("cls", "name", "unbound"),
    _cases(lambda u: issubclass(u.field_class, StringField) and not _is_repeat(u)),
)
def test_r28_every_text_field_has_a_maximum_length(form_app, cls, name, unbound):
    """R28: max+1 characters is a form error (a hidden field takes only allowlisted values)."""
    validators = field_validators(unbound)
    if any(isinstance(v, AnyOf) for v in validators):
        assert _errors(form_app, name, unbound, "x" * 1000)
        return
    limits = [v.max for v in validators if isinstance(v, Length) and v.max != -1]
    assert limits, f"{cls.__qualname__}.{name} has no maximum length"
    errors = _errors(form_app, name, unbound, "x" * (min(limits) + 1))
    assert any("longer than" in e or "between" in e for e in errors), errors


# Form limits against the columns they fill: a longer limit would be a database error (a 500
# on PostgreSQL; SQLite does not enforce VARCHAR lengths).
COLUMN_LIMITS = [
    ("admin.forms.UserForm.full_name", User.full_name),
    ("admin.forms.UserForm.email", User.email),
    ("kindness.forms.MomentForm.giver_name", KindnessMoment.giver_name),
    ("kindness.forms.MomentForm.receiver_name", KindnessMoment.receiver_name),
    ("mentoring.forms.PairingForm.mentor_name", school_tracker.models.MentoringPairing.mentor_name),
    ("families.forms.ConversationForm.carer_name", ParentConversation.carer_name),
    ("learning.forms.LearningForm.activity", LearningRecord.activity),
    ("reports.subject_access.transfer.TransferForm.sent_to", TransferRecord.sent_to),
    ("risk.forms.ActionForm.description", school_tracker.models.RiskAction.description),
    # A reference value's name fits the shortest of the four lists' columns.
    ("admin.reference_data_views.ReferenceValueForm.name", school_tracker.models.Agency.name),
    ("admin.reference_data_views.ReferenceValueForm.name", school_tracker.models.RiskFactor.name),
    (
        "admin.reference_data_views.ReferenceValueForm.name",
        school_tracker.models.ReferenceValue.name,
    ),
    ("interventions.forms.InterventionTypeForm.name", InterventionType.name),
]


@pytest.mark.requirement("R28")
@pytest.mark.parametrize(("path", "column"), COLUMN_LIMITS, ids=[p for p, _ in COLUMN_LIMITS])
def test_r28_form_limits_fit_their_columns(path, column):
    module, cls_name, field_name = path.rsplit(".", 2)
    cls = getattr(importlib.import_module(f"school_tracker.{module}"), cls_name)
    limits = [v.max for v in field_validators(getattr(cls, field_name)) if isinstance(v, Length)]
    assert limits and max(limits) <= column.type.length


# --- R30 dates: impossible, ambiguous and implausible dates are form errors ------------------


def _last_leap_day() -> date:
    year = TODAY.year - (TODAY.year % 4)
    leap = date(year, 2, 29)
    return leap if leap <= TODAY else date(year - 4, 2, 29)


@pytest.mark.requirement("R30")
@pytest.mark.parametrize(("cls", "name", "unbound"), DATE_FIELDS)
@pytest.mark.parametrize(
    "bad",
    [
        "2026-02-31",  # impossible
        "2025-02-29",  # impossible: not a leap year
        "03/04/2026",  # ambiguous: March or April is never guessed
        "4/3/2026",
        "0026-09-01",  # a slipped digit: a real date, but no school's
        "9999-12-31",
        (TODAY - timedelta(days=11 * 366)).isoformat(),
        (TODAY + timedelta(days=3 * 366)).isoformat(),
    ],
)
def test_r30_every_date_field_refuses_bad_dates(form_app, cls, name, unbound, bad):
    assert _errors(form_app, name, unbound, bad), f"{cls.__qualname__}.{name} took {bad}"


@pytest.mark.requirement("R30")
@pytest.mark.parametrize(("cls", "name", "unbound"), DATE_FIELDS)
def test_r30_every_date_field_takes_real_recent_dates(form_app, cls, name, unbound):
    for good in (TODAY, _last_leap_day()):
        assert _errors(form_app, name, unbound, good.isoformat()) == []


ZOE_NFD = unicodedata.normalize("NFD", "Zoë")


@pytest.mark.requirement("R31")
@pytest.mark.parametrize(("cls", "name", "unbound"), NAME_FIELDS)
@pytest.mark.parametrize("hidden", ["\u202e", "\u2067", "\u200b", "\ufeff"])
def test_r31_names_refuse_direction_and_zero_width_characters(form_app, cls, name, unbound, hidden):
    assert _errors(form_app, name, unbound, f"Ann{hidden}Lee")
    assert _errors(form_app, name, unbound, f"O'Brien-{ZOE_NFD}") == []


@pytest.mark.requirement("R31")
@pytest.mark.parametrize(("cls", "name", "unbound"), EMAIL_FIELDS)
def test_r31_stored_email_identifiers_refuse_hidden_characters(form_app, cls, name, unbound):
    for hidden in ("\u202e", "\u200b"):
        assert _errors(form_app, name, unbound, f"ann{hidden}lee@example.org")
    assert _errors(form_app, name, unbound, "zoë.obrien@example.org") == []


# --- R32 enumerations: every choice is checked against its list ------------------------------


@pytest.mark.requirement("R32")
@pytest.mark.parametrize(("cls", "name", "unbound"), CHOICE_FIELDS)
@pytest.mark.parametrize("bad", ["X", "maybe", "99999"])
def test_r32_every_choice_field_refuses_values_off_its_list(form_app, cls, name, unbound, bad):
    assert _errors(form_app, name, unbound, bad), f"{cls.__qualname__}.{name} took {bad!r}"


# --- R34 URL fields: none exist; this fails when one is added without its own check ---------


@pytest.mark.requirement("R34")
def test_r34_no_form_or_column_takes_a_link():
    from wtforms import URLField

    url_fields = [
        f"{cls.__qualname__}.{name}"
        for cls in all_forms()
        for name, unbound in form_fields(cls)
        if issubclass(unbound.field_class, URLField) or re.search("url|link|website", name)
    ]
    columns = [
        f"{table.name}.{column.name}"
        for table in db.metadata.sorted_tables
        for column in table.columns
        if re.search("url|link|website|href", column.name)
    ]
    assert url_fields == [] and columns == []
