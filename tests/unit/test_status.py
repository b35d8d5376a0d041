"""National statuses, stages mapped onto them, and the transition table."""

from __future__ import annotations

import pytest

from counter_app.domain.status import INITIAL_STAGES, Action, Stage, Status, allowed_actions, next_stage
from counter_app.errors import RuleError

# domain.md §6, written out by hand.
NATIONAL = {
    1: "Mới đăng ký",
    2: "Được tiếp nhận",
    3: "Không được tiếp nhận",
    4: "Đang xử lý",
    5: "Yêu cầu bổ sung giấy tờ",
    6: "Yêu cầu thực hiện nghĩa vụ tài chính",
    7: "Công dân yêu cầu rút hồ sơ",
    8: "Dừng xử lý",
    9: "Đã xử lý xong",
    10: "Đã trả kết quả",
}

S, A = Stage, Action
# The legal moves, written from the brief and the decisions documented in status.py.
LEGAL: dict[Stage, dict[Action, Stage]] = {
    S.RECEIVED: {
        A.TRANSFER: S.IN_PROCESSING,
        A.RESULT_READY: S.RESULT_READY,
        A.WITHDRAW: S.WITHDRAWN,
        A.VOID: S.VOIDED,
        A.CORRECT: S.RECEIVED,
        A.REAPPOINT: S.RECEIVED,
    },
    S.IN_PROCESSING: {
        A.REQUEST_SUPPLEMENT: S.SUPPLEMENT_REQUESTED,
        A.REQUEST_PAYMENT: S.FINANCIAL_OBLIGATION,
        A.RESULT_READY: S.RESULT_READY,
        A.WITHDRAW: S.WITHDRAWN,
        A.STOP: S.STOPPED,
        A.CORRECT: S.IN_PROCESSING,
        A.REAPPOINT: S.IN_PROCESSING,
    },
    S.SUPPLEMENT_REQUESTED: {
        A.RECEIVE_SUPPLEMENT: S.IN_PROCESSING,
        A.WITHDRAW: S.WITHDRAWN,
        A.STOP: S.STOPPED,
        A.CORRECT: S.SUPPLEMENT_REQUESTED,
    },
    S.FINANCIAL_OBLIGATION: {
        A.RECEIVE_PAYMENT: S.IN_PROCESSING,
        A.WITHDRAW: S.WITHDRAWN,
        A.STOP: S.STOPPED,
        A.CORRECT: S.FINANCIAL_OBLIGATION,
        A.REAPPOINT: S.FINANCIAL_OBLIGATION,
    },
    S.RESULT_READY: {A.HAND_OVER: S.RETURNED, A.CORRECT: S.RESULT_READY},
    S.RETURNED: {},
    S.REFUSED: {},
    S.WITHDRAWN: {},
    S.STOPPED: {},
    S.VOIDED: {},
}


def test_status_codes_and_labels_match_the_national_list() -> None:
    assert {status.value: status.label for status in Status} == NATIONAL


def test_open_statuses_are_received_processing_and_financial() -> None:
    assert {status.value for status in Status if status.is_open} == {2, 4, 6}


@pytest.mark.parametrize(
    ("stage", "code"),
    [
        (S.RECEIVED, 2),
        (S.IN_PROCESSING, 4),
        (S.SUPPLEMENT_REQUESTED, 5),
        (S.FINANCIAL_OBLIGATION, 6),
        (S.RESULT_READY, 9),
        (S.RETURNED, 10),
        (S.REFUSED, 3),
        (S.WITHDRAWN, 7),
        (S.STOPPED, 8),
        (S.VOIDED, 8),
    ],
)
def test_each_stage_reports_its_national_status(stage: Stage, code: int) -> None:
    assert stage.status == code


def test_stage_labels_are_distinct_and_voided_says_why() -> None:
    labels = [stage.label for stage in Stage]
    assert len(set(labels)) == len(labels)
    assert Stage.VOIDED.label == "Đã hủy do tiếp nhận nhầm"


def test_final_stages() -> None:
    finals = {stage for stage in Stage if stage.is_final}
    assert finals == {S.RETURNED, S.REFUSED, S.WITHDRAWN, S.STOPPED, S.VOIDED}


def test_initial_stages_are_received_or_refused_at_the_counter() -> None:
    assert frozenset({S.RECEIVED, S.REFUSED}) == INITIAL_STAGES


def test_action_labels_are_distinct_vietnamese_phrases() -> None:
    labels = [action.label for action in Action]
    assert len(set(labels)) == len(labels)
    assert Action.TRANSFER.value == "transfer"
    assert Action.VOID.label.startswith("hủy")


def test_stay_actions_do_not_change_stage() -> None:
    stays = {action for action in Action if all(moves.get(action, stage) is stage for stage, moves in LEGAL.items())}
    assert stays == {A.CORRECT, A.REAPPOINT}


@pytest.mark.parametrize(
    ("stage", "action", "target"),
    [(stage, action, target) for stage, moves in LEGAL.items() for action, target in moves.items()],
)
def test_legal_moves(stage: Stage, action: Action, target: Stage) -> None:
    assert next_stage(stage, action) is target


@pytest.mark.parametrize("stage", list(Stage))
def test_allowed_actions_match_the_table(stage: Stage) -> None:
    assert allowed_actions(stage) == frozenset(LEGAL[stage])


@pytest.mark.parametrize(
    ("stage", "action"),
    [(stage, action) for stage in Stage for action in Action if action not in LEGAL[stage]],
)
def test_illegal_moves_are_refused_with_a_message(stage: Stage, action: Action) -> None:
    with pytest.raises(RuleError) as caught:
        next_stage(stage, action)
    message = caught.value.message
    assert message.startswith("Không thể ")
    assert action.label in message
    assert stage.label in message


def test_void_is_only_before_transfer() -> None:
    assert next_stage(S.RECEIVED, A.VOID) is S.VOIDED
    with pytest.raises(RuleError):
        next_stage(S.IN_PROCESSING, A.VOID)


def test_a_supplement_round_trip_then_hand_over() -> None:
    stage = S.RECEIVED
    for action in (
        A.TRANSFER,
        A.REQUEST_SUPPLEMENT,
        A.RECEIVE_SUPPLEMENT,
        A.REQUEST_PAYMENT,
        A.RECEIVE_PAYMENT,
        A.RESULT_READY,
        A.HAND_OVER,
    ):
        stage = next_stage(stage, action)
    assert stage is S.RETURNED
    assert stage.status is Status.RETURNED
