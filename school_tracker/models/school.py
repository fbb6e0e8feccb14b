"""The trust, its schools and each school's own term dates."""

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from school_tracker.extensions import Model
from school_tracker.orm import UTCDateTime, utcnow


class Trust(Model):
    """A deployment holds one trust (a single school is a trust of one)."""

    __tablename__ = "trusts"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    schools: Mapped[list["School"]] = relationship(back_populates="trust")


class School(Model):
    """A school: every pupil-level row belongs to exactly one."""

    __tablename__ = "schools"

    id: Mapped[int] = mapped_column(primary_key=True)
    trust_id: Mapped[int] = mapped_column(sa.ForeignKey("trusts.id"), index=True)
    slug: Mapped[str] = mapped_column(sa.String(60), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    # Signs the letters to parents (issue 16); blank until an admin sets it.
    head_teacher: Mapped[str] = mapped_column(sa.String(120), default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    trust: Mapped[Trust] = relationship(back_populates="schools")


class TermDate(Model):
    """A school's own dates for one term, overriding the DfE-statistics defaults."""

    __tablename__ = "term_dates"
    __table_args__ = (
        sa.UniqueConstraint("school_id", "term_key", name="uq_term_dates_school_term"),
        sa.CheckConstraint("ends_on >= starts_on", name="ends_after_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(sa.ForeignKey("schools.id"))
    term_key: Mapped[str] = mapped_column(sa.String(20))
    starts_on: Mapped[date] = mapped_column(sa.Date)
    ends_on: Mapped[date] = mapped_column(sa.Date)
