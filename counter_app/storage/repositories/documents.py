"""Printed documents: what was printed for a dossier, with its number, its archived PDF and its print counts."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from counter_app.storage.models import DocumentRow


@dataclass(frozen=True)
class PrintedDocument:
    """A document made for a dossier: its number (as printed), where its PDF is archived, how often printed."""

    uuid: str
    dossier_uuid: str
    kind: str
    number: str
    number_key: str  # agency + year + kind + number: unique
    created_at: datetime
    path: str = ""
    print_count: int = 0
    reprint_count: int = 0


def _document(row: DocumentRow) -> PrintedDocument:
    return PrintedDocument(
        uuid=row.uuid,
        dossier_uuid=row.dossier_uuid,
        kind=row.kind,
        number=row.number,
        number_key=row.number_key,
        created_at=row.created_at,
        path=row.path,
        print_count=row.print_count,
        reprint_count=row.reprint_count,
    )


class DocumentRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, document: PrintedDocument) -> None:
        self.session.add(DocumentRow(**asdict(document)))

    def latest(self, dossier_uuid: str, kind: str) -> PrintedDocument | None:
        row = self.session.scalars(
            select(DocumentRow)
            .where(DocumentRow.dossier_uuid == dossier_uuid, DocumentRow.kind == kind)
            .order_by(DocumentRow.created_at.desc())
        ).first()
        return _document(row) if row else None

    def get(self, uuid: str) -> PrintedDocument | None:
        row = self.session.get(DocumentRow, uuid)
        return _document(row) if row else None

    def number_used(self, agency_code: str, year: int, kind: str, number: str) -> bool:
        """Whether a document of this kind already carries `number` (as printed after "Số:") in that year."""
        prefix = f"{agency_code}:{year}:{kind}:{number}:"
        query = select(DocumentRow.uuid).where(DocumentRow.number_key.startswith(prefix, autoescape=True)).limit(1)
        return self.session.scalar(query) is not None

    def record_reprint(self, uuid: str, reprint_count: int, path: str) -> None:
        """A reprint made: its number among the reprints, and the archived PDF now current."""
        row = self.session.get(DocumentRow, uuid)
        if row is not None:
            row.reprint_count, row.path = reprint_count, path

    def count_print(self, uuid: str) -> None:
        """A printer accepted the document once more."""
        row = self.session.get(DocumentRow, uuid)
        if row is not None:
            row.print_count += 1
