"""Scanned papers of dossiers: their files, and the state of their upload to the central."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, literal_column, select, update
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnClause

from counter_app.storage.models import (
    ATTACHMENT_FAILED,
    ATTACHMENT_ON_CENTRAL,
    ATTACHMENT_PENDING,
    ATTACHMENT_PULLED,
    AttachmentRow,
)


@dataclass(frozen=True)
class Attachment:
    """A stored attachment of one paper: its PDF (by SHA-256; "" for an exemption) and its upload's state."""

    uuid: str
    dossier_uuid: str
    paper_position: int
    paper_name: str
    sha256: str
    pages: int
    size: int
    exempt_reason: str
    created_at: datetime
    clerk: str
    sync_state: int = ATTACHMENT_PENDING
    uploaded_bytes: int = 0
    sync_error: str = ""

    @property
    def on_central(self) -> bool:
        """The central holds its file (uploaded from here, or digitised at another counter)."""
        return self.sync_state in ATTACHMENT_ON_CENTRAL

    @property
    def pulled(self) -> bool:
        """Digitised at another counter: its file is here only once fetched from the central."""
        return self.sync_state == ATTACHMENT_PULLED


_FIELDS = tuple(Attachment.__dataclass_fields__)


def _attachment(row: AttachmentRow) -> Attachment:
    return Attachment(**{name: getattr(row, name) for name in _FIELDS})


class AttachmentRepository:
    """Rows of scanned papers; a paper's current attachment is its latest row (earlier ones stay as history)."""

    # created_at has one-second precision and a drill clock stands still: SQLite's rowid orders ties by insertion
    _INSERTED: ColumnClause[Any] = literal_column("attachment.rowid")

    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, attachment: Attachment) -> None:
        self.session.add(AttachmentRow(**{name: getattr(attachment, name) for name in _FIELDS}))

    def for_dossier(self, dossier_uuid: str) -> list[Attachment]:
        """Every row of a dossier, by paper, oldest first."""
        return self._read(
            select(AttachmentRow)
            .where(AttachmentRow.dossier_uuid == dossier_uuid)
            .order_by(AttachmentRow.paper_position, AttachmentRow.created_at, self._INSERTED)
        )

    def current(self, dossier_uuid: str) -> dict[int, Attachment]:
        """The latest row of each paper of a dossier, by paper position."""
        return {row.paper_position: row for row in self.for_dossier(dossier_uuid)}

    def stored(self) -> list[Attachment]:
        """Every row that names a stored file (not exemptions), oldest first."""
        return self._read(
            select(AttachmentRow).where(AttachmentRow.sha256 != "").order_by(AttachmentRow.created_at, self._INSERTED)
        )

    def with_sha(self, sha256: str) -> list[Attachment]:
        return self._read(select(AttachmentRow).where(AttachmentRow.sha256 == sha256))

    def pending_uploads(self) -> list[Attachment]:
        return self._read(
            select(AttachmentRow)
            .where(AttachmentRow.sha256 != "", AttachmentRow.sync_state.in_((ATTACHMENT_PENDING, ATTACHMENT_FAILED)))
            .order_by(AttachmentRow.created_at, self._INSERTED)
        )

    def _read(self, query: Select[tuple[AttachmentRow]]) -> list[Attachment]:
        return [_attachment(row) for row in self.session.scalars(query)]

    def set_sync_state(self, sha256: str, state: int, *, uploaded_bytes: int, error: str = "") -> int:
        """Set the upload state of every row of one stored file; returns how many rows changed."""
        result = self.session.execute(
            update(AttachmentRow)
            .where(AttachmentRow.sha256 == sha256)
            .values(sync_state=state, uploaded_bytes=uploaded_bytes, sync_error=error)
        )
        return int(getattr(result, "rowcount", 0) or 0)
