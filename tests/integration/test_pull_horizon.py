"""A pull racing a central transaction held open: nothing committed later below the cursor is ever skipped.

docs/sync-api.md: a pull reads only transactions older than every running one (`tx_id < pg_snapshot_xmin`),
because a transaction that began earlier but commits later gets the smaller transaction id. Here counter 1's
push is held open inside its central transaction (its events already inserted, not yet committed) while
counter 2's push commits with a larger transaction id and counter 3 pulls. Without the horizon, counter 3's
cursor would move past counter 1's transaction, and counter 1's dossier would never reach it.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

import pytest
from sync_helpers import AGENCY_A, Central, MakeCounter, accept_many, local_states, sync

from counter_app.sync import push as push_module

HOLD_S = 60.0  # the longest the held push waits for the test to let it go (a failing test must still end)


def test_a_pull_during_an_open_push_waits_for_it_and_then_gets_both(
    central: Central, make_counter: MakeCounter, monkeypatch: pytest.MonkeyPatch
) -> None:
    one = make_counter(AGENCY_A, 1)
    two = make_counter(AGENCY_A, 2)
    three = make_counter(AGENCY_A, 3)
    held_code = accept_many(one, 1)[0].code
    later_code = accept_many(two, 1, start=500)[0].code
    for number in (1, 2, 3):  # registered before anything is held open
        central.counter_url(AGENCY_A, number)

    entered = threading.Event()
    release = threading.Event()
    original = push_module.refresh_projection

    def refresh_then_hold(
        conn: Any, inserted: Sequence[tuple[str, str]], local: Any, agency: str, counter: int
    ) -> None:
        original(conn, inserted, local, agency, counter)
        if counter == 1:  # counter 1's round: its events are inserted, its central transaction stays open
            entered.set()
            release.wait(HOLD_S)

    monkeypatch.setattr(push_module, "refresh_projection", refresh_then_hold)
    outcome: dict[str, object] = {}

    def sync_one() -> None:
        try:
            outcome["report"] = sync(one, central, AGENCY_A, 1)
        except BaseException as exc:  # reported by the main thread
            outcome["error"] = exc

    worker = threading.Thread(target=sync_one, name="held-push")
    worker.start()
    try:
        assert entered.wait(HOLD_S), "counter 1's push never reached its central transaction"
        # the open transaction holds counter 1's event; counter 2 commits after it began, with a larger id
        assert sync(two, central, AGENCY_A, 2).pushed == 1
        assert central.count("SELECT count(*) FROM central.event WHERE counter = 2") == 1
        first = sync(three, central, AGENCY_A, 3)
        codes = {s.code for s in local_states(three).values()}
        # below the horizon there is nothing yet: counter 2's event is newer than the open transaction
        assert first.pulled == 0
        assert codes == set()
    finally:
        release.set()
        worker.join(HOLD_S)
    assert not worker.is_alive()
    assert "error" not in outcome, outcome.get("error")

    second = sync(three, central, AGENCY_A, 3)
    codes = {s.code for s in local_states(three).values()}
    assert {held_code, later_code} <= codes
    assert second.pulled >= 2
