"""Numbers out of range are form errors everywhere (issue 11 item 2).

Every numeric field of every form is found from the form classes (as the R28 walk finds text
fields) and sent each hostile value, first on its own and then through every page that uses the
form: a form error each time, never a 500, and nothing saved anywhere in the database.
"""

import html
from decimal import Decimal

import pytest
from werkzeug.datastructures import MultiDict
from wtforms import DecimalField, FloatField, IntegerField
from wtforms.fields.core import UnboundField
from wtforms.form import BaseForm

from school_tracker import create_app
from school_tracker.forms import BoundedDecimalField, BoundedFloatField, BoundedIntegerField
from tests.conftest import PASSWORD, make_config
from tests.factories.numeric_pages import (
    HOSTILE_NUMBERS,
    NUMERIC_PAGES,
    learning_edit,
    numeric_world,
)
from tests.support.form_walk import all_forms, form_fields
from tests.support.snapshots import database_rows

# --- item 2: numbers out of range are form errors everywhere ---------------------------------

WTFORMS_NUMBERS = (IntegerField, DecimalField, FloatField)
BOUNDED = (BoundedIntegerField, BoundedDecimalField, BoundedFloatField)


def _numeric_fields() -> list:
    return [
        pytest.param(cls, name, unbound, id=f"{cls.__qualname__}.{name}")
        for cls in all_forms()
        # A "...Fields" class is a group of fields its forms share, never posted on its own.
        if not cls.__name__.endswith("Fields")
        for name, unbound in form_fields(cls)
        if issubclass(unbound.field_class, WTFORMS_NUMBERS)
    ]


NUMERIC_FIELDS = _numeric_fields()


def _bind(app, name: str, unbound: UnboundField, value: str):
    """Bind one field on its own, submit `value` and validate; return the field."""
    with app.test_request_context(method="POST"):
        form = BaseForm([(name, unbound)])
        form.process(MultiDict([(name, value)]))
        form.validate()
        return form[name]


@pytest.fixture(scope="module")
def form_app(database_url):
    """One app for binding fields on their own: validating a field touches no table."""
    return create_app(make_config(database_url))


def test_the_walk_finds_every_numeric_field():
    found = {f"{p.values[0].__qualname__}.{p.values[1]}" for p in NUMERIC_FIELDS}
    assert {"LearningForm.hours", "InterventionForm.cost", "SessionForm.minutes"} <= found
    assert {"OutcomeForm.exit_score", "ExclusionForm.sessions"} <= found
    assert len(found) >= 10


@pytest.mark.parametrize(("cls", "name", "unbound"), NUMERIC_FIELDS)
def test_every_numeric_field_holds_its_own_range(cls, name, unbound):
    """A plain IntegerField, DecimalField or FloatField reads 1e309 as infinity or NaN."""
    assert issubclass(unbound.field_class, BOUNDED), f"{cls.__qualname__}.{name}"
    assert {"minimum", "maximum"} <= set(unbound.kwargs)


@pytest.mark.parametrize(("cls", "name", "unbound"), NUMERIC_FIELDS)
def test_every_numeric_field_refuses_every_hostile_number(form_app, cls, name, unbound):
    for value in HOSTILE_NUMBERS:
        field = _bind(form_app, name, unbound, value)
        assert field.errors, f"{cls.__qualname__}.{name} accepted {value[:50]!r}"
        assert field.data is None, value[:50]


@pytest.mark.parametrize(("cls", "name", "unbound"), NUMERIC_FIELDS)
def test_every_numeric_field_accepts_both_ends_of_its_range(form_app, cls, name, unbound):
    """The refusals above are not a field that refuses everything."""
    for end in (unbound.kwargs["minimum"], unbound.kwargs["maximum"]):
        field = _bind(form_app, name, unbound, str(end))
        assert field.errors == [] and field.data == end, (end, field.errors)
        assert isinstance(field.data, Decimal | int | float)
        beyond = Decimal(end) + (1 if end == unbound.kwargs["maximum"] else -1)
        assert _bind(form_app, name, unbound, str(beyond)).errors, beyond


def test_numbers_are_read_as_people_type_them(form_app):
    """Whole, decimal and comma mistakes each get a message that says what to do."""
    hours = BoundedDecimalField(places=1, minimum=Decimal("0.5"), maximum=100)
    minutes = BoundedIntegerField(minimum=1, maximum=600)
    assert _bind(form_app, "hours", hours, " 1.5 ").data == Decimal("1.5")
    assert _bind(form_app, "hours", hours, "1.50").data == Decimal("1.5")
    assert _bind(form_app, "hours", hours, "1.25").errors == ["Give at most one decimal place."]
    assert _bind(form_app, "hours", hours, "1,5").errors[0].startswith("Use a full stop")
    assert _bind(form_app, "hours", hours, "1e27").errors == ["Enter a number, such as 1.5."]
    assert _bind(form_app, "hours", hours, "9" * 40).errors == [
        "Number must be between 0.5 and 100."
    ]
    assert _bind(form_app, "minutes", minutes, "45.0").data == 45
    assert _bind(form_app, "minutes", minutes, "45.5").errors == [
        "Enter a whole number, such as 12."
    ]
    assert _bind(form_app, "minutes", minutes, "").errors == []  # blank: required decides
    scores = BoundedFloatField(minimum=-10, maximum=10)
    assert _bind(form_app, "score", scores, "-2.5").data == -2.5


# --- item 2 through the pages: every route that uses a numeric form --------------------------


def _page_cases() -> list:
    by_form: dict[str, list] = {}
    for param in NUMERIC_FIELDS:
        by_form.setdefault(param.values[0].__qualname__, []).append(param.values[1:])
    return [
        pytest.param(page, name, unbound, id=f"{page.name}.{name}")
        for page in NUMERIC_PAGES
        for name, unbound in by_form.get(page.form, [])
    ]


def test_every_form_with_a_number_has_its_pages_walked():
    """A new form with a numeric field fails here until its pages join NUMERIC_PAGES."""
    forms_with_numbers = {p.values[0].__qualname__ for p in NUMERIC_FIELDS}
    assert forms_with_numbers == {page.form for page in NUMERIC_PAGES}


@pytest.fixture
def world(app, make_school, make_user, make_pupil):
    return numeric_world(app, make_school, make_user, make_pupil)


@pytest.mark.parametrize(("page", "name", "unbound"), _page_cases())
def test_every_page_answers_hostile_numbers_with_a_form_error(
    app, client, auth, world, form_app, page, name, unbound
):
    """Issue 11 item 2: no 500, the field's own error on the page, nothing saved anywhere."""
    url, valid = page.build(app, world)
    auth.login(world[page.who].email, PASSWORD)
    before = database_rows(app)
    for value in HOSTILE_NUMBERS:
        response = client.post(url, data={**valid, name: value})
        assert response.status_code == 200, (value[:50], response.status_code)
        text = response.get_data(as_text=True)
        for error in _bind(form_app, name, unbound, value).errors:
            assert html.escape(error) in text, (value[:50], error)
    assert database_rows(app) == before
    # The same form with a good number saves, so the refusals above were the number's.
    assert client.post(url, data=valid).status_code == 302
    assert database_rows(app) != before


@pytest.mark.parametrize("version", ["1e27", str(2**63), "9" * 40, "NaN"])
def test_a_hostile_version_is_a_stale_edit_not_a_500(app, client, auth, world, version):
    url, valid = learning_edit(app, world)
    auth.login(world["staff"].email, PASSWORD)
    assert client.post(url, data={**valid, "version": version}).status_code == 409
