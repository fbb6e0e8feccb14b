"""Mentoring forms, with the school's pupil and staff pickers as select choices."""

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Protocol, TypedDict

from wtforms import Field, SelectField, SubmitField, TextAreaField

# types-WTForms 3.2 predates SelectChoice (WTForms 3.3); to mypy it is Any.
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from school_tracker.forms import (
    BoundedIntegerField,
    ChangeReasonMixin,
    LongText,
    MultiCheckboxField,
    NameText,
    OnceForm,
    RecordDateField,
    TrimmedStringField,
    VersionedForm,
    add_error,
    choices,
    required_data,
)
from school_tracker.mentoring.services import MentorSpec, PairingDetails
from school_tracker.mentoring.session_log import SessionDetails
from school_tracker.models import (
    AdultRelationship,
    MeetingFrequency,
    MentorKind,
    PairingOutcome,
)
from school_tracker.records import pickers
from school_tracker.records.priorities import priority_choices

GOALS_MAX = 2000
NOTES_MAX = 5000


class _Bounds(TypedDict):
    minimum: int
    maximum: int
    range_message: str


WELLBEING = _Bounds(minimum=1, maximum=5, range_message="Wellbeing is a score from 1 to 5.")


def _int_or_none(value: str | None) -> int | None:
    return int(value) if value else None


class _Labelled(Protocol):
    @property
    def value(self) -> str: ...

    @property
    def label(self) -> str: ...


def _enum_choices(enum_cls: Iterable[_Labelled], blank: str | None = None) -> list[SelectChoice]:
    pairs = [(member.value, member.label) for member in enum_cls]
    return choices(([("", blank)] if blank else []) + pairs)


