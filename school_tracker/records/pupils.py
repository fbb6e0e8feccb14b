"""The pupil a record is about, loaded inside the signed-in user's school.

Every feature starts its pupil pages here, with the one loader shape of the record framework:
`get_<thing>_or_404(thing_id, *, user)`.
"""

import sqlalchemy as sa
from flask import abort

from school_tracker.extensions import db
from school_tracker.models import Pupil, User


def get_pupil_or_404(pupil_id: int, *, user: User) -> Pupil:
    """The pupil if they belong to the user's school; 404 otherwise, so existence does not leak."""
    pupil = db.session.scalar(
        sa.select(Pupil).where(Pupil.id == pupil_id, Pupil.school_id == user.school_id)
    )
    if pupil is None:
        abort(404)
    return pupil


def get_on_roll_pupil_or_404(pupil_id: int, *, user: User) -> Pupil:
    """A pupil on the user's school roll; 404 for another school's, a left pupil or a bad id."""
    pupil = get_pupil_or_404(pupil_id, user=user)
    if not pupil.is_on_roll:
        abort(404)
    return pupil
