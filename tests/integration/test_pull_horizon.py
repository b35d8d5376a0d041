"""A pull racing a central transaction held open: nothing committed later below the cursor is ever skipped.

docs/sync-api.md: a pull reads only transactions older than every running one (`tx_id < pg_snapshot_xmin`),
because a transaction that began earlier but commits later gets the smaller transaction id. Here counter 1's
push is held open inside the service's central transaction (its events already inserted, not yet committed) while
counter 2's push commits with a larger transaction id and counter 3 pulls. Without the horizon, counter 3's
cursor would move past counter 1's transaction, and counter 1's dossier would never reach it.
"""

from __future__ import annotations

import contextlib
import threading

import psycopg
from support import wait_until
from sync_helpers import AGENCY_A, Central, MakeCounter, accept_many, local_states, sync

HOLD_S = 60.0  # the longest a failing test waits for the held push
_HOLD_LOCK = 616161
# Counter 1's events wait, inserted inside the service's central transaction, on a lock this test holds.
_HOLD_FUNCTION = f"""
CREATE FUNCTION public.hold_counter_one() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog AS $$
BEGIN
  IF NEW.agency_code = '{AGENCY_A}' AND NEW.counter = 1 THEN PERFORM pg_advisory_xact_lock({_HOLD_LOCK}); END IF;
  RETURN NULL;
END $$"""
_HOLD_TRIGGER = (
    "CREATE TRIGGER hold_counter_one AFTER INSERT ON central.event FOR EACH ROW "
    "EXECUTE FUNCTION public.hold_counter_one()"
)


def test_a_pull_during_an_open_push_waits_for_it_and_then_gets_both(
    central: Central, make_counter: MakeCounter
) -> None:
    one = make_counter(AGENCY_A, 1)
    two = make_counter(AGENCY_A, 2)
    three = make_counter(AGENCY_A, 3)
    held_code = accept_many(one, 1)[0].code
    later_code = accept_many(two, 1, start=500)[0].code
    for number in (1, 2, 3):  # registered (and the service started) before anything is held open
        central.credential(AGENCY_A, number)
    central.running_service()
    holder = central.admin()
    holder.execute(_HOLD_FUNCTION)
    holder.execute(_HOLD_TRIGGER)
    holder.execute("SELECT pg_advisory_lock(%s)", [_HOLD_LOCK])
    outcome: dict[str, object] = {}

    def sync_one() -> None:
        try:
            outcome["report"] = sync(one, central, AGENCY_A, 1)
        except BaseException as exc:  # reported by the main thread
            outcome["error"] = exc

    worker = threading.Thread(target=sync_one, name="held-push")
    worker.start()
    try:
        wait_until(
            lambda: central.count("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted") > 0,
            HOLD_S,
            "counter 1's push never reached its central transaction",
        )
        # the open transaction holds counter 1's event; counter 2 commits after it began, with a larger id
        assert sync(two, central, AGENCY_A, 2).pushed == 1
        assert central.count("SELECT count(*) FROM central.event WHERE counter = 2") == 1
        first = sync(three, central, AGENCY_A, 3)
        codes = {s.code for s in local_states(three).values()}
        # below the horizon there is nothing yet: counter 2's event is newer than the open transaction
        assert first.pulled == 0
        assert codes == set()
    finally:
        with contextlib.suppress(psycopg.Error):
            holder.execute("SELECT pg_advisory_unlock(%s)", [_HOLD_LOCK])
            holder.close()
        worker.join(HOLD_S)
    assert not worker.is_alive()
    assert "error" not in outcome, outcome.get("error")
    assert central.count("SELECT count(*) FROM central.event WHERE counter = 1") == 1

    second = sync(three, central, AGENCY_A, 3)
    codes = {s.code for s in local_states(three).values()}
    assert {held_code, later_code} <= codes
    assert second.pulled >= 2
