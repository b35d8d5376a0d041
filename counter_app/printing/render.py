"""One entry point for every printed document: `render_document(doc)` picks the form from the data's type."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any, Final

from counter_app.printing.apology import render_apology
from counter_app.printing.book import render_book
from counter_app.printing.control import render_control_slip
from counter_app.printing.data import (
    ApologyData,
    BookData,
    ControlSlipData,
    Document,
    FeeReceiptData,
    PageSize,
    ReceiptData,
    RefusalData,
    SupplementData,
    WithdrawalData,
)
from counter_app.printing.fee_receipt import render_fee_receipt
from counter_app.printing.receipt import render_receipt
from counter_app.printing.refusal import render_refusal
from counter_app.printing.supplement import render_supplement
from counter_app.printing.withdrawal import render_withdrawal

_RENDERERS: Final[dict[type[Any], Callable[[Any], bytes]]] = {
    ReceiptData: render_receipt,
    SupplementData: render_supplement,
    RefusalData: render_refusal,
    ApologyData: render_apology,
    WithdrawalData: render_withdrawal,
    ControlSlipData: render_control_slip,
    FeeReceiptData: render_fee_receipt,
    BookData: render_book,
}


def render_document(doc: Document, *, page_size: PageSize | None = None) -> bytes:
    """The PDF of `doc`; `page_size` overrides the size recorded in the data."""
    renderer = _RENDERERS.get(type(doc))
    if renderer is None:
        raise TypeError(f"no printed form for {type(doc).__name__}")
    if page_size is not None and page_size != doc.page_size:
        doc = dataclasses.replace(doc, page_size=page_size)
    return renderer(doc)
