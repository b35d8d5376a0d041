"""What follows a print the printer accepted: the print recorded in the dossier, the printer remembered."""

from __future__ import annotations

from counter_app.services.common.changes import Changes
from counter_app.services.documents.printed_documents import DocumentService
from counter_app.services.installation.counter_profile import CounterProfileService


class PrintRecordService:
    def __init__(self, documents: DocumentService, profile: CounterProfileService) -> None:
        self.documents = documents
        self.profile = profile

    def record_printed(self, document_uuid: str, kind: str, printer: str, pages: int) -> Changes:
        """Count the print and record it in the dossier's history, then remember the printer for this kind.

        One task on the window's write worker (it used to be two writes from the reading pool)."""
        self.documents.record_sent_to_printer(document_uuid, printer, pages)
        return self.profile.remember_printer(kind, printer)
