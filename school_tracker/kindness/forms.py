"""Kindness forms: record or edit a moment; hide one from the wall."""

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from wtforms import Field, SelectField, SelectMultipleField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from school_tracker.forms import (
    LongText,
    MultiCheckboxField,
    NameText,
    RecordDateField,
    TrimmedStringField,
    VersionedForm,
    add_error,
    choices,
    required_data,
)
from school_tracker.kindness.givers import registration_groups
from school_tracker.kindness.services import DEFAULT_PRIORITIES, MomentDetails
from school_tracker.models import KindnessValue, KindPersonKind
from school_tracker.records.pickers import PUPIL_PICKER, pupil_select_choices
from school_tracker.records.priorities import priority_choices

DESCRIPTION_MAX = 2000


def _no_blanks(values: list[str] | None) -> list[str]:
    # A picker (or an old form) may send an empty value for "none chosen": not a choice.
    return [value for value in values or () if value]


def _pupils(count: int) -> str:
    return "1 pupil" if count == 1 else f"{count} pupils"


class MomentForm(VersionedForm):
    """Who was kind, to whom, what happened and the values it showed."""

    giver_kind = SelectField(
        "Who was kind?",
        choices=choices([(k.value, k.label) for k in KindPersonKind]),
        validate_choice=True,
    )
    giver_pupils = SelectMultipleField(
        "Pupils who were kind",
        description="Choose one or several.",
        filters=[_no_blanks],
        render_kw=PUPIL_PICKER,
    )
    giver_group = SelectField(
        "Or a whole registration group",
        description="Everyone on roll in the group is recorded as kind, each on their own "
        "record, as well as any pupils chosen above.",
        default="",
        validate_choice=True,
    )
    giver_name = TrimmedStringField(
        "Their name (if not a pupil)", validators=[Optional(), Length(max=120), NameText()]
    )
    receiver_pupil = SelectField(
        "Kind to which pupil (optional)", validate_choice=True, render_kw=PUPIL_PICKER
    )
    receiver_name = TrimmedStringField(
        "Or kind to whom (optional)",
        description="A name or a group, e.g. 'the new Year 3 class'. Leave blank if not a pupil.",
        validators=[Optional(), Length(max=120), NameText()],
    )
    description = TextAreaField(
        "What happened",
        validators=[DataRequired("Say what happened."), *LongText(DESCRIPTION_MAX)],
    )
    values = MultiCheckboxField(
        "Values shown",
        choices=choices([(v.value, v.label) for v in KindnessValue]),
    )
    occurred_on = RecordDateField("Date", validators=[InputRequired("Give the date.")])
    priorities = MultiCheckboxField("AfA priorities", default=list(DEFAULT_PRIORITIES))
    submit = SubmitField("Save kindness moment")

    def __init__(
        self,
        school_id: int,
        *args: Any,
        keep_pupils: Iterable[int | None] = (),
        keep_group: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        pupils = pupil_select_choices(school_id, "Not a pupil", keep_pupils)
        self.giver_pupils.choices = pupils[1:]  # no blank: choosing none is the blank
        groups = [
            (group, f"{group} ({_pupils(size)})") for group, size in registration_groups(school_id)
        ]
        if keep_group and keep_group not in dict(groups):
            groups.append((keep_group, keep_group))
        self.giver_group.choices = choices([("", "Not a whole group"), *groups])
        self.receiver_pupil.choices = pupil_select_choices(school_id, "Not a pupil", keep_pupils)
        self.priorities.choices = choices(priority_choices())

    def validate(self, extra_validators: Mapping[str, Sequence[Any]] | None = None) -> bool:
        """Field checks, then the giver that matches the kind and at least one value."""
        ok = super().validate(extra_validators)
        problems: list[tuple[Field, str]] = []
        is_pupil = self.giver_kind.data == KindPersonKind.PUPIL.value
        if is_pupil and not (self.giver_pupils.data or self.giver_group.data):
            problems.append(
                (
                    self.giver_pupils,
                    "Choose the pupils who were kind, or a whole registration group.",
                )
            )
        if not is_pupil and not self.giver_name.data:
            problems.append((self.giver_name, "Give the name of the person who was kind."))
        if self.receiver_pupil.data and self.receiver_name.data:
            problems.append((self.receiver_name, "Choose a pupil or give a name, not both."))
        if not self.values.data:
            problems.append((self.values, "Choose at least one value."))
        if not self.priorities.data:
            problems.append((self.priorities, "Link at least one priority."))
        for field, message in problems:
            add_error(field, message)
        return ok and not problems

    def details(self) -> MomentDetails:
        """Only the giver fields of the chosen kind (the others are ignored, R23)."""
        kind = KindPersonKind(self.giver_kind.data)
        is_pupil = kind is KindPersonKind.PUPIL
        return MomentDetails(
            giver_kind=kind,
            giver_pupil_ids=tuple(int(v) for v in self.giver_pupils.data or ()) if is_pupil else (),
            giver_group=(self.giver_group.data or None) if is_pupil else None,
            giver_name=None if is_pupil else self.giver_name.data,
            receiver_pupil_id=int(self.receiver_pupil.data) if self.receiver_pupil.data else None,
            receiver_name=self.receiver_name.data or None,
            description=required_data(self.description.data),
            values=tuple(KindnessValue(v) for v in self.values.data or ()),
            occurred_on=required_data(self.occurred_on.data),
            priority_codes=tuple(self.priorities.data or ()),
        )


class HideForm(VersionedForm):
    """Take a moment off the wall, saying why (leaders)."""

    reason = TextAreaField(
        "Why should this moment not be shown?",
        validators=[DataRequired("Say why it should not be shown."), *LongText(1000)],
    )
    submit = SubmitField("Hide from the wall")


class ShowForm(VersionedForm):
    """Put a hidden moment back on the wall: a button carrying the version."""
