"""Form numbers, titles and number symbols of each rule set (Thông tư 03/2025/TT-VPCP, Thông tư 01/2018/TT-VPCP)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType
from typing import Final

from counter_app.errors import ValidationError


class FormKind(StrEnum):
    """The documents the desk prints."""

    RECEIPT = "receipt"
    SUPPLEMENT = "supplement"
    REFUSAL = "refusal"
    APOLOGY = "apology"
    WITHDRAWAL = "withdrawal"
    CONTROL = "control"
    BOOK = "book"
    FEE_RECEIPT = "fee_receipt"


@dataclass(frozen=True, slots=True)
class FormInfo:
    """How one rule set numbers and names a form; `number` is empty when the rule set has no such form."""

    number: str
    title: str
    symbol: str  # the part after "/" in "Số: …/<symbol>"


# The application's own receipt, not the Ministry of Finance's "biên lai thu phí, lệ phí" (a controlled form with
# its own series, issued by the fee collector): a local form with no number in either circular.
_FEE_RECEIPT = FormInfo("", "BIÊN NHẬN THU PHÍ, LỆ PHÍ", "BLTP")

# Mẫu 05 of TT 03/2025 has no symbol in the sources we found; "TBDG" is a product choice an office may change.
RULE_SETS: Final[MappingProxyType[str, MappingProxyType[FormKind, FormInfo]]] = MappingProxyType(
    {
        "TT03-2025": MappingProxyType(
            {
                FormKind.RECEIPT: FormInfo("Mẫu 01", "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ", "TTPVHCC"),
                FormKind.SUPPLEMENT: FormInfo("Mẫu 02", "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ", "PBS"),
                FormKind.REFUSAL: FormInfo("Mẫu 03", "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ", "PTC"),
                FormKind.APOLOGY: FormInfo("Mẫu 04", "PHIẾU XIN LỖI VÀ ĐỀ NGHỊ GIA HẠN THỜI GIAN GIẢI QUYẾT", "PXL"),
                FormKind.WITHDRAWAL: FormInfo("Mẫu 05", "THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ", "TBDG"),
                FormKind.CONTROL: FormInfo("Mẫu 06", "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ", "PKS"),
                FormKind.BOOK: FormInfo("Mẫu 07", "SỔ THEO DÕI HỒ SƠ", "STD"),
                FormKind.FEE_RECEIPT: _FEE_RECEIPT,
            }
        ),
        "TT01-2018": MappingProxyType(
            {
                FormKind.RECEIPT: FormInfo("Mẫu 01", "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ", "TTPVHCC"),
                FormKind.SUPPLEMENT: FormInfo("Mẫu 02", "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ", "PBS"),
                FormKind.REFUSAL: FormInfo("Mẫu 03", "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ", "PTC"),
                FormKind.APOLOGY: FormInfo("Mẫu 04", "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ", "PXL"),
                # 01/2018 had six forms and no stop notice
                FormKind.WITHDRAWAL: FormInfo("", "THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ", "TBDG"),
                FormKind.CONTROL: FormInfo("Mẫu 05", "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ", "PKS"),
                FormKind.BOOK: FormInfo("Mẫu 06", "SỔ THEO DÕI HỒ SƠ", "STD"),
                FormKind.FEE_RECEIPT: _FEE_RECEIPT,
            }
        ),
    }
)


def form_info(rule_set: str, kind: FormKind) -> FormInfo:
    """The number, title and symbol of `kind` under `rule_set`."""
    forms = RULE_SETS.get(rule_set)
    if forms is None:
        known = ", ".join(RULE_SETS)
        raise ValidationError("rule_set", f"Bộ quy định biểu mẫu “{rule_set}” không được hỗ trợ (chỉ có: {known}).")
    return forms[kind]
