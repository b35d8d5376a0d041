"""The sync service as the UI uses it (progress, cancel, last sync, per-dossier state) and concurrent edits."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sync_helpers import (
    AGENCY_A,
    Central,
    MakeCounter,
    accept_many,
    central_events,
    central_states,
    sync,
)

from counter_app.services.common.clock import DrillClock
from counter_app.sync import service_client


def test_progress_reaches_the_total_and_cancel_stops_between_batches(
    central: Central, make_counter: MakeCounter, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(service_client, "PUSH_CHUNK", 10)  # pushes of 10 events: cancel has a batch to stop after
    one = make_counter(AGENCY_A, 1)
    accept_many(one, 30)
    assert one.sync.last_sync() is None
    first = accept_many(one, 1, start=99)[0]
    assert one.sync.dossier_sync_state(first.uuid).state == "pending"
    cancel = threading.Event()
    seen: list[tuple[int, int]] = []

    def stop_after_first_batch(done: int, total: int) -> None:
        seen.append((done, total))
        if done >= 10:
            cancel.set()

    cancelled = sync(one, central, AGENCY_A, 1, progress=stop_after_first_batch, cancel=cancel)

    assert cancelled.cancelled
    assert cancelled.pushed == 10
    assert one.sync.pending_count() == 21
    assert seen == [(0, 31), (10, 31)]
    last = one.sync.last_sync()
    assert last is not None and not last.ok and "dừng" in last.message

    progress: list[tuple[int, int]] = []
    rest = sync(one, central, AGENCY_A, 1, progress=lambda d, t: progress.append((d, t)))

    assert (rest.pushed, rest.cancelled) == (21, False)
    assert progress[0] == (0, 21)
    assert progress[-1][0] == progress[-1][1] == 21
    assert [d for d, _t in progress] == sorted(d for d, _t in progress)
    assert one.sync.dossier_sync_state(first.uuid).state == "synced"
    assert central.count("SELECT count(*) FROM central.event") == 31


def test_concurrent_corrections_resolve_by_time_not_by_arrival_and_both_are_kept(
    central: Central, make_counter: MakeCounter
) -> None:
    one = make_counter(AGENCY_A, 1)
    two = make_counter(AGENCY_A, 2)
    dossier = accept_many(one, 1)[0]
    code = str(dossier.code)
    sync(one, central, AGENCY_A, 1)
    sync(two, central, AGENCY_A, 2)
    now = one.context.clock.now()
    # offline, both correct the address: counter 2 later in time, yet it syncs first
    one.context.clock = DrillClock(now + timedelta(minutes=1))
    two.context.clock = DrillClock(now + timedelta(minutes=2))
    one.dossiers.correct(code, {"applicant_address": "12 Lê Lợi (quầy 1)"}, reason="Công dân báo sai số nhà")
    two.dossiers.correct(code, {"applicant_address": "21 Lê Lợi (quầy 2)"}, reason="Công dân sửa lại lần nữa")

    sync(two, central, AGENCY_A, 2)
    sync(one, central, AGENCY_A, 1)
    sync(two, central, AGENCY_A, 2)

    for services in (one, two):
        assert services.dossiers.get_state(code).applicant_address == "21 Lê Lợi (quầy 2)"
    assert central_states(central)[dossier.uuid].applicant_address == "21 Lê Lợi (quầy 2)"
    corrections = [e for e in central_events(central).values() if e[0] == "dossier.corrected"]
    assert len(corrections) == 2  # every version is kept
    assert sorted(e[2] for e in corrections) == [1, 2]
    timeline = [e.details for e in one.dossiers.timeline(code) if e.kind == "dossier.corrected"]
    assert len(timeline) == 2
