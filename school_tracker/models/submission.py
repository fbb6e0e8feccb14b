"""Form submissions already accepted, so a double-click or a resent POST saves once (R85)."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from school_tracker.extensions import Model
from school_tracker.orm import UTCDateTime, utcnow


class FormSubmission(Model):
    """One accepted POST: who, which path (endpoint and record), and a hash of its CSRF token."""

    __tablename__ = "form_submissions"
    __table_args__ = (
        sa.UniqueConstraint("user_id", "endpoint", "token_hash", name="uq_form_submissions_once"),
        sa.Index("ix_form_submissions_user_at", "user_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    endpoint: Mapped[str] = mapped_column(sa.String(120))
    token_hash: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
