"""Forms for raising, editing, escalating and closing exclusion-risk flags."""

from typing import Any

from wtforms import Field, HiddenField, SelectField, SubmitField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, InputRequired, Length, ValidationError

from school_tracker.calendar.terms import school_today
from school_tracker.forms import (
    ChangeReasonMixin,
    LongText,
    MultiCheckboxField,
    NoControlCharacters,
    OnceForm,
    RecordDateField,
    TrimmedStringField,
    VersionedForm,
    choices,
    required_data,
)
from school_tracker.models import RiskFlag, RiskLevel, RiskOutcome, RiskStatus
from school_tracker.records.pickers import STAFF_PICKER
from school_tracker.records.priorities import priority_choices
from school_tracker.risk import reference, services

LEVEL_CHOICES = [("", "Choose a level"), *((level.value, level.label) for level in RiskLevel)]
OUTCOME_CHOICES = [("", "Choose the outcome"), *((o.value, o.label) for o in RiskOutcome)]


class FlagDetailsForm(ChangeReasonMixin, VersionedForm):
    """The fields a leader may change after raising (the raise form adds date and level)."""

    review_on = RecordDateField(
        "Review date",
        validators=[InputRequired("Give a review date.")],
        description="When the flag will next be reviewed; after the date raised.",
    )
    risk_factors = MultiCheckboxField("Risk factors", coerce=int)
    protective_factors = TextAreaField(
        "Protective factors",
        validators=LongText(4000),
        description="What is going well and who the pupil trusts. Seen by leaders only.",
    )
    agencies = MultiCheckboxField("Agencies involved", coerce=int)
    agency_notes = TextAreaField(
        "Agency details",
        validators=LongText(2000),
        description="Referrals, contacts and what each agency is doing. Seen by leaders only.",
    )
    named_staff = MultiCheckboxField(
        "Staff named on the flag",
        coerce=int,
        description="Named staff can see the flag's level, actions and review date.",
        render_kw=STAFF_PICKER,
    )
    priorities = MultiCheckboxField("AfA priorities")
    submit = SubmitField("Save changes")

    def __init__(
        self, school_id: int, *args: Any, flag: RiskFlag | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        # A live flag offers what was active when it was raised, and keeps what it names.
        on = flag.raised_on if flag is not None else school_today()
        factors, agencies = reference.flag_choices(school_id, on, flag)
        self.risk_factors.choices = choices(factors)
        self.agencies.choices = choices(agencies)
        self.named_staff.choices = choices(
            (user.id, f"{user.full_name} ({user.role.label})")
            for user in services.eligible_staff(school_id)
        )
        self.priorities.choices = choices(priority_choices())

    def details(self) -> services.FlagDetails:
        """The validated values for the service."""
        return services.FlagDetails(
            review_on=required_data(self.review_on.data),
            risk_factor_ids=list(self.risk_factors.data or []),
            protective_factors=self.protective_factors.data or "",
            agency_ids=list(self.agencies.data or []),
            agency_notes=self.agency_notes.data or "",
            named_staff_ids=list(self.named_staff.data or []),
            priority_codes=list(self.priorities.data or []),
        )


class RaiseFlagForm(FlagDetailsForm):
    """Raise a new flag on one pupil."""

    raised_on = RecordDateField("Date raised", validators=[InputRequired("Give the date raised.")])
    level = SelectField("Level", validators=[DataRequired("Choose a level.")])
    submit = SubmitField("Raise flag")

    def __init__(self, school_id: int, *args: Any, **kwargs: Any) -> None:
        super().__init__(school_id, *args, **kwargs)
        self.level.choices = choices(LEVEL_CHOICES)

    def validate_raised_on(self, field: Field) -> None:
        if field.data and field.data > school_today():
            raise ValidationError("The date raised can't be in the future.")

    def validate_review_on(self, field: Field) -> None:
        if field.data and self.raised_on.data and field.data <= self.raised_on.data:
            raise ValidationError("The review date must be after the date raised.")


class LevelForm(VersionedForm):
    """Change the level; the old level stays in the history."""

    level = SelectField("New level", validators=[DataRequired("Choose a level.")])
    reason = TextAreaField(
        "Why the level changed (optional)",
        validators=LongText(2000),
        description="Seen by leaders only.",
    )
    submit = SubmitField("Change level")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.level.choices = choices(LEVEL_CHOICES)


class StatusForm(VersionedForm):
    """Move a live flag between open and monitoring."""

    status = HiddenField(validators=[AnyOf([RiskStatus.OPEN.value, RiskStatus.MONITORING.value])])
    reason = TextAreaField("Note on the change (optional)", validators=LongText(2000))
    submit = SubmitField("Change status")


class CloseForm(VersionedForm):
    """Close a flag; the outcome is required."""

    outcome = SelectField("Outcome", validators=[DataRequired("Choose the outcome.")])
    reason = TextAreaField("Closing note (optional)", validators=LongText(2000))
    submit = SubmitField("Close flag")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.outcome.choices = choices(OUTCOME_CHOICES)


class ReopenForm(VersionedForm):
    """A leader reopens a closed flag with a reason."""

    reason = TextAreaField(
        "Why reopen",
        validators=[DataRequired("Say why the flag is being reopened."), *LongText(2000)],
    )
    submit = SubmitField("Reopen flag")


class ActionForm(OnceForm):
    """Add an action: what, who owns it and when it is due."""

    description = TrimmedStringField(
        "Action",
        validators=[
            DataRequired("Say what the action is."),
            Length(max=300),
            NoControlCharacters(),
        ],
    )
    owner = SelectField(
        "Owner",
        coerce=int,
        validators=[InputRequired("Choose an owner.")],
        render_kw=STAFF_PICKER,
    )
    due_on = RecordDateField("Due", validators=[InputRequired("Give a due date.")])
    submit = SubmitField("Add action")

    def __init__(self, school_id: int, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.owner.choices = choices(
            (user.id, user.full_name) for user in services.eligible_staff(school_id)
        )
