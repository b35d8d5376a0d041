"""SQLAlchemy model of the administration log: who changed the catalogue or the calendar, from what to what.

Registered on the same metadata as storage.models (migrations/env.py imports this module so Alembic sees it).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from counter_app.storage.models import Base
from counter_app.storage.types import VnDateTime


class AdminEventRow(Base):
    """One change of shared reference data: a procedure saved or deactivated, a calendar year imported, or the
    central's version applied over the local one. `before`/`after` hold the JSON of the data ("" when none)."""

    __tablename__ = "admin_event"
    __table_args__ = (
        Index("ix_admin_event_subject", "subject", "occurred_at"),
        Index("ix_admin_event_occurred", "occurred_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)  # the local order
    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    occurred_at: Mapped[datetime] = mapped_column(VnDateTime())
    kind: Mapped[str] = mapped_column(String(40))
    subject: Mapped[str] = mapped_column(String(60))  # "procedure:<code>" or "calendar:<year>"
    source: Mapped[str] = mapped_column(String(10), default="local")  # local | central
    clerk: Mapped[str] = mapped_column(String(100), default="")
    role: Mapped[str] = mapped_column(String(20), default="")
    agency_code: Mapped[str] = mapped_column(String(40), default="")
    counter: Mapped[int] = mapped_column(Integer, default=0)
    before: Mapped[str] = mapped_column(Text, default="")
    after: Mapped[str] = mapped_column(Text, default="")
