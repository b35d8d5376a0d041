"""`evolve`, the fast copy the event fold (and the demo data) uses, gives exactly what dataclasses.replace gives."""

from __future__ import annotations

import dataclasses
from datetime import datetime

import pytest

from counter_app.domain.clock import VN_TZ
from counter_app.domain.dossier import DossierState, PaperEntry, apply_event, evolve

RECEIVED = datetime(2026, 3, 2, 10, 0, tzinfo=VN_TZ)
STATE = DossierState(
    uuid="0f5c1f1e-3b7e-4c1a-9a53-2f8b0c6d9e11",
    kind="dossier",
    agency_code="000.17.22.H56",
    counter=1,
    procedure_code="1.001193",
    procedure_name="Đăng ký khai sinh",
    applicant_name="Nguyễn Thị Ánh Tuyết",
    received_at=RECEIVED,
    stage="received",
    status=2,
    due_at=datetime(2026, 3, 5, 17, 0, tzinfo=VN_TZ),
    papers=(PaperEntry("Tờ khai", 1, 0),),
    event_count=1,
    updated_at=RECEIVED,
)


def test_evolve_equals_replace() -> None:
    changes = {"stage": "processing", "status": 4, "event_count": 2, "reason": "Lý do"}

    evolved = evolve(STATE, changes)

    assert evolved == dataclasses.replace(STATE, **changes)
    assert type(evolved) is DossierState
    assert STATE.stage == "received"  # the original is untouched
    with pytest.raises(dataclasses.FrozenInstanceError):
        evolved.stage = "x"  # type: ignore[misc]


def test_evolve_refuses_an_unknown_field() -> None:
    with pytest.raises(TypeError):
        evolve(STATE, {"colour": "red"})


def test_one_event_changes_only_what_it_says() -> None:
    at = datetime(2026, 3, 2, 11, 0, tzinfo=VN_TZ)
    later = datetime(2026, 3, 3, 9, 0, tzinfo=VN_TZ)

    moved = apply_event(STATE, "dossier.transferred", {"to": "UBND phường", "note": ""}, at)
    paused = apply_event(moved, "dossier.supplement_requested", {"reason": "Thiếu giấy chứng sinh"}, later)

    assert moved.stage != STATE.stage
    assert moved == dataclasses.replace(STATE, event_count=2, updated_at=at, stage=moved.stage, status=moved.status)
    assert paused == dataclasses.replace(
        moved,
        event_count=3,
        updated_at=later,
        paused_at=later,
        reason="Thiếu giấy chứng sinh",
        stage=paused.stage,
        status=paused.status,
    )
