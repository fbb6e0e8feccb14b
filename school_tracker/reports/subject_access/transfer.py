"""Transfer packs for leavers (R71): the form, recording a transfer, and its receipt."""

import sqlalchemy as sa
from flask import abort
from sqlalchemy.orm import selectinload
from wtforms.validators import DataRequired, Length

from school_tracker.audit import record_audit
from school_tracker.extensions import db
from school_tracker.forms import NameText, OnceForm, TrimmedStringField
from school_tracker.models import Pupil, TransferRecord, User
from school_tracker.orm import utcnow


class TransferForm(OnceForm):
    """Where the pack is going."""

    sent_to = TrimmedStringField(
        "Receiving school",
        validators=[
            DataRequired("Enter the name of the school the pupil is moving to."),
            Length(max=200),
            NameText(),
        ],
        description="The school's full name, e.g. Riverside Academy.",
    )


def record_transfer(pupil: Pupil, sent_to: str, *, by: User) -> TransferRecord:
    """Note that a transfer pack for `pupil` was produced for `sent_to` (audited)."""
    record = TransferRecord(
        school_id=pupil.school_id, pupil_id=pupil.id, created_by_id=by.id, sent_to=sent_to
    )
    db.session.add(record)
    db.session.flush()
    record_audit(
        by, "create", "transfer_record", record.id, school_id=pupil.school_id, pupil_id=pupil.id
    )
    return record


def confirm_receipt(record: TransferRecord, *, by: User) -> bool:
    """Record that the receiving school confirmed receipt; False if it already was."""
    if record.is_received:
        return False
    record.receipt_confirmed_at = utcnow()
    record.receipt_confirmed_by_id = by.id
    record_audit(
        by,
        "confirm_receipt",
        "transfer_record",
        record.id,
        school_id=record.school_id,
        pupil_id=record.pupil_id,
    )
    return True


def transfers_for(school_id: int, pupil_id: int) -> list[TransferRecord]:
    """Every transfer of one pupil, newest first."""
    return list(
        db.session.scalars(
            sa.select(TransferRecord)
            .where(TransferRecord.school_id == school_id, TransferRecord.pupil_id == pupil_id)
            .options(
                selectinload(TransferRecord.created_by),
                selectinload(TransferRecord.receipt_confirmed_by),
            )
            .order_by(TransferRecord.created_at.desc(), TransferRecord.id.desc())
        )
    )


def get_transfer_or_404(transfer_id: int, *, user: User) -> TransferRecord:
    """A transfer of the user's school; 404 for any other."""
    record = db.session.scalar(
        sa.select(TransferRecord).where(
            TransferRecord.id == transfer_id, TransferRecord.school_id == user.school_id
        )
    )
    if record is None:
        abort(404)
    return record


def recent_leavers(school_id: int, limit: int = 20) -> list[Pupil]:
    """The school's most recent leavers, for the reports page's transfer links."""
    return list(
        db.session.scalars(
            sa.select(Pupil)
            .where(Pupil.school_id == school_id, Pupil.leaving_date.is_not(None))
            .order_by(Pupil.leaving_date.desc(), Pupil.legal_surname, Pupil.id)
            .limit(limit)
        )
    )
