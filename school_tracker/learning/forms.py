"""The professional learning form (staff choices depend on who is recording)."""

from decimal import Decimal

from wtforms import DecimalField, SelectField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from school_tracker.forms import (
    LongText,
    MultiCheckboxField,
    NoControlCharacters,
    RecordDateField,
    TrimmedStringField,
    VersionedForm,
    choices,
)
from school_tracker.interventions.forms import finite_number


class LearningForm(VersionedForm):
    """One piece of CPD: who, when, what, how long, the focus and a reflection."""

    staff_id = SelectField("Member of staff", coerce=int, validate_choice=True)
    held_on = RecordDateField("Date", validators=[DataRequired()])
    activity = TrimmedStringField(
        "Activity",
        validators=[DataRequired(), Length(max=200), NoControlCharacters()],
        description="For example: Trauma-informed practice INSET, NASENCo module 2.",
    )
    hours = DecimalField(
        "Hours",
        places=1,
        validators=[DataRequired(), finite_number, NumberRange(min=Decimal("0.5"), max=100)],
        description="From 0.5 to 100, to one decimal place.",
    )
    focus = TrimmedStringField(
        "Focus",
        validators=[Optional(), Length(max=200), NoControlCharacters()],
        description="For example: SEND, attachment, reading, behaviour, working with families.",
    )
    priorities = MultiCheckboxField(
        "AfA priorities", description="Usually P3; left unticked, P3 is used."
    )
    reflection = TextAreaField("Reflection", validators=LongText(10_000))
    submit = SubmitField("Save")

    def __init__(self, *args, staff, priority_choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.staff_id.choices = choices(staff)
        self.priorities.choices = choices(priority_choices)

    def validate_hours(self, field) -> None:
        if field.data is not None and field.data != field.data.quantize(Decimal("0.1")):
            raise ValidationError("Give hours to one decimal place, e.g. 1.5.")

    @property
    def hours_tenths(self) -> int:
        """Hours as whole tenths (how they are stored)."""
        return int(self.hours.data * 10)
