"""Frozen input records of the printed documents: what each form needs, already looked up by the caller."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

DEFAULT_RULE_SET = "TT03-2025"


class PageSize(StrEnum):
    """Paper sizes the desk prints on."""

    A4 = "A4"
    A5 = "A5"


@dataclass(frozen=True, slots=True, kw_only=True)
class OfficeHeader:
    """The issuing office as printed in the header of every form."""

    parent_authority: str  # e.g. "UBND PHƯỜNG SÀI GÒN"
    unit_name: str  # e.g. "TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG"
    place: str  # e.g. "Sài Gòn", printed as "<place>, ngày … tháng … năm …"
    drill: bool = False  # printed from a database for drills or training: every form says "BẢN DIỄN TẬP"


@dataclass(frozen=True, slots=True)
class Paper:
    """One paper of the dossier with how many originals (bản chính) and copies (bản sao) were handed in."""

    name: str
    originals: int
    copies: int


@dataclass(frozen=True, slots=True, kw_only=True)
class Filer:
    """A person filing on the applicant's behalf under an authorisation."""

    name: str
    identifier: str = ""
    phone: str = ""
    email: str = ""
    authorisation: str = ""  # e.g. "Giấy ủy quyền số 12/2026 ngày 01/3/2026"


@dataclass(frozen=True, slots=True, kw_only=True)
class Applicant:
    """The person or organisation a dossier is for, as the forms print them."""

    name: str
    identifier: str = ""  # personal identification number or tax code
    address: str = ""
    phone: str = ""
    email: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class FormData:
    """What every printed document has: who issues it, under which rule set, when, on which paper, as a reprint."""

    header: OfficeHeader
    rule_set: str = DEFAULT_RULE_SET
    issued_at: datetime
    reprint: bool = False
    reprint_number: int = 0  # the how-many-th reprint this is (1 for the first); 0: unknown or none
    page_size: PageSize = PageSize.A4


@dataclass(frozen=True, slots=True, kw_only=True)
class ReceiptData(FormData):
    """Mẫu 01: receipt of a complete dossier and appointment for the result (printed in two copies)."""

    number: str  # "Số", e.g. "100012/TTPVHCC"
    dossier_code: str
    receiving_unit: str
    deciding_agency: str
    applicant: Applicant
    filer: Filer | None = None
    procedure_name: str
    procedure_code: str = ""
    papers: tuple[Paper, ...] = ()
    sets_count: int = 1
    processing_days: int  # working days; 0 means the same day
    received_at: datetime
    due_at: datetime
    result_delivery: str = "Bộ phận Một cửa"
    book_volume: str = ""
    book_index: int | None = None
    fee: int = 0  # đồng
    fee_paid: bool = False
    qr_text: str = ""
    clerk_name: str = ""
    re_entered_at: datetime | None = None  # re-entered from its "Liên 1" copy after a restore: when; None if not


@dataclass(frozen=True, slots=True, kw_only=True)
class SupplementData(FormData):
    """Mẫu 02: what the applicant must add to an incomplete dossier, and why."""

    number: str
    slip_id: str = ""  # the slip's key the look-up accepts, e.g. "PBS-26-200001": its barcode when no code
    dossier_code: str = ""
    qr_text: str = ""  # the dossier's status link when it has a code and the city's page is known, else no QR
    received_at: datetime | None = None  # when the incomplete dossier was handed in
    applicant: Applicant
    procedure_name: str
    procedure_code: str = ""
    missing_items: tuple[str, ...]
    reason: str
    contact_name: str = ""
    contact_phone: str = ""
    guide_name: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class RefusalData(FormData):
    """Mẫu 03: refusal to accept a dossier, with the reason written down."""

    number: str
    slip_id: str = ""  # the slip's key the look-up accepts, e.g. "PTC-26-200001": its barcode when no code
    receiving_unit: str
    dossier_code: str = ""  # "Mã hồ sơ (nếu có)"
    applicant: Applicant
    procedure_name: str
    procedure_code: str = ""
    reason: str
    clerk_name: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class ApologyData(FormData):
    """Mẫu 04: apology for a late result and the new appointment, signed by the head of the deciding agency.

    Its header is the deciding agency's own.
    """

    number: str
    addressee: str  # "Kính gửi: …"
    agency_name: str  # the deciding agency as named in the text
    received_at: datetime
    procedure_name: str
    procedure_code: str = ""
    applicant: Applicant  # the name and identifier are printed
    dossier_code: str
    original_due_at: datetime
    reason: str
    new_due_at: datetime
    head_name: str
    head_title: str  # e.g. "CHỦ TỊCH" or "KT. CHỦ TỊCH / PHÓ CHỦ TỊCH"
    delivered_via: str = ""  # how the letter reaches the applicant, e.g. "Thư điện tử"


@dataclass(frozen=True, slots=True, kw_only=True)
class WithdrawalData(FormData):
    """Mẫu 05: notice that processing stops at the applicant's request."""

    number: str
    dossier_code: str
    applicant: Applicant
    procedure_name: str
    procedure_code: str = ""
    requested_at: datetime
    reason: str
    clerk_name: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class HandOver:
    """One row of the control slip: who hands the dossier to whom, when, and how it stood against the due date."""

    giver: str
    receiver: str
    at: datetime | None = None
    result: str = ""  # "trước hạn", "đúng hạn", "quá hạn" or "" (ticked by hand)
    note: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class ControlSlipData(FormData):
    """Mẫu 06: the slip that travels with the dossier and records each hand-over."""

    number: str
    dossier_code: str
    applicant_name: str = ""
    procedure_name: str = ""
    deciding_agency: str
    cooperating_agencies: tuple[str, ...] = ()
    received_at: datetime
    due_at: datetime
    original_due_at: datetime | None = None  # set when the appointment was re-set
    hand_overs: tuple[HandOver, ...] = ()
    blank_rows: int = 3  # rows left empty to be filled in by hand


@dataclass(frozen=True, slots=True)
class FeeItem:
    """One fee or charge collected."""

    name: str
    amount: int  # đồng


@dataclass(frozen=True, slots=True, kw_only=True)
class FeeReceiptData(FormData):
    """Receipt of the fees and charges collected for a dossier."""

    number: str
    dossier_code: str
    payer: Applicant  # the name, identifier and address are printed
    procedure_name: str
    items: tuple[FeeItem, ...]
    stage: str = "Tiếp nhận hồ sơ"  # when it was collected: reception, supplement or return
    payment_method: str = "Tiền mặt"
    collected_at: datetime
    clerk_name: str = ""

    @property
    def total(self) -> int:
        return sum(item.amount for item in self.items)


@dataclass(frozen=True, slots=True, kw_only=True)
class BookRow:
    """One line of the tracking book (Mẫu 07)."""

    index: int
    dossier_code: str
    procedure_name: str
    applicant_name: str
    address_phone: str
    deciding_agency: str
    received_at: datetime
    due_at: datetime
    returned_at: datetime | None = None
    delivery_method: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class BookData(FormData):
    """Mẫu 07: the tracking book of one field of procedures, printed as a landscape table."""

    field_name: str  # lĩnh vực
    volume: str = ""
    rows: tuple[BookRow, ...] = ()


Document = (
    ReceiptData
    | SupplementData
    | RefusalData
    | ApologyData
    | WithdrawalData
    | ControlSlipData
    | FeeReceiptData
    | BookData
)