class PairingForm(ChangeReasonMixin, VersionedForm):
    """Start or edit a pairing; the mentee is fixed once a pairing exists."""

    mentee = SelectField("Mentee (pupil)", validate_choice=True, render_kw=pickers.PUPIL_PICKER)
    mentor_kind = SelectField(
        "Who is the mentor?",
        choices=_enum_choices(MentorKind),
        validate_choice=True,
        description="Then fill in the matching mentor field below; the others are ignored.",
    )
    mentor_user = SelectField("Staff mentor", validate_choice=True, render_kw=pickers.STAFF_PICKER)
    mentor_name = TrimmedStringField(
        "Adult mentor's name", validators=[Optional(), Length(max=120), NameText()]
    )
    mentor_relationship = SelectField(
        "Adult mentor's relationship to the school",
        choices=_enum_choices(AdultRelationship, "Choose a relationship"),
        validate_choice=True,
    )
    mentor_pupil = SelectField(
        "Peer mentor (pupil)", validate_choice=True, render_kw=pickers.PUPIL_PICKER
    )
    mentee_goals = TextAreaField(
        "What the mentee wants from mentoring",
        validators=[DataRequired("Say what the mentee wants."), *LongText(GOALS_MAX)],
    )
    mentor_goals = TextAreaField(
        "What the mentor hopes to learn",
        validators=[DataRequired("Say what the mentor hopes to learn."), *LongText(GOALS_MAX)],
    )
    priorities = MultiCheckboxField("AfA priorities", default=["P1"])
    starts_on = RecordDateField("Start date", validators=[InputRequired("Give the start date.")])
    planned_end_on = RecordDateField("Planned end date (optional)", validators=[Optional()])
    frequency = SelectField(
        "How often you plan to meet",
        choices=_enum_choices(MeetingFrequency),
        default=MeetingFrequency.WEEKLY.value,
        validate_choice=True,
    )
    submit = SubmitField("Save pairing")

    def __init__(
        self, school_id: int, *args: Any, keep_pupils: Iterable[int | None] = (), **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        pupils = pickers.pupil_select_choices(school_id, keep=keep_pupils)
        self.mentee.choices = pupils
        self.mentor_pupil.choices = pickers.pupil_select_choices(
            school_id, "No peer mentor", keep_pupils
        )
        self.mentor_user.choices = pickers.staff_select_choices(school_id, "No staff mentor")
        self.priorities.choices = choices(priority_choices())

    def validate(self, extra_validators: Mapping[str, Sequence[Any]] | None = None) -> bool:
        """Field checks, then the mentor that matches the chosen kind and the date order."""
        ok = super().validate(extra_validators)
        problems = self._cross_field_problems()
        for field, message in problems:
            add_error(field, message)
        return ok and not problems

    def _cross_field_problems(self) -> list[tuple[Field, str]]:
        problems: list[tuple[Field, str]] = []
        mentee = self.mentee.data if "mentee" in self else None
        if "mentee" in self and not mentee:
            problems.append((self.mentee, "Choose the pupil being mentored."))
        kind = self.mentor_kind.data
        needed = {
            MentorKind.STAFF.value: (self.mentor_user, "Choose the staff mentor."),
            MentorKind.PEER.value: (self.mentor_pupil, "Choose the peer mentor."),
            MentorKind.ADULT.value: (self.mentor_name, "Give the adult mentor's name."),
        }.get(kind)
        if needed and not needed[0].data:
            problems.append(needed)
        if kind == MentorKind.ADULT.value and not self.mentor_relationship.data:
            problems.append((self.mentor_relationship, "Say how the adult knows the school."))
        if kind == MentorKind.PEER.value and mentee and mentee == self.mentor_pupil.data:
            problems.append((self.mentor_pupil, "A pupil can't mentor themselves."))
        if not self.priorities.data:
            problems.append((self.priorities, "Link at least one priority."))
        start, end = self.starts_on.data, self.planned_end_on.data
        if start and end and end < start:
            problems.append((self.planned_end_on, "The planned end can't be before the start."))
        return problems

    def mentor_spec(self) -> MentorSpec:
        """Only the fields of the chosen kind of mentor (the rest are ignored, R23)."""
        kind = MentorKind(self.mentor_kind.data)
        if kind is MentorKind.STAFF:
            return MentorSpec(kind, user_id=_int_or_none(self.mentor_user.data))
        if kind is MentorKind.PEER:
            return MentorSpec(kind, pupil_id=_int_or_none(self.mentor_pupil.data))
        relationship = self.mentor_relationship.data
        return MentorSpec(
            kind,
            name=self.mentor_name.data,
            relationship=AdultRelationship(relationship) if relationship else None,
        )

    def details(self) -> PairingDetails:
        """The validated values for the service."""
        return PairingDetails(
            mentor=self.mentor_spec(),
            mentee_goals=required_data(self.mentee_goals.data),
            mentor_goals=required_data(self.mentor_goals.data),
            priority_codes=tuple(self.priorities.data or ()),
            starts_on=required_data(self.starts_on.data),
            planned_end_on=self.planned_end_on.data,
            frequency=MeetingFrequency(self.frequency.data),
        )


class StatusForm(VersionedForm):
    """Pause or resume: a button carrying the version the page showed."""


class EndForm(VersionedForm):
    """End a pairing with an outcome."""

    outcome = SelectField(
        "Outcome",
        choices=_enum_choices(PairingOutcome, "Choose an outcome"),
        validators=[DataRequired("Choose an outcome.")],
        validate_choice=True,
    )
    ended_on = RecordDateField("Date it ended", validators=[InputRequired("Give the end date.")])
    outcome_notes = TextAreaField(
        "What changed, in a few words (optional)", validators=[Optional(), *LongText(GOALS_MAX)]
    )
    submit = SubmitField("End pairing")


class SessionFields:
    """What a session records: shared by logging one and correcting one."""

    held_on = RecordDateField("Date of the session", validators=[InputRequired("Give the date.")])
    minutes = BoundedIntegerField(
        "Length in minutes",
        [InputRequired("Give the length in minutes.")],
        minimum=1,
        maximum=600,
        range_message="Minutes must be between 1 and 600.",
    )
    activities = TextAreaField(
        "What we did",
        validators=[DataRequired("Say what you did."), *LongText(NOTES_MAX)],
    )
    mentee_voice = TextAreaField(
        "Mentee's voice",
        description="What the mentee said, in their own words.",
        validators=[Optional(), *LongText(NOTES_MAX)],
    )
    mentor_reflection = TextAreaField(
        "Mentor's reflection",
        description="What you noticed or learned yourself.",
        validators=[Optional(), *LongText(NOTES_MAX)],
    )
    wellbeing_start = BoundedIntegerField(
        "Wellbeing at the start (1 to 5, optional)",
        [Optional()],
        description="1 is very low, 5 is very good.",
        **WELLBEING,
    )
    wellbeing_end = BoundedIntegerField(
        "Wellbeing at the end (1 to 5, optional)", [Optional()], **WELLBEING
    )

    def details(self) -> SessionDetails:
        """The validated values for the service."""
        return SessionDetails(
            held_on=required_data(self.held_on.data),
            minutes=required_data(self.minutes.data),
            activities=required_data(self.activities.data),
            mentee_voice=self.mentee_voice.data,
            mentor_reflection=self.mentor_reflection.data,
            wellbeing_start=self.wellbeing_start.data,
            wellbeing_end=self.wellbeing_end.data,
        )


class SessionForm(SessionFields, OnceForm):
    """Log one mentoring session."""

    submit = SubmitField("Save session")


class SessionCorrectionForm(SessionFields, ChangeReasonMixin, VersionedForm):
    """Correct a logged session (its author or a leader, within 14 days)."""

    submit = SubmitField("Save correction")
