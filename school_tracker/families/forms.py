"""The structured conversation form (pupil and staff choices loaded per request)."""

from collections.abc import Iterable
from typing import Any

from wtforms import Field, SelectField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from school_tracker.forms import (
    ChangeReasonMixin,
    LongText,
    MultiCheckboxField,
    NameText,
    RecordDateField,
    TrimmedStringField,
    VersionedForm,
    choices,
)
from school_tracker.models import CarerRelationship
from school_tracker.records.pickers import PUPIL_PICKER, STAFF_PICKER

RELATIONSHIPS = choices([(r.value, r.label) for r in CarerRelationship])


class ConversationForm(ChangeReasonMixin, VersionedForm):
    """Who met whom and when, what each side said, what was agreed, and when to follow up."""

    pupil_id = SelectField("Pupil", coerce=int, validate_choice=True, render_kw=PUPIL_PICKER)
    carer_name = TrimmedStringField(
        "Parent or carer's name", validators=[DataRequired(), Length(max=120), NameText()]
    )
    carer_relationship = SelectField(
        "Relationship to the pupil", choices=RELATIONSHIPS, validate_choice=True
    )
    led_by_id = SelectField("Led by", coerce=int, validate_choice=True, render_kw=STAFF_PICKER)
    held_on = RecordDateField("Date of the conversation", validators=[DataRequired()])
    family_said = TextAreaField("What the family said", validators=LongText(10_000))
    school_said = TextAreaField("What the school said", validators=LongText(10_000))
    agreed_actions = TextAreaField("Agreed actions", validators=LongText(10_000))
    follow_up_on = RecordDateField("Follow-up date", validators=[Optional()])
    priorities = MultiCheckboxField(
        "AfA priorities", description="Usually P5; left unticked, P5 is used."
    )
    submit = SubmitField("Save conversation")

    def __init__(
        self,
        *args: Any,
        pupils: Iterable[tuple[object, str]] | None = None,
        staff: Iterable[tuple[object, str]],
        priority_choices: Iterable[tuple[object, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if pupils is None:
            del self.pupil_id
        else:
            self.pupil_id.choices = choices(pupils)
        self.led_by_id.choices = choices(staff)
        self.priorities.choices = choices(priority_choices)

    def validate_follow_up_on(self, field: Field) -> None:
        if field.data and self.held_on.data and field.data < self.held_on.data:
            raise ValidationError("The follow-up can't be before the conversation.")
