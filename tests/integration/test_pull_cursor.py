"""The pull's cursor across the central's transaction ids crossing a power of ten (issue 18, item 1).

A cursor compared as text puts `10003` before `1261`: a counter that synced before the crossing would then
skip, for good, every event written after it, and a counter joining later could stop short. Each test burns
transaction ids on the central until the next power of ten lies between two pushes, and checks the precondition
(the two batches' transaction ids really have different numbers of digits) before the outcome.
"""

from __future__ import annotations

import sqlite3
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from sync_helpers import AGENCY_A, Central, MakeCounter, accept_many, local_states, sync

from counter_app.bootstrap import build_services
from counter_app.domain.dossier import DossierState
from counter_app.services.common.clock import SystemClock
from counter_app.storage import migrate
from counter_app.storage.database import open_database
from counter_app.storage.pull_cursor import PullCursor
from counter_app.sync.central_schema import DOSSIER_LOCK_NAMESPACE

BATCH = 12


def _current_xid(central: Central) -> int:
    with central.admin() as conn:
        row = conn.execute("SELECT pg_current_xact_id()::text").fetchone()
    assert row is not None
    return int(str(row[0]))


def _burn_xids_to(central: Central, target: int) -> None:
    """Commit empty transactions, each taking a transaction id, until the next id is at least `target`."""
    missing = target - _current_xid(central)
    if missing <= 0:
        return
    with central.admin() as conn:
        conn.autocommit = True  # a DO block may COMMIT only outside an explicit transaction
        conn.execute(f"DO $$ BEGIN FOR i IN 1..{missing} LOOP PERFORM pg_current_xact_id(); COMMIT; END LOOP; END $$")


def _next_power_of_ten(n: int) -> int:
    power = 10
    while power <= n:
        power *= 10
    return power


def _tx_ids_of(central: Central, codes: list[str]) -> list[int]:
    with central.admin() as conn:
        rows = conn.execute(
            "SELECT e.tx_id::text FROM central.event e JOIN central.dossier d ON d.uuid = e.dossier_uuid "
            "WHERE d.code = ANY(%s)",
            [codes],
        ).fetchall()
    return [int(str(r[0])) for r in rows]


def _codes(states: dict[str, DossierState]) -> set[str]:
    return {str(state.code) for state in states.values()}


def test_counters_hold_every_dossier_after_transaction_ids_cross_a_power_of_ten(
    central: Central, make_counter: MakeCounter
) -> None:
    one, two = make_counter(AGENCY_A, 1), make_counter(AGENCY_A, 2)
    # each sync takes a few transaction ids: leave room for the first round below the power of ten
    power = _next_power_of_ten(_current_xid(central) + 400)
    _burn_xids_to(central, power - 200)

    before = [r.code for r in accept_many(one, BATCH)]
    assert sync(one, central, AGENCY_A, 1).failed == 0
    assert sync(two, central, AGENCY_A, 2).failed == 0  # counter 2's cursor now stands below the power of ten
    _burn_xids_to(central, power + 5)
    after = [r.code for r in accept_many(one, BATCH, start=BATCH)]
    assert sync(one, central, AGENCY_A, 1).failed == 0

    first_ids, second_ids = _tx_ids_of(central, [str(c) for c in before]), _tx_ids_of(central, [str(c) for c in after])
    assert first_ids and max(first_ids) < power, (first_ids, power)
    assert second_ids and min(second_ids) > power, (second_ids, power)
    assert len(str(max(first_ids))) < len(str(min(second_ids)))  # the text order of the two batches is reversed

    assert sync(two, central, AGENCY_A, 2).failed == 0
    expected = {str(c) for c in before + after}
    assert _codes(local_states(two)) == expected  # nothing written after the crossing was skipped

    # a counter that joins after the crossing reads the whole log, both sides of it
    three = make_counter(AGENCY_A, 3)
    assert sync(three, central, AGENCY_A, 3).failed == 0
    assert _codes(local_states(three)) == expected


