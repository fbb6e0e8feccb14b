"""Intervention, participant, status and catalogue forms (choices loaded per request)."""

from collections.abc import Iterable
from typing import Any, TypedDict

from wtforms import (
    BooleanField,
    Field,
    RadioField,
    SelectField,
    SelectMultipleField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from school_tracker.forms import (
    BoundedDecimalField,
    BoundedFloatField,
    BoundedIntegerField,
    ChangeReasonMixin,
    LongText,
    MultiCheckboxField,
    NoControlCharacters,
    OnceForm,
    RecordDateField,
    TrimmedStringField,
    VersionedForm,
    choices,
)
from school_tracker.models import (
    FundingStream,
    InterventionMode,
    InterventionStatus,
    SessionFrequency,
)
from school_tracker.records.pickers import PUPIL_PICKER, STAFF_PICKER

FREQUENCIES = choices([("", "Not set")] + [(f.value, f.label) for f in SessionFrequency])
FUNDING = choices([("", "Not set")] + [(f.value, f.label) for f in FundingStream])
MODES = choices([(m.value, m.label) for m in InterventionMode])
IMPACTS = choices(
    [
        ("", "Not recorded yet"),
        ("2", "+2 much better"),
        ("1", "+1 better"),
        ("0", "0 no change"),
        ("-1", "-1 worse"),
        ("-2", "-2 much worse"),
    ]
)


# Any measure a school uses (Boxall, SDQ, reading age in months, attendance %) fits.
class _Bounds(TypedDict):
    minimum: int
    maximum: int


SCORE_RANGE = _Bounds(minimum=-1_000_000, maximum=1_000_000)


def _optional_int(value: str | int | None) -> int | None:
    return int(value) if value not in (None, "") else None


class InterventionForm(ChangeReasonMixin, VersionedForm):
    """The plan of an intervention; pupils and mode are chosen only when it is created."""

    type_id = SelectField("Type", coerce=int, validate_choice=True)
    mode = RadioField("Individual or group", choices=MODES, default="individual")
    pupil_ids = SelectMultipleField(
        "Pupils taking part",
        coerce=int,
        description="One pupil for an individual intervention, two or more for a group.",
        render_kw=PUPIL_PICKER,
    )
    lead_id = SelectField("Led by", coerce=int, validate_choice=True, render_kw=STAFF_PICKER)
    priorities = MultiCheckboxField(
        "AfA priorities",
        description="Leave all unticked to use the type's usual priorities.",
    )
    # The school's own list of measures (admins keep it under Reference data).
    measure_id = SelectField(
        "Measure used", coerce=_optional_int, validate_choice=True, default=None
    )
    score_min = BoundedFloatField("Lowest possible score", [Optional()], **SCORE_RANGE)
    score_max = BoundedFloatField("Highest possible score", [Optional()], **SCORE_RANGE)
    intended_outcome = TextAreaField("Intended outcome", validators=LongText(4000))
    planned_sessions = BoundedIntegerField("Planned sessions", [Optional()], minimum=1, maximum=500)
    frequency = SelectField("Frequency", choices=FREQUENCIES, validate_choice=True)
    cost = BoundedDecimalField(
        "Cost (£)",
        [Optional()],
        places=2,
        minimum=0,
        maximum=1_000_000,
        description="Pounds and pence, e.g. 450.00. Enter 0 if it costs nothing extra.",
    )
    funding_stream = SelectField("Funding stream", choices=FUNDING, validate_choice=True)
    start_date = RecordDateField("Start date", validators=[DataRequired()])
    review_date = RecordDateField("Review date", validators=[DataRequired()])
    pupil_voice = TextAreaField("Pupil voice", validators=LongText(10_000))
    parent_voice = TextAreaField("Parent/carer voice", validators=LongText(10_000))
    notes = TextAreaField("Notes", validators=LongText(10_000))
    submit = SubmitField("Save intervention")

    def __init__(
        self,
        *args: Any,
        type_choices: Iterable[tuple[object, str]],
        staff: Iterable[tuple[object, str]],
        pupils: Iterable[tuple[object, str]],
        priority_choices: Iterable[tuple[object, str]],
        creating: bool,
        measures: Iterable[tuple[object, str]] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.type_id.choices = choices(type_choices)
        self.measure_id.choices = choices([("", "None"), *measures])
        self.lead_id.choices = choices(staff)
        self.pupil_ids.choices = choices(pupils)
        self.priorities.choices = choices(priority_choices)
        if not creating:
            del self.mode
            del self.pupil_ids

    def validate_review_date(self, field: Field) -> None:
        if field.data and self.start_date.data and field.data <= self.start_date.data:
            raise ValidationError("The review date must be after the start date.")

    def validate_score_max(self, field: Field) -> None:
        low = self.score_min.data
        if field.data is not None and low is not None and field.data <= low:
            raise ValidationError("The highest score must be above the lowest.")

    def validate_pupil_ids(self, field: Field) -> None:
        count = len(set(field.data or []))
        if self.mode.data == "individual" and count != 1:
            raise ValidationError("Choose exactly one pupil for an individual intervention.")
        if self.mode.data == "group" and count < 2:
            raise ValidationError("Choose at least two pupils for a group intervention.")

    @property
    def cost_pence(self) -> int:
        """The cost as whole pence (0 when left blank)."""
        return int(self.cost.data * 100) if self.cost.data is not None else 0

    @property
    def frequency_value(self) -> SessionFrequency | None:
        return SessionFrequency(self.frequency.data) if self.frequency.data else None

    @property
    def funding_value(self) -> FundingStream | None:
        return FundingStream(self.funding_stream.data) if self.funding_stream.data else None


class StatusForm(VersionedForm):
    """Start, complete or stop an intervention (a stop needs a reason)."""

    status = SelectField("New status", validate_choice=True)
    reason = TextAreaField("Reason for stopping", validators=LongText(2000))
    submit = SubmitField("Change status")

    def __init__(
        self, *args: Any, allowed: Iterable[InterventionStatus] = (), **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.status.choices = choices([(s.value, s.label) for s in allowed])

    def validate_reason(self, field: Field) -> None:
        if self.status.data == "stopped" and not (field.data or "").strip():
            raise ValidationError("Say why the intervention is stopping.")


class ParticipantForm(VersionedForm):
    """A pupil joining a group (pupil chosen), or their start date and baseline corrected."""

    pupil_id = SelectField("Pupil", coerce=int, validate_choice=True, render_kw=PUPIL_PICKER)
    start_date = RecordDateField("Start date", validators=[DataRequired()])
    baseline_score = BoundedFloatField("Baseline score", [Optional()], **SCORE_RANGE)
    submit = SubmitField("Save")

    def __init__(
        self, *args: Any, pupils: Iterable[tuple[object, str]] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        if pupils is None:
            del self.pupil_id
        else:
            self.pupil_id.choices = choices(pupils)


class OutcomeForm(VersionedForm):
    """One pupil's end date, exit score and impact (sessions attended come from the register)."""

    end_date = RecordDateField("End date", validators=[Optional()])
    exit_score = BoundedFloatField("Exit score", [Optional()], **SCORE_RANGE)
    impact = SelectField("Impact", choices=IMPACTS, validate_choice=True, coerce=_optional_int)
    submit = SubmitField("Save outcome")


class WithdrawForm(VersionedForm):
    """Take a pupil out of a group, with the reason and date."""

    on = RecordDateField("Date they left", validators=[DataRequired()])
    reason = TextAreaField("Reason", validators=[DataRequired(), *LongText(2000)])
    submit = SubmitField("Withdraw pupil")


class InterventionTypeForm(OnceForm):
    """A catalogue entry: name, usual priorities, SEND focus."""

    name = TrimmedStringField(
        "Name", validators=[DataRequired(), Length(max=120), NoControlCharacters()]
    )
    priorities = MultiCheckboxField("Usual AfA priorities")
    send_focused = BooleanField("SEND-focused (also adds P4b to new interventions)")
    submit = SubmitField("Save type")

    def __init__(
        self, *args: Any, priority_choices: Iterable[tuple[object, str]] = (), **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.priorities.choices = choices(priority_choices)
