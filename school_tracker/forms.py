"""Form pieces shared by every feature: button-only forms, text validators, bounded numbers."""

import re
import secrets
import unicodedata
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any, TypeVar

from flask_wtf import FlaskForm
from markupsafe import Markup
from wtforms import (
    DateField,
    DecimalField,
    Field,
    FloatField,
    HiddenField,
    IntegerField,
    SelectMultipleField,
    StringField,
)
from wtforms.csrf.core import CSRFTokenField

# types-WTForms 3.2 predates SelectChoice (WTForms 3.3); to mypy it is Any.
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]
from wtforms.form import BaseForm
from wtforms.meta import DefaultMeta
from wtforms.validators import Length, Optional, StopValidation, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from school_tracker.calendar.terms import school_today
from school_tracker.models.record_version import REASON_MAX
from school_tracker.records.text import has_control_characters

# Bidirectional overrides/isolates and zero-width characters can disguise a name.
_DISGUISING = {chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))} | {
    "\u200b",
    "\u200c",
    "\u200d",
    "\u2060",
    "\ufeff",
}


NONCE_FIELD = "form_nonce"


class _NonceTokenField(CSRFTokenField):
    """The CSRF token followed by a fresh nonce each time it is rendered (R85).

    Flask-WTF's signed token changes only once a second, so two forms loaded within the same
    second carry the same token; the nonce lets the double-submit claim (submissions.py) tell
    them apart, while a resent copy of one rendered form still repeats both values.
    """

    def __call__(self, **kwargs: object) -> Markup:
        nonce = HiddenField(_form=None, _meta=DefaultMeta(), name=NONCE_FIELD)
        nonce.process(None, secrets.token_urlsafe(16))
        # No id: a page may hold several forms, and ids must be unique.
        return super().__call__(**kwargs) + nonce(id=False)


class _NonceCSRF(FlaskForm.Meta.csrf_class):
    field_class = _NonceTokenField


class OnceForm(FlaskForm):
    """Base for forms that save something: `{{ form.csrf_token }}` also renders the nonce."""

    class Meta:
        csrf_class = _NonceCSRF


class EmptyForm(OnceForm):
    """A form with only the CSRF token, for buttons that POST (logout, deactivate)."""


class NoControlCharacters:
    """Refuse NUL and other control characters (PostgreSQL and Excel refuse them later)."""

    def __init__(self, allow_newlines: bool = False) -> None:
        self.allow_newlines = allow_newlines

    def __call__(self, form: BaseForm, field: Field) -> None:
        if field.data and has_control_characters(field.data, allow_newlines=self.allow_newlines):
            raise ValidationError("Remove the hidden control characters from this text.")


class NameText:
    """A person's name: NFC-normalised, no control, bidi-override or zero-width characters."""

    def __call__(self, form: BaseForm, field: Field) -> None:
        if not field.data:
            return
        if has_control_characters(field.data, allow_newlines=False) or (
            set(field.data) & _DISGUISING
        ):
            raise ValidationError("Names can't contain hidden or direction-changing characters.")