def test_the_upgrade_forgets_a_stored_cursor_and_the_next_pull_takes_back_what_it_skipped(
    central: Central, make_counter: MakeCounter, tmp_path: Path
) -> None:
    one = make_counter(AGENCY_A, 1)
    two = make_counter(AGENCY_A, 2)
    two.close()
    db_path = tmp_path / f"counter-{AGENCY_A}-2" / "counter.db"
    codes = {str(r.code) for r in accept_many(one, BATCH)}
    assert sync(one, central, AGENCY_A, 1).failed == 0
    with central.admin() as conn:
        row = conn.execute("SELECT max(tx_id)::text, max(server_seq) FROM central.event").fetchone()
    assert row is not None
    # counter 2 as an older build left it: one revision back, with a cursor past events it never read
    from alembic import command

    database = open_database(db_path)
    command.downgrade(migrate.alembic_config(database.writer), "0006")
    database.dispose()
    with sqlite3.connect(db_path) as conn:
        conn.execute("INSERT OR REPLACE INTO setting (key, value) VALUES ('sync_cursor', ?)", (f"{row[0]}:{row[1]}",))

    upgraded = build_services(db_path, SystemClock())
    try:
        assert sync(upgraded, central, AGENCY_A, 2).failed == 0
        assert _codes(local_states(upgraded)) == codes
    finally:
        upgraded.close()


def test_the_local_cursor_orders_transaction_ids_as_numbers() -> None:
    assert PullCursor.parse("10003:1") > PullCursor.parse("1261:5")
    assert PullCursor.parse("999:7") < PullCursor.parse("1000:1")
    assert PullCursor.parse(PullCursor(10003, 42).text()) == PullCursor(10003, 42)


def _wait_for_blocked_advisory_lock(central: Central, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    with central.admin() as conn:
        conn.autocommit = True
        while time.monotonic() < deadline:
            row = conn.execute("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted").fetchone()
            if row is not None and int(str(row[0])) > 0:
                return
            time.sleep(0.02)
    raise AssertionError("the push never reached the dossier lock")


def test_a_pull_never_moves_past_a_transaction_still_open_on_the_central(
    central: Central, make_counter: MakeCounter
) -> None:
    """Counter 3's push holds its transaction open (its events already have their transaction id) while counter
    1's later push commits; counter 2 pulls in between. Once counter 3 commits, counter 2 must still get its
    events: a cursor moved to counter 1's newer transaction would pass them by for good."""
    one, two, three = (make_counter(AGENCY_A, n) for n in (1, 2, 3))
    held = accept_many(three, 1, start=500)[0]
    assert sync(three, central, AGENCY_A, 3).failed == 0
    three.dossiers.withdraw(str(held.code), "Công dân xin rút hồ sơ")  # an event of a dossier the central knows

    blocker = central.admin()
    blocker.autocommit = False  # the lock is held until the commit below
    blocker.execute("SELECT pg_advisory_xact_lock(%s, hashtext(%s))", [DOSSIER_LOCK_NAMESPACE, held.uuid])
    with ThreadPoolExecutor(1) as pool:
        pushing = pool.submit(sync, three, central, AGENCY_A, 3)
        try:
            _wait_for_blocked_advisory_lock(central)
            later = accept_many(one, 1, start=600)[0]
            assert sync(one, central, AGENCY_A, 1).failed == 0
            assert sync(two, central, AGENCY_A, 2).failed == 0
            # counter 1's newer transaction is committed, yet it lies past the open one: not read yet
            assert str(later.code) not in _codes(local_states(two))
        finally:
            blocker.commit()
            blocker.close()
        assert pushing.result(timeout=60).failed == 0

    assert sync(two, central, AGENCY_A, 2).failed == 0
    states = local_states(two)
    assert states[held.uuid].status == three.dossiers.get_state(held.uuid).status  # the withdrawal arrived
    assert str(later.code) in _codes(states)
