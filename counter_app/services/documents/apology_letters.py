"""The apology for a late dossier (Mẫu 04): the apology and the new appointment recorded, then the letter."""

from __future__ import annotations

from datetime import date

from counter_app.services.desk.late import LateService
from counter_app.services.documents.printed_documents import DocumentResult, DocumentService


class ApologyLetterService:
    def __init__(self, late: LateService, documents: DocumentService) -> None:
        self.late = late
        self.documents = documents

    def reappoint_with_letter(
        self, code: str, *, reason: str, new_date: date, delivered: str = "in_person"
    ) -> DocumentResult:
        """Record the apology and the one new date the law allows, then number, render and archive the letter
        for printing (one task of the write worker)."""
        self.late.reappoint(code, reason=reason, new_date=new_date, delivered=delivered)
        return self.documents.render(code, "apology")
