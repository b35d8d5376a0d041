"""The dossier screen's row of buttons: the actions and prints it offers, and when a print applies or repeats."""

from __future__ import annotations

from counter_app.domain.document_kinds import DOSSIER_DOCUMENTS, HISTORY_TITLES
from counter_app.domain.dossier import DossierState
from counter_app.domain.event_kinds import EventKind
from counter_app.domain.status import Action, Stage
from counter_app.services.common.views import EventView

ACTION_LABELS: tuple[tuple[Action, str], ...] = (
    (Action.TRANSFER, "Chuyển xử lý"),
    (Action.REQUEST_SUPPLEMENT, "Yêu cầu bổ sung"),
    (Action.RECEIVE_SUPPLEMENT, "Nhận bổ sung"),
    (Action.RESULT_READY, "Kết quả đã về"),
    (Action.HAND_OVER, "Trả kết quả"),
    (Action.WITHDRAW, "Rút hồ sơ"),
    (Action.CORRECT, "Sửa thông tin"),
    (Action.VOID, "Hủy"),
)
# the prints at the right of the row; the fee receipt and Mẫu 05 only where they apply (print_applies)
PRINT_LABELS: tuple[tuple[str, str], ...] = (
    ("receipt", "In giấy tiếp nhận"),
    ("control", "In phiếu kiểm soát"),
    ("fee", "In biên nhận thu phí"),
    ("withdrawal", "In thông báo dừng (Mẫu 05)"),
)
STOPPED_STAGES = frozenset({Stage.WITHDRAWN, Stage.STOPPED})
SECOND_ROW = frozenset({Action.WITHDRAW, Action.CORRECT, Action.VOID})  # after a gap: they end or amend


def print_applies(kind: str, state: DossierState | None) -> bool:
    """Whether a print button is shown: the fee receipt for a procedure with a fee (paid or not: an unpaid
    one is refused with its reason when clicked), Mẫu 05 for a dossier whose processing stopped."""
    if kind == "fee":
        return state is not None and state.code is not None and state.fee > 0
    if kind == "withdrawal":
        return state is not None and state.code is not None and state.stage_enum in STOPPED_STAGES
    return True


def printed_kinds(events: list[EventView]) -> set[str]:
    """Documents printed before (a new print is a reprint), from the timeline's print events and their titles."""
    details = [e.details for e in events if e.kind == EventKind.DOCUMENT_PRINTED]
    return {kind for kind in DOSSIER_DOCUMENTS if any(d.startswith(HISTORY_TITLES[kind]) for d in details)}
