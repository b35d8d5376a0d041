"""National dossier statuses, the finer internal stages mapped onto them, and the stage transition table."""

from __future__ import annotations

from enum import IntEnum, StrEnum

from counter_app.errors import RuleError


class Status(IntEnum):
    """The national sync codes of a dossier's status (domain.md §6)."""

    NEW = 1
    RECEIVED = 2
    NOT_RECEIVED = 3
    PROCESSING = 4
    SUPPLEMENT_REQUESTED = 5
    FINANCIAL_OBLIGATION = 6
    WITHDRAWN = 7
    STOPPED = 8
    DONE = 9
    RETURNED = 10

    @property
    def label(self) -> str:
        return _STATUS_LABELS[self]

    @property
    def is_open(self) -> bool:
        """Open dossiers run against their deadline; a supplement request (5) pauses the clock."""
        return self in _OPEN_STATUSES


_STATUS_LABELS: dict[Status, str] = {
    Status.NEW: "Mới đăng ký",
    Status.RECEIVED: "Được tiếp nhận",
    Status.NOT_RECEIVED: "Không được tiếp nhận",
    Status.PROCESSING: "Đang xử lý",
    Status.SUPPLEMENT_REQUESTED: "Yêu cầu bổ sung giấy tờ",
    Status.FINANCIAL_OBLIGATION: "Yêu cầu thực hiện nghĩa vụ tài chính",
    Status.WITHDRAWN: "Công dân yêu cầu rút hồ sơ",
    Status.STOPPED: "Dừng xử lý",
    Status.DONE: "Đã xử lý xong",
    Status.RETURNED: "Đã trả kết quả",
}
_OPEN_STATUSES = frozenset({Status.RECEIVED, Status.PROCESSING, Status.FINANCIAL_OBLIGATION})


class Stage(StrEnum):
    """Where a dossier is in the desk's own workflow; each stage reports one national status."""

    RECEIVED = "received"
    IN_PROCESSING = "in_processing"
    SUPPLEMENT_REQUESTED = "supplement_requested"
    FINANCIAL_OBLIGATION = "financial_obligation"
    RESULT_READY = "result_ready"
    RETURNED = "returned"
    REFUSED = "refused"
    WITHDRAWN = "withdrawn"
    STOPPED = "stopped"
    VOIDED = "voided"

    @property
    def status(self) -> Status:
        return _STAGE_STATUS[self]

    @property
    def label(self) -> str:
        return _STAGE_LABELS[self]

    @property
    def is_final(self) -> bool:
        return not _TRANSITIONS[self]


_STAGE_STATUS: dict[Stage, Status] = {
    Stage.RECEIVED: Status.RECEIVED,
    Stage.IN_PROCESSING: Status.PROCESSING,
    Stage.SUPPLEMENT_REQUESTED: Status.SUPPLEMENT_REQUESTED,
    Stage.FINANCIAL_OBLIGATION: Status.FINANCIAL_OBLIGATION,
    Stage.RESULT_READY: Status.DONE,
    Stage.RETURNED: Status.RETURNED,
    Stage.REFUSED: Status.NOT_RECEIVED,
    Stage.WITHDRAWN: Status.WITHDRAWN,
    Stage.STOPPED: Status.STOPPED,
    # The national system has no "entered by mistake"; a voided dossier is reported as stopped.
    Stage.VOIDED: Status.STOPPED,
}
_STAGE_LABELS: dict[Stage, str] = {
    Stage.RECEIVED: "Đã tiếp nhận, chờ chuyển xử lý",
    Stage.IN_PROCESSING: "Đang xử lý tại cơ quan giải quyết",
    Stage.SUPPLEMENT_REQUESTED: "Chờ công dân bổ sung giấy tờ",
    Stage.FINANCIAL_OBLIGATION: "Chờ thực hiện nghĩa vụ tài chính",
    Stage.RESULT_READY: "Đã có kết quả, chờ trả",
    Stage.RETURNED: "Đã trả kết quả",
    Stage.REFUSED: "Từ chối tiếp nhận",
    Stage.WITHDRAWN: "Công dân đã rút hồ sơ",
    Stage.STOPPED: "Dừng xử lý",
    Stage.VOIDED: "Đã hủy do tiếp nhận nhầm",
}

# A dossier comes into existence either received (Mẫu 01) or refused at the counter (Mẫu 03).
INITIAL_STAGES = frozenset({Stage.RECEIVED, Stage.REFUSED})


class Action(StrEnum):
    """What a clerk or the deciding agency does to a dossier."""

    TRANSFER = "transfer"
    REQUEST_SUPPLEMENT = "request_supplement"
    RECEIVE_SUPPLEMENT = "receive_supplement"
    REQUEST_PAYMENT = "request_payment"
    RECEIVE_PAYMENT = "receive_payment"
    RESULT_READY = "result_ready"
    HAND_OVER = "hand_over"
    WITHDRAW = "withdraw"
    STOP = "stop"
    VOID = "void"
    CORRECT = "correct"
    REAPPOINT = "reappoint"

    @property
    def label(self) -> str:
        return _ACTION_LABELS[self]


