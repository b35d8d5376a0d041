"""The documents the desk prints: each kind's number symbol, history name, form number and title per rule set."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType
from typing import Final

from counter_app.errors import ValidationError


class DocumentKind(StrEnum):
    """The documents the desk prints; the value is what `document.kind`, event payloads and the CLI hold."""

    RECEIPT = "receipt"
    SUPPLEMENT = "supplement"
    REFUSAL = "refusal"
    APOLOGY = "apology"
    WITHDRAWAL = "withdrawal"
    CONTROL = "control"
    FEE_RECEIPT = "fee"
    BOOK = "book"


@dataclass(frozen=True, slots=True)
class FormInfo:
    """How one rule set numbers and names a form; `number` is empty when the rule set has no such form."""

    number: str
    title: str
    symbol: str  # the part after "/" in "Số: …/<symbol>"


# The symbol of each kind's numbers ("Số: 100012/PBS"), the same under every rule set: a document's sequence is
# kept per symbol, so a symbol per rule set would start a second series. Mẫu 01–04, 06 and 07 carry their legal
# symbols (Thông tư 03/2025/TT-VPCP). Mẫu 05 has no symbol in the sources we found and the fee receipt is the
# application's own form (not the Ministry of Finance's controlled "biên lai thu phí, lệ phí"): for those two
# the symbols already issued and stored (TBD, BLP) are kept, so that no printed number changes meaning, no
# sequence restarts and no recorded, hash-chained event has to be rewritten.
SYMBOLS: Final[MappingProxyType[DocumentKind, str]] = MappingProxyType(
    {
        DocumentKind.RECEIPT: "TTPVHCC",
        DocumentKind.SUPPLEMENT: "PBS",
        DocumentKind.REFUSAL: "PTC",
        DocumentKind.APOLOGY: "PXL",
        DocumentKind.WITHDRAWAL: "TBD",
        DocumentKind.CONTROL: "PKS",
        DocumentKind.FEE_RECEIPT: "BLP",
        DocumentKind.BOOK: "STD",
    }
)

# The name a printed document has in the dossier's history ("title" of document.printed events; the dossier
# screen recognises printed kinds by it), whatever the rule set.
HISTORY_TITLES: Final[MappingProxyType[DocumentKind, str]] = MappingProxyType(
    {
        DocumentKind.RECEIPT: "Giấy tiếp nhận hồ sơ và hẹn trả kết quả",
        DocumentKind.SUPPLEMENT: "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ",
        DocumentKind.REFUSAL: "Phiếu từ chối tiếp nhận giải quyết hồ sơ",
        DocumentKind.APOLOGY: "Phiếu xin lỗi và đề nghị gia hạn thời gian giải quyết",
        DocumentKind.WITHDRAWAL: "Thông báo dừng giải quyết hồ sơ",
        DocumentKind.CONTROL: "Phiếu kiểm soát quá trình giải quyết hồ sơ",
        DocumentKind.FEE_RECEIPT: "Biên nhận thu phí, lệ phí",
        DocumentKind.BOOK: "Sổ theo dõi hồ sơ",
    }
)

# The documents printed for one dossier (the tracking book is printed per volume, not per dossier).
DOSSIER_DOCUMENTS: Final = tuple(kind for kind in DocumentKind if kind is not DocumentKind.BOOK)


def _forms(numbers_and_titles: dict[DocumentKind, tuple[str, str]]) -> MappingProxyType[DocumentKind, FormInfo]:
    return MappingProxyType(
        {kind: FormInfo(number, title, SYMBOLS[kind]) for kind, (number, title) in numbers_and_titles.items()}
    )


# The application's own receipt: a local form with no number in either circular.
_FEE_RECEIPT = ("", "BIÊN NHẬN THU PHÍ, LỆ PHÍ")

RULE_SETS: Final[MappingProxyType[str, MappingProxyType[DocumentKind, FormInfo]]] = MappingProxyType(
    {
        "TT03-2025": _forms(
            {
                DocumentKind.RECEIPT: ("Mẫu 01", "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ"),
                DocumentKind.SUPPLEMENT: ("Mẫu 02", "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ"),
                DocumentKind.REFUSAL: ("Mẫu 03", "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ"),
                DocumentKind.APOLOGY: ("Mẫu 04", "PHIẾU XIN LỖI VÀ ĐỀ NGHỊ GIA HẠN THỜI GIAN GIẢI QUYẾT"),
                DocumentKind.WITHDRAWAL: ("Mẫu 05", "THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ"),
                DocumentKind.CONTROL: ("Mẫu 06", "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ"),
                DocumentKind.FEE_RECEIPT: _FEE_RECEIPT,
                DocumentKind.BOOK: ("Mẫu 07", "SỔ THEO DÕI HỒ SƠ"),
            }
        ),
        "TT01-2018": _forms(
            {
                DocumentKind.RECEIPT: ("Mẫu 01", "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ"),
                DocumentKind.SUPPLEMENT: ("Mẫu 02", "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ"),
                DocumentKind.REFUSAL: ("Mẫu 03", "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ"),
                DocumentKind.APOLOGY: ("Mẫu 04", "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ"),
                # 01/2018 had six forms and no stop notice
                DocumentKind.WITHDRAWAL: ("", "THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ"),
                DocumentKind.CONTROL: ("Mẫu 05", "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ"),
                DocumentKind.FEE_RECEIPT: _FEE_RECEIPT,
                DocumentKind.BOOK: ("Mẫu 06", "SỔ THEO DÕI HỒ SƠ"),
            }
        ),
    }
)


def form_info(rule_set: str, kind: DocumentKind) -> FormInfo:
    """The number, title and symbol of `kind` under `rule_set`."""
    forms = RULE_SETS.get(rule_set)
    if forms is None:
        known = ", ".join(RULE_SETS)
        raise ValidationError("rule_set", f"Bộ quy định biểu mẫu “{rule_set}” không được hỗ trợ (chỉ có: {known}).")
    return forms[kind]


def document_kind(value: str) -> DocumentKind | None:
    """The kind named `value` (as stored or typed), None for a name that is no document kind."""
    try:
        return DocumentKind(value)
    except ValueError:
        return None