class TrimmedStringField(StringField):
    """A text field that trims whitespace and normalises Unicode to NFC."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        super().process_formdata(valuelist)
        if self.data is not None:
            self.data = unicodedata.normalize("NFC", self.data.strip())


# Capitalised like the validator classes it is listed with: `validators=[*LongText(500)]`.
def LongText(max_length: int = 10_000) -> list[Length | NoControlCharacters]:
    """Validators for free text: length-limited, no NUL or control characters (TAB/CR/LF ok)."""
    return [Length(max=max_length), NoControlCharacters(allow_newlines=True)]


def _years_from(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a year without one
        return day.replace(year=day.year + years, day=28)


class RecordDateField(DateField):
    """A date on a school record: yyyy-mm-dd as the browser's date picker sends it (a typed
    03/04/2026 is refused, never guessed), inside a window of plausible years (R30)."""

    PAST_YEARS = 10  # the families and CPD services refuse older dates too
    FUTURE_YEARS = 2  # review dates and planned ends lie ahead

    def pre_validate(self, form: BaseForm) -> None:
        super().pre_validate(form)
        if self.data is None:
            return
        # A slipped digit (0026, 2062, 9999) parses as a real date but is no school's record.
        today = school_today()
        earliest = _years_from(today, -self.PAST_YEARS)
        latest = _years_from(today, self.FUTURE_YEARS)
        if not earliest <= self.data <= latest:
            raise ValidationError(f"Give a date between {earliest:%d/%m/%Y} and {latest:%d/%m/%Y}.")


# Signed digits with an optional decimal point, and nothing else: Python's int(), float() and
# Decimal() also take 1e27, NaN, Infinity, 1_000 and non-ASCII digits, none of which a person
# types into a school record, and a huge or non-finite value later breaks a range check,
# Decimal.quantize or a database column (issue 11).
_PLAIN_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")
# More digits than any value a school records; checked before the text is converted at all.
_NUMBER_MAX_CHARS = 30
_PLACES = {0: "no decimal places", 1: "one decimal place", 2: "two decimal places"}


class _BoundedNumber(Field):
    """A number field that reads only plain digits and refuses anything outside its own range.

    The range is part of the field, not a validator after it, so no later check (an inline
    `validate_<field>`, a service, the database) ever sees an out-of-range value; the browser
    is given the same range as `min` and `max`.
    """

    not_a_number = "Enter a number, such as 1.5."

    def __init__(
        self,
        label: str | None = None,
        validators: list[Any] | tuple[Any, ...] | None = None,
        *,
        minimum: int | Decimal,
        maximum: int | Decimal,
        range_message: str | None = None,
        **kwargs: Any,
    ) -> None:
        kwargs["render_kw"] = {"min": minimum, "max": maximum, **(kwargs.get("render_kw") or {})}
        super().__init__(label, validators, **kwargs)
        self.minimum, self.maximum = Decimal(minimum), Decimal(maximum)
        self.range_message = range_message or f"Number must be between {minimum} and {maximum}."

    def convert(self, number: Decimal) -> Decimal | int | float:
        """The field's own type for a plain, in-range number; raise ValueError to refuse it."""
        return number

    def process_formdata(self, valuelist: list[Any]) -> None:
        self.data = None
        text = str(valuelist[0]).strip() if valuelist else ""
        if not text:  # blank: Optional, InputRequired or DataRequired decides
            return
        if "," in text:
            raise ValueError("Use a full stop for decimals and no commas, e.g. 1.5 or 1200.")
        if not _PLAIN_NUMBER.fullmatch(text):
            raise ValueError(self.not_a_number)
        if len(text) > _NUMBER_MAX_CHARS:
            raise ValueError(self.range_message)
        number = Decimal(text)
        if not self.minimum <= number <= self.maximum:
            raise ValueError(self.range_message)
        self.data = self.convert(number)

    def pre_validate(self, form: BaseForm) -> None:
        # The reason is already among the errors; no validator should see a refused value.
        if self.process_errors:
            raise StopValidation()
        super().pre_validate(form)


class BoundedIntegerField(_BoundedNumber, IntegerField):
    """A whole number within [minimum, maximum]; 12.0 is read as 12."""

    not_a_number = "Enter a whole number, such as 12."

    def convert(self, number: Decimal) -> int:
        if number != number.to_integral_value():
            raise ValueError(self.not_a_number)
        return int(number)


class BoundedDecimalField(_BoundedNumber, DecimalField):
    """An exact number within [minimum, maximum] with at most `places` decimal places."""

    def convert(self, number: Decimal) -> Decimal:
        # In range, so quantizing cannot overflow the decimal context.
        if self.places is not None and number != number.quantize(Decimal(1).scaleb(-self.places)):
            places = _PLACES.get(self.places, f"{self.places} decimal places")
            raise ValueError(f"Give at most {places}.")
        return number


class BoundedFloatField(_BoundedNumber, FloatField):
    """A measurement (a score) within [minimum, maximum], held as a float."""

    def convert(self, number: Decimal) -> float:
        return float(number)


class MultiCheckboxField(SelectMultipleField):
    """A group of checkboxes (priorities, values, risk factors)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def choices(pairs: Iterable[tuple[object, str]]) -> list[SelectChoice]:
    """WTForms 3.3 choice objects from (value, label) pairs."""
    return [SelectChoice(value, label) for value, label in pairs]


class VersionedForm(OnceForm):
    """An edit form that carries the version it was loaded at (optimistic locking)."""

    version = HiddenField(validators=[Optional()])

    def expected_version(self) -> int:
        """The version the form was loaded with (only edits of an existing record ask).

        A missing or garbled version can never match, so the edit is refused as stale rather
        than saved over whatever is there now.
        """
        if self.version.data is None:
            return -1
        try:
            return int(self.version.data)
        except ValueError:
            return -1


class ChangeReasonMixin:
    """An optional "why" for an edit, kept with the record's earlier version (R63).

    A mixin rather than part of VersionedForm: that base also serves create forms and status
    forms with reasons of their own, and some templates render every field of their form.
    """

    change_reason = TrimmedStringField(
        "Reason for this change (optional)",
        validators=[Optional(), Length(max=REASON_MAX), NoControlCharacters()],
        description="For example, correcting a date entered by mistake. Kept with the record's "
        "history.",
    )


def add_error(field: Field, message: str) -> None:
    """Show `message` under `field`, for a refusal found after validation (by a service).

    Validation leaves `errors` a list (its declared type is Sequence); appending in place keeps
    the form's cached `errors` summary in step.
    """
    if isinstance(field.errors, list):
        field.errors.append(message)
    else:
        field.errors = [*field.errors, message]


Value = TypeVar("Value")


def required_data(value: Value | None) -> Value:
    """The value of a field that a validated form requires (DataRequired refused it empty)."""
    if value is None:
        raise ValueError("a required field has no value after validation")
    return value