_ACTION_LABELS: dict[Action, str] = {
    Action.TRANSFER: "chuyển hồ sơ đến cơ quan giải quyết",
    Action.REQUEST_SUPPLEMENT: "yêu cầu bổ sung giấy tờ",
    Action.RECEIVE_SUPPLEMENT: "nhận giấy tờ bổ sung",
    Action.REQUEST_PAYMENT: "yêu cầu thực hiện nghĩa vụ tài chính",
    Action.RECEIVE_PAYMENT: "xác nhận đã thực hiện nghĩa vụ tài chính",
    Action.RESULT_READY: "ghi nhận đã có kết quả",
    Action.HAND_OVER: "trả kết quả cho công dân",
    Action.WITHDRAW: "rút hồ sơ theo yêu cầu của công dân",
    Action.STOP: "dừng xử lý hồ sơ",
    Action.VOID: "hủy hồ sơ do tiếp nhận nhầm",
    Action.CORRECT: "sửa thông tin hồ sơ",
    Action.REAPPOINT: "hẹn lại ngày trả kết quả",
}

# Decisions behind the table:
# - VOID only before transfer: once the deciding agency has the dossier it is on the national record, and
#   ending it is a STOP. A dossier handled at the desk itself goes RECEIVED -> RESULT_READY directly.
# - CORRECT (data only) in every non-final stage; a closed record is not edited.
# - REAPPOINT only while the clock runs (the open statuses 2, 4, 6): during a supplement request the clock is
#   paused and the due date moves by itself. "Only once" needs the history and is checked by the service.
# - STOP also while waiting for payment: an applicant who never pays leaves the agency nothing else to do.
_TRANSITIONS: dict[Stage, dict[Action, Stage]] = {
    Stage.RECEIVED: {
        Action.TRANSFER: Stage.IN_PROCESSING,
        Action.RESULT_READY: Stage.RESULT_READY,
        Action.WITHDRAW: Stage.WITHDRAWN,
        Action.VOID: Stage.VOIDED,
        Action.CORRECT: Stage.RECEIVED,
        Action.REAPPOINT: Stage.RECEIVED,
    },
    Stage.IN_PROCESSING: {
        Action.REQUEST_SUPPLEMENT: Stage.SUPPLEMENT_REQUESTED,
        Action.REQUEST_PAYMENT: Stage.FINANCIAL_OBLIGATION,
        Action.RESULT_READY: Stage.RESULT_READY,
        Action.WITHDRAW: Stage.WITHDRAWN,
        Action.STOP: Stage.STOPPED,
        Action.CORRECT: Stage.IN_PROCESSING,
        Action.REAPPOINT: Stage.IN_PROCESSING,
    },
    Stage.SUPPLEMENT_REQUESTED: {
        Action.RECEIVE_SUPPLEMENT: Stage.IN_PROCESSING,
        Action.WITHDRAW: Stage.WITHDRAWN,
        Action.STOP: Stage.STOPPED,
        Action.CORRECT: Stage.SUPPLEMENT_REQUESTED,
    },
    Stage.FINANCIAL_OBLIGATION: {
        Action.RECEIVE_PAYMENT: Stage.IN_PROCESSING,
        Action.WITHDRAW: Stage.WITHDRAWN,
        Action.STOP: Stage.STOPPED,
        Action.CORRECT: Stage.FINANCIAL_OBLIGATION,
        Action.REAPPOINT: Stage.FINANCIAL_OBLIGATION,
    },
    Stage.RESULT_READY: {
        Action.HAND_OVER: Stage.RETURNED,
        Action.CORRECT: Stage.RESULT_READY,
    },
    Stage.RETURNED: {},
    Stage.REFUSED: {},
    Stage.WITHDRAWN: {},
    Stage.STOPPED: {},
    Stage.VOIDED: {},
}


def allowed_actions(stage: Stage) -> frozenset[Action]:
    return frozenset(_TRANSITIONS[stage])


def next_stage(stage: Stage, action: Action) -> Stage:
    """The stage after `action`; RuleError when the action is not allowed in `stage`."""
    target = _TRANSITIONS[stage].get(action)
    if target is not None:
        return target
    if stage.is_final:
        raise RuleError(
            f"Không thể {action.label}: hồ sơ đã kết thúc ở trạng thái “{stage.label}”.",
            detail=f"stage={stage.value} action={action.value}",
        )
    raise RuleError(
        f"Không thể {action.label} khi hồ sơ đang ở trạng thái “{stage.label}”.",
        detail=f"stage={stage.value} action={action.value}",
    )
