"""What a scanned text is: an ID card's QR, a dossier code or slip number, or nothing the desk knows."""

from __future__ import annotations

from typing import Literal

ScanKind = Literal["id_card", "dossier", "unknown"]


def scan_kind(text: str) -> ScanKind:
    """The kind of a scanned text (already stripped)."""
    from counter_app.domain.citizen import looks_like_id_card_qr
    from counter_app.domain.codes import looks_like_dossier_code

    if looks_like_id_card_qr(text):
        return "id_card"
    if looks_like_dossier_code(text) or is_slip_number(text):
        return "dossier"
    return "unknown"


def is_slip_number(text: str) -> bool:
    from counter_app.domain.codes import DocumentNumber
    from counter_app.errors import ValidationError

    try:
        DocumentNumber.parse_slip(text)
    except ValidationError:
        return False
    return True


def is_supplement_slip(text: str) -> bool:
    """A Mẫu 02 slip's number (what its barcode encodes)."""
    from counter_app.domain.document_kinds import SYMBOLS, DocumentKind

    return is_slip_number(text) and text.strip().upper().startswith(f"{SYMBOLS[DocumentKind.SUPPLEMENT]}-")
