"""The events fold (domain.dossier.apply_event / replay): legal sequences, refused ones, and corrections."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import pytest

from counter_app.domain.clock import VN_TZ
from counter_app.domain.dossier import (
    CORRECTABLE_FIELDS,
    KIND_REFUSAL_SLIP,
    KIND_SUPPLEMENT_SLIP,
    OPENING_KINDS,
    DossierState,
    PaperEntry,
    apply_event,
    opening_payload,
    replay,
)
from counter_app.errors import RuleError


def vn(day: int, month: int = 3, hour: int = 9, minute: int = 0, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=VN_TZ)


RECEIVED = vn(2, hour=10)  # Mon 02/3/2026 10:00
DUE = vn(5, hour=17)  # 3 working days later (domain.md §5, first worked example)

# Every event that moves the stage, with a payload it would carry.
STAGE_EVENTS: dict[str, dict[str, Any]] = {
    "dossier.transferred": {"to": "Ủy ban nhân dân phường", "note": ""},
    "dossier.supplement_requested": {"reason": "Thiếu giấy xác nhận cư trú"},
    "dossier.supplement_received": {"due_at": vn(10, hour=17).isoformat()},
    "dossier.payment_requested": {"amount": 50000},
    "dossier.payment_received": {},
    "dossier.result_ready": {},
    "dossier.handed_over": {"by_post": False, "fee_collected": False},
    "dossier.withdrawn": {"reason": "Công dân xin rút"},
    "dossier.stopped": {"reason": "Không đủ điều kiện"},
    "dossier.voided": {"reason": "Tiếp nhận nhầm"},
}


def opened_state() -> DossierState:
    return DossierState(
        uuid="5f0b8c1e-0000-4000-8000-000000000001",
        kind="dossier",
        agency_code="000.17.22.H56",
        counter=1,
        procedure_code="DEMO.XNHN",
        procedure_name="Xác nhận tình trạng hôn nhân",
        applicant_name="Nguyễn Văn An",
        received_at=RECEIVED,
        stage="received",
        status=2,
        code="000.17.22.H56-260302-1001",
        applicant_identifier="079090001234",
        applicant_phone="0903123456",
        applicant_address="12 Lê Lợi, phường Sài Gòn",
        processing_days=3,
        due_at=DUE,
        calendar_version="vn-2026.1",
        fee=0,
        papers=(PaperEntry("Tờ khai", 1, 0), PaperEntry("Bản sao giấy khai sinh", 0, 1)),
    )


def accepted() -> DossierState:
    return apply_event(None, "dossier.accepted", opening_payload(opened_state()), RECEIVED)


def run(state: DossierState, *kinds: str) -> DossierState:
    for kind in kinds:
        state = apply_event(state, kind, STAGE_EVENTS[kind], vn(3))
    return state


def test_opening_gives_the_state_it_carries_even_through_json() -> None:
    payload = json.loads(json.dumps(opening_payload(opened_state())))
    state = apply_event(None, "dossier.accepted", payload, RECEIVED)
    assert state == dataclasses.replace(opened_state(), event_count=1, updated_at=RECEIVED)


@pytest.mark.parametrize("kind", sorted(OPENING_KINDS))
def test_a_second_opening_is_refused(kind: str) -> None:
    with pytest.raises(RuleError):
        apply_event(accepted(), kind, opening_payload(opened_state()), vn(3))


def test_an_event_without_an_opening_is_refused() -> None:
    with pytest.raises(RuleError):
        apply_event(None, "dossier.transferred", STAGE_EVENTS["dossier.transferred"], vn(3))


def test_the_normal_life_sets_statuses_pause_and_end() -> None:
    state = run(accepted(), "dossier.transferred")
    assert (state.stage, state.status) == ("in_processing", 4)
    asked = apply_event(state, "dossier.supplement_requested", {"reason": "Thiếu giấy"}, vn(3, hour=9))
    assert (asked.status, asked.paused_at, asked.reason) == (5, vn(3, hour=9), "Thiếu giấy")
    back = apply_event(asked, "dossier.supplement_received", {"due_at": vn(9, hour=17).isoformat()}, vn(5))
    assert (back.status, back.paused_at, back.due_at) == (4, None, vn(9, hour=17))
    pay = run(back, "dossier.payment_requested")
    assert pay.status == 6
    paid = run(pay, "dossier.payment_received")
    assert paid.status == 4
    ready = apply_event(paid, "dossier.result_ready", {}, vn(6, hour=15))
    assert (ready.status, ready.finished_at) == (9, vn(6, hour=15))
    done = apply_event(ready, "dossier.handed_over", {"by_post": False, "fee_collected": True}, vn(9, hour=8))
    # the end of processing is when the result was ready, not when it was handed over
    assert (done.status, done.finished_at, done.fee_paid) == (10, vn(6, hour=15), True)
    assert done.event_count == 8
    assert done.updated_at == vn(9, hour=8)


def test_a_result_made_at_the_desk_itself_is_handed_over_without_transfer() -> None:
    assert run(accepted(), "dossier.result_ready", "dossier.handed_over").status == 10


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ((), "dossier.handed_over"),  # hand-over before the result is ready
        ((), "dossier.supplement_requested"),  # only the deciding agency asks, after transfer
        ((), "dossier.supplement_received"),
        ((), "dossier.payment_received"),
        (("dossier.transferred",), "dossier.voided"),  # void only before transfer
        (("dossier.transferred",), "dossier.transferred"),
        (("dossier.transferred",), "dossier.handed_over"),
        (("dossier.transferred", "dossier.supplement_requested"), "dossier.result_ready"),
        (("dossier.transferred", "dossier.supplement_requested"), "dossier.supplement_requested"),
        (("dossier.transferred", "dossier.result_ready"), "dossier.withdrawn"),
    ],
)
def test_illegal_transitions_of_an_open_dossier_are_refused(path: tuple[str, ...], kind: str) -> None:
    state = run(accepted(), *path)
    with pytest.raises(RuleError):
        apply_event(state, kind, STAGE_EVENTS[kind], vn(4))


FINAL_PATHS = {
    "returned": ("dossier.transferred", "dossier.result_ready", "dossier.handed_over"),
    "withdrawn": ("dossier.withdrawn",),
    "voided": ("dossier.voided",),
    "stopped": ("dossier.transferred", "dossier.stopped"),
}


@pytest.mark.parametrize("final", sorted(FINAL_PATHS))
@pytest.mark.parametrize("kind", sorted(STAGE_EVENTS))
def test_no_transition_from_a_final_stage(final: str, kind: str) -> None:
    state = run(accepted(), *FINAL_PATHS[final])
    assert state.stage == final
    with pytest.raises(RuleError):
        apply_event(state, kind, STAGE_EVENTS[kind], vn(6))


@pytest.mark.parametrize("slip_kind", ["slip.supplement", "slip.refused"])
@pytest.mark.parametrize("kind", sorted(STAGE_EVENTS))
def test_a_counter_slip_is_not_processed(slip_kind: str, kind: str) -> None:
    if slip_kind == "slip.supplement":
        slip = dataclasses.replace(
            opened_state(), kind=KIND_SUPPLEMENT_SLIP, stage="awaiting_completion", status=1, code=None, due_at=None
        )
    else:
        slip = dataclasses.replace(opened_state(), kind=KIND_REFUSAL_SLIP, stage="refused", status=3, code=None)
    state = apply_event(None, slip_kind, opening_payload(slip), RECEIVED)
    with pytest.raises(RuleError):
        apply_event(state, kind, STAGE_EVENTS[kind], vn(3))


def reappoint_payload(new_due: datetime) -> dict[str, Any]:
    return {
        "reason": "Cần xác minh thêm",
        "new_due_at": new_due.isoformat(),
        "previous_due_at": DUE.isoformat(),
        "delivered": "in_person",
        "letter_number": "100001/PXL",
    }


def test_reappointment_moves_the_due_once_and_keeps_the_first_appointment() -> None:
    state = run(accepted(), "dossier.transferred")
    once = apply_event(state, "dossier.reappointed", reappoint_payload(vn(10, hour=17)), vn(4))
    assert (once.reappointed, once.due_at, once.original_due_at) == (True, vn(10, hour=17), DUE)
    assert (once.stage, once.status) == ("in_processing", 4)
    with pytest.raises(RuleError):
        apply_event(once, "dossier.reappointed", reappoint_payload(vn(12, hour=17)), vn(5))


@pytest.mark.parametrize(
    "path",
    [
        ("dossier.transferred", "dossier.supplement_requested"),  # paused: the due moves by itself
        ("dossier.transferred", "dossier.result_ready"),
        ("dossier.withdrawn",),
        ("dossier.voided",),
    ],
)
def test_reappointment_only_while_the_clock_runs(path: tuple[str, ...]) -> None:
    state = run(accepted(), *path)
    with pytest.raises(RuleError):
        apply_event(state, "dossier.reappointed", reappoint_payload(vn(10, hour=17)), vn(4))


def correction(changes: Mapping[str, tuple[Any, Any]]) -> dict[str, Any]:
    return {"changes": {k: list(v) for k, v in changes.items()}, "reason": "Gõ nhầm khi tiếp nhận"}


def test_a_correction_changes_only_correctable_fields() -> None:
    before = run(accepted(), "dossier.transferred")
    payload = correction(
        {
            "applicant_phone": ("0903123456", "0912345678"),
            "applicant_address": ("12 Lê Lợi, phường Sài Gòn", "14 Lê Lợi, phường Sài Gòn"),
            # not correctable: a correction must never move the status, the code or the appointment
            "status": (4, 10),
            "code": (before.code, "000.17.22.H56-260302-1999"),
            "due_at": (DUE.isoformat(), vn(30, hour=17).isoformat()),
            "received_at": (RECEIVED.isoformat(), vn(1).isoformat()),
        }
    )
    after = apply_event(before, "dossier.corrected", payload, vn(4))
    assert after.applicant_phone == "0912345678"
    assert after.applicant_address == "14 Lê Lợi, phường Sài Gòn"
    assert {"status", "code", "due_at", "received_at"}.isdisjoint(CORRECTABLE_FIELDS)
    changed = {f.name for f in dataclasses.fields(DossierState) if getattr(before, f.name) != getattr(after, f.name)}
    assert changed == {"applicant_phone", "applicant_address", "event_count", "updated_at"}


@pytest.mark.parametrize("final", sorted(FINAL_PATHS))
def test_a_closed_record_is_not_corrected(final: str) -> None:
    state = run(accepted(), *FINAL_PATHS[final])
    with pytest.raises(RuleError):
        apply_event(state, "dossier.corrected", correction({"applicant_phone": ("0903123456", "0912345678")}), vn(7))


def test_flag_and_print_events_keep_the_stage() -> None:
    state = run(accepted(), "dossier.transferred")
    flagged = apply_event(state, "dossier.flagged", {"reason": "Đề nghị hẹn lại lần hai"}, vn(4))
    printed = apply_event(flagged, "document.printed", {"kind": "receipt", "number": "100001/TTPVHCC"}, vn(4))
    assert (printed.stage, printed.status, printed.supervisor_flag) == ("in_processing", 4, "Đề nghị hẹn lại lần hai")
    assert printed.event_count == 4


def test_replay_is_the_fold_of_the_events_in_order() -> None:
    events: list[tuple[str, Mapping[str, Any], datetime]] = [
        ("dossier.accepted", opening_payload(opened_state()), RECEIVED),
        ("dossier.transferred", STAGE_EVENTS["dossier.transferred"], vn(2, hour=14)),
        ("dossier.supplement_requested", {"reason": "Thiếu giấy"}, vn(3)),
        ("dossier.supplement_received", {"due_at": vn(9, hour=17).isoformat()}, vn(5)),
        ("dossier.reappointed", reappoint_payload(vn(12, hour=17)), vn(6)),
        ("dossier.result_ready", {}, vn(11)),
    ]
    state = replay(events)
    assert state is not None
    assert (state.status, state.due_at, state.original_due_at, state.finished_at) == (
        9,
        vn(12, hour=17),
        vn(9, hour=17),
        vn(11),
    )
    assert state.event_count == len(events)
    assert replay([]) is None
    with pytest.raises(RuleError):
        replay([events[0], events[-1], events[1]])  # a transfer after the result is not a legal order
