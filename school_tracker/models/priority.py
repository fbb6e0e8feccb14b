"""The Achievement for All priorities: reference data with fixed codes."""

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from school_tracker.extensions import Model


class Priority(Model):
    """One AfA manifesto priority (P1, P2, P3, P4a, P4b, P5)."""

    __tablename__ = "priorities"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(4), unique=True)
    title: Mapped[str] = mapped_column(sa.String(80))
    description: Mapped[str] = mapped_column(sa.String(400))
    sort_order: Mapped[int] = mapped_column()
