"""The kinds of event the counter records, one vocabulary for the fold, storage, sync, services and the central."""

from __future__ import annotations

from enum import StrEnum


class EventKind(StrEnum):
    """What happened; the value is the text stored in `event.kind` and sent to the central, never changed."""

    # the opening of a record: a dossier taken in, or a slip written at the counter (Mẫu 02, Mẫu 03)
    DOSSIER_ACCEPTED = "dossier.accepted"
    SLIP_SUPPLEMENT = "slip.supplement"
    SLIP_REFUSED = "slip.refused"
    # a Mẫu 02 slip completed: the applicant came back and the dossier was taken in (its own code, its own UUID)
    SLIP_COMPLETED = "slip.completed"
    # the dossier's way through processing
    TRANSFERRED = "dossier.transferred"
    SUPPLEMENT_REQUESTED = "dossier.supplement_requested"
    SUPPLEMENT_RECEIVED = "dossier.supplement_received"
    PAYMENT_REQUESTED = "dossier.payment_requested"
    PAYMENT_RECEIVED = "dossier.payment_received"
    RESULT_READY = "dossier.result_ready"
    HANDED_OVER = "dossier.handed_over"
    WITHDRAWN = "dossier.withdrawn"
    STOPPED = "dossier.stopped"
    VOIDED = "dossier.voided"
    CORRECTED = "dossier.corrected"
    REAPPOINTED = "dossier.reappointed"
    FLAGGED = "dossier.flagged"
    # its papers and printed documents
    DOCUMENT_PRINTED = "document.printed"
    DOCUMENT_SENT_TO_PRINTER = "document.sent_to_printer"
    ATTACHMENT_ADDED = "attachment.added"
    ATTACHMENT_EXEMPTED = "attachment.exempted"
    # events of no dossier, kept in the audit chain: catalogue changes made at this counter, a replaced chain key
    PROCEDURE_SAVED = "catalogue.procedure_saved"
    PROCEDURE_DEACTIVATED = "catalogue.procedure_deactivated"
    KEY_REPLACED = "audit.key_replaced"
