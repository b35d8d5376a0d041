"""A Mẫu 02 slip in the fold: completed once when its dossier is taken in, never twice, never a dossier's step."""

from __future__ import annotations

import dataclasses
from datetime import datetime

import pytest

from counter_app.domain.clock import VN_TZ
from counter_app.domain.dossier import (
    KIND_SUPPLEMENT_SLIP,
    SLIP_COMPLETED_STAGE,
    SLIP_STAGE,
    SLIP_STATUS,
    DossierState,
    PaperEntry,
    apply_event,
    opening_payload,
)
from counter_app.domain.event_kinds import EventKind
from counter_app.errors import RuleError

WRITTEN = datetime(2026, 3, 2, 9, 0, tzinfo=VN_TZ)
BACK = datetime(2026, 3, 4, 10, 0, tzinfo=VN_TZ)


def slip() -> DossierState:
    state = DossierState(
        uuid="5f0b8c1e-0000-4000-8000-000000000002",
        kind=KIND_SUPPLEMENT_SLIP,
        agency_code="000.17.22.H56",
        counter=1,
        procedure_code="1.001193",
        procedure_name="Đăng ký khai sinh",
        applicant_name="Nguyễn Văn An",
        received_at=WRITTEN,
        stage=SLIP_STAGE,
        status=SLIP_STATUS,
        slip="PBS-26-100001",
        papers=(PaperEntry("Tờ khai", 1, 0), PaperEntry("Giấy chứng sinh", 0, 0, missing=True)),
    )
    return apply_event(None, EventKind.SLIP_SUPPLEMENT, opening_payload(state), WRITTEN)


def test_a_slip_is_completed_once_and_keeps_what_it_recorded() -> None:
    completed = apply_event(slip(), EventKind.SLIP_COMPLETED, {"code": "000.17.22.H56-260304-1001"}, BACK)
    assert completed.stage == SLIP_COMPLETED_STAGE
    assert (completed.status, completed.code, completed.papers) == (SLIP_STATUS, None, slip().papers)
    with pytest.raises(RuleError, match="đã được tiếp nhận bổ sung"):
        apply_event(completed, EventKind.SLIP_COMPLETED, {}, BACK)


def test_only_a_supplement_slip_is_completed() -> None:
    refusal = dataclasses.replace(slip(), kind="refusal_slip", stage="refused")
    with pytest.raises(RuleError):
        apply_event(refusal, EventKind.SLIP_COMPLETED, {}, BACK)
    with pytest.raises(RuleError):  # a completed slip is not a dossier: no step of processing applies
        apply_event(apply_event(slip(), EventKind.SLIP_COMPLETED, {}, BACK), EventKind.TRANSFERRED, {"to": "x"}, BACK)
