"""Pupil and staff pickers, and the lookups that check a picked id, always inside one school."""

from collections.abc import Iterable
from typing import Any, Protocol

import sqlalchemy as sa
from flask_wtf import FlaskForm
from wtforms import SelectField, SubmitField

# types-WTForms 3.2 predates SelectChoice (WTForms 3.3); to mypy it is Any.
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]
from wtforms.validators import InputRequired

from school_tracker.extensions import db
from school_tracker.forms import choices
from school_tracker.models import Pupil, User, YearGroup
from school_tracker.permissions import STAFF_AND_LEADERS

# render_kw for a field that picks pupils or staff: static/js/pickers.js makes it type-ahead,
# and without JavaScript the plain control works as before (docs/everyday-logging.md).
PUPIL_PICKER = {"data-picker": "pupil"}
STAFF_PICKER = {"data-picker": "staff"}


class PupilNameRow(Protocol):
    """A pupil, or just the columns a label needs (pickers load no more than these)."""

    legal_surname: str
    legal_forename: str
    preferred_forename: str | None
    year_group: YearGroup


def pupil_label(pupil: PupilNameRow) -> str:
    """`Surname, Forename (Year 3)`, as the MIS lists pupils."""
    forename = pupil.preferred_forename or pupil.legal_forename
    return f"{pupil.legal_surname}, {forename} ({pupil.year_group.label})"


def pupil_choices(school_id: int, include_ids: Iterable[int] = ()) -> list[tuple[int, str]]:
    """The school's on-roll pupils (plus any already chosen, even if they have left)."""
    include = list(include_ids)
    scope: sa.ColumnElement[bool] = Pupil.leaving_date.is_(None)
    if include:
        scope = sa.or_(scope, Pupil.id.in_(include))
    # Only the label's columns: a secondary school's roll as full rows cost ~30 ms a form.
    pupils = db.session.execute(
        sa.select(
            Pupil.id,
            Pupil.legal_surname,
            Pupil.legal_forename,
            Pupil.preferred_forename,
            Pupil.year_group,
        )
        .where(Pupil.school_id == school_id, scope)
        .order_by(Pupil.legal_surname, Pupil.legal_forename, Pupil.id)
    )
    return [(pupil.id, pupil_label(pupil)) for pupil in pupils]


def pupil_select_choices(
    school_id: int, blank: str = "Choose a pupil", keep: Iterable[int | None] = ()
) -> list[SelectChoice]:
    """A select's choices: a blank, then the on-roll pupils (plus any already chosen in `keep`)."""
    kept = [pupil_id for pupil_id in keep if pupil_id]
    pairs = pupil_choices(school_id, include_ids=kept)
    return choices([("", blank)] + [(str(pupil_id), label) for pupil_id, label in pairs])


def staff_select_choices(
    school_id: int, blank: str = "Choose a member of staff"
) -> list[SelectChoice]:
    """A select's choices: a blank, then the school's active staff and leaders."""
    pairs = staff_choices(school_id)
    return choices([("", blank)] + [(str(user_id), name) for user_id, name in pairs])


class ChoosePupilForm(FlaskForm):
    """Pick the pupil first, so the next form can show what applies to them (e.g. the duties)."""

    pupil = SelectField(
        "Pupil",
        coerce=int,
        validators=[InputRequired("Choose a pupil.")],
        render_kw=PUPIL_PICKER,
    )
    submit = SubmitField("Continue")

    def __init__(self, school_id: int, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.pupil.choices = choices(pupil_choices(school_id))


def staff_choices(school_id: int, include_ids: Iterable[int] = ()) -> list[tuple[int, str]]:
    """The school's active staff and leaders (plus any already chosen, even if deactivated)."""
    include = list(include_ids)
    scope = sa.and_(User.active.is_(True), User.role.in_(STAFF_AND_LEADERS))
    if include:
        scope = sa.or_(scope, User.id.in_(include))
    users = db.session.execute(
        sa.select(User.id, User.full_name)
        .where(User.school_id == school_id, scope)
        .order_by(User.full_name, User.id)
    )
    return [(user.id, user.full_name) for user in users]


def school_pupil(school_id: int, pupil_id: int | None, *, on_roll: bool = True) -> Pupil | None:
    """The pupil if they belong to the school (and are on roll, unless told otherwise)."""
    if pupil_id is None:
        return None
    stmt = sa.select(Pupil).where(Pupil.id == pupil_id, Pupil.school_id == school_id)
    if on_roll:
        stmt = stmt.where(Pupil.leaving_date.is_(None))
    return db.session.scalar(stmt)


def school_staff(school_id: int, user_id: int | None) -> User | None:
    """An active staff member or leader of the school, or None."""
    if user_id is None:
        return None
    return db.session.scalar(
        sa.select(User).where(
            User.id == user_id,
            User.school_id == school_id,
            User.active.is_(True),
            User.role.in_(STAFF_AND_LEADERS),
        )
    )
