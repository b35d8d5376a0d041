"""The count check after a pull, through the real sync service over TLS (issue 18, item 5): a counter that lost
pulled events, or whose cursor moved past events it never read, is repaired at its next sync and says so; an
honest counter is checked and repairs nothing, also while a running transaction holds the pull back or a dossier
met late brings history past the cursor; equal counts of different sets are told apart by the digest; the
central's count is the caller's under row-level security."""

from __future__ import annotations

import json
import sqlite3
import uuid
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sync_helpers import (
    AGENCY_A,
    AGENCY_B,
    Central,
    MakeCounter,
    accept_many,
    cli,
    local_events,
    local_states,
    service_sync_args,
    sync,
)
from sync_service_support import SyncService

from counter_app.bootstrap import Services
from counter_app.domain.clock import VN_TZ
from counter_app.storage.held_events import count_held


def _count(service: SyncService, agency: str, number: int, cursor: str) -> dict[str, Any]:
    tx, _, seq = cursor.partition(":")
    with service.client(service.credential(agency, number)) as client:
        answer = client.get("/v1/count", params={"tx": tx, "seq": seq})
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def _cursor(counter: Services) -> str:
    with sqlite3.connect(counter.context.database.path) as conn:
        row = conn.execute("SELECT value FROM setting WHERE key = 'sync_cursor'").fetchone()
    return str(row[0]) if row else "0:0"


def _codes(counter: Services) -> set[str]:
    return {str(s.code) for s in local_states(counter).values() if s.code}


def test_an_honest_counter_is_checked_and_repairs_nothing(
    service: SyncService, central: Central, make_counter: MakeCounter
) -> None:
    a1, a2 = make_counter(AGENCY_A, 1), make_counter(AGENCY_A, 2)
    accept_many(a1, 3)
    accept_many(a2, 2, start=100)
    assert sync(a1, central, AGENCY_A, 1).failed == 0
    first = sync(a2, central, AGENCY_A, 2)
    assert (first.pulled, first.repaired, first.count_mismatch) == (3, 0, False)
    accept_many(a1, 1, start=10)
    assert sync(a1, central, AGENCY_A, 1).failed == 0
    again = sync(a2, central, AGENCY_A, 2)
    assert (again.pulled, again.failed, again.repaired, again.count_mismatch) == (1, 0, 0, False)

    # what the check compared: the central's tallies are exactly the counter's, digests included
    answer = _count(service, AGENCY_A, 2, _cursor(a2))
    held = count_held(a2.context.database, AGENCY_A, 2, answer["beyond"])
    assert answer["beyond"] == [] and answer["beyond_full"] is False
    assert answer["others"]["count"] == central.count("SELECT count(*) FROM central.event WHERE counter = 1") == 4
    assert answer["own"]["count"] == central.count("SELECT count(*) FROM central.event WHERE counter = 2") == 2
    assert (held.others.count, held.others.digest) == (answer["others"]["count"], answer["others"]["digest"])
    assert (held.own.count, held.own.digest) == (answer["own"]["count"], answer["own"]["digest"])


def test_a_counter_that_lost_pulled_events_takes_them_back_and_reports_it(
    service: SyncService, central: Central, make_counter: MakeCounter, tmp_path: Path
) -> None:
    a1, a2 = make_counter(AGENCY_A, 1), make_counter(AGENCY_A, 2)
    made = {str(r.code) for r in accept_many(a1, 4)}
    assert sync(a1, central, AGENCY_A, 1).failed == 0
    assert sync(a2, central, AGENCY_A, 2).pulled == 4
    before = local_events(a2)
    lost = sorted(before)[:2]
    with sqlite3.connect(a2.context.database.path) as conn:  # a damaged store: pulled rows gone
        conn.executemany("DELETE FROM event WHERE uuid = ?", [(u,) for u in lost])
    assert set(local_events(a2)) == set(before) - set(lost)

    done = cli(tmp_path, *service_sync_args(central, a2.context.database.path), input=central.credential(AGENCY_A, 2))
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert {"pushed", "pulled", "failed", "dossiers"} <= set(report)
    assert (report["pulled"], report["failed"], report["repaired"]) == (0, 0, 2)
    assert local_events(a2) == before
    assert _codes(a2) == made
    # repaired for good: the next sync checks again and finds nothing to repair
    after = sync(a2, central, AGENCY_A, 2)
    assert (after.repaired, after.count_mismatch) == (0, False)


def test_a_cursor_moved_past_unread_events_is_caught_by_the_count_and_repaired(
    service: SyncService, central: Central, make_counter: MakeCounter
) -> None:
    a1, a2 = make_counter(AGENCY_A, 1), make_counter(AGENCY_A, 2)
    accept_many(a1, 2)
    assert sync(a1, central, AGENCY_A, 1).failed == 0
    assert sync(a2, central, AGENCY_A, 2).pulled == 2
    unseen = {str(r.code) for r in accept_many(a1, 3, start=10)}
    assert sync(a1, central, AGENCY_A, 1).failed == 0
    with central.admin() as conn:
        row = conn.execute(
            "SELECT tx_id::text, server_seq FROM central.event ORDER BY tx_id DESC, server_seq DESC LIMIT 1"
        ).fetchone()
    assert row is not None
    with sqlite3.connect(a2.context.database.path) as conn:  # a cursor that skipped A1's last push
        conn.execute("UPDATE setting SET value = ? WHERE key = 'sync_cursor'", (f"{row[0]}:{row[1]}",))

    report = sync(a2, central, AGENCY_A, 2)
    assert (report.pulled, report.failed, report.repaired, report.count_mismatch) == (0, 0, 3, False)
    assert unseen <= _codes(a2)
    of_a1 = local_events(a1)
    assert set(local_events(a2)) == {u for u, e in of_a1.items() if e[3] == 1}  # all of A1's on the central


def test_the_count_is_the_callers_under_row_level_security(
    service: SyncService, central: Central, make_counter: MakeCounter
) -> None:
    a1, b1, b2 = make_counter(AGENCY_A, 1), make_counter(AGENCY_B, 1), make_counter(AGENCY_B, 2)
    accept_many(a1, 3)
    accept_many(b2, 1, start=100)
    assert sync(a1, central, AGENCY_A, 1).failed == 0
    assert sync(b2, central, AGENCY_B, 2).failed == 0
    report = sync(b1, central, AGENCY_B, 1)
    # B1 holds B2's dossier only; a count that saw A's dossiers would "repair" forever and never match
    assert (report.pulled, report.repaired, report.count_mismatch) == (1, 0, False)

    answer = _count(service, AGENCY_B, 1, _cursor(b1))
    of_b2 = central.count("SELECT count(*) FROM central.event WHERE agency_code = %s AND counter = 2", AGENCY_B)
    everyone = central.count("SELECT count(*) FROM central.event")
    assert answer["others"]["count"] == of_b2 == 1
    assert everyone > of_b2 + answer["own"]["count"]  # A's events lie before B1's cursor, and are not counted
    assert answer["own"]["count"] == 0 and answer["beyond"] == []
    # the same question asked by A's counter counts A's events, not B's
    a_answer = _count(service, AGENCY_A, 2, _cursor(b1))
    assert a_answer["others"]["count"] == central.count(
        "SELECT count(*) FROM central.event WHERE agency_code = %s", AGENCY_A
    )


def test_equal_counts_of_a_different_set_are_seen_by_the_digest(
    service: SyncService, central: Central, make_counter: MakeCounter
) -> None:
    a1, a2 = make_counter(AGENCY_A, 1), make_counter(AGENCY_A, 2)
    accept_many(a1, 3)
    assert sync(a1, central, AGENCY_A, 1).failed == 0
    assert sync(a2, central, AGENCY_A, 2).pulled == 3
    lost = sorted(local_events(a2))[0]
    with sqlite3.connect(a2.context.database.path) as conn:
        # one pulled event gone, and one the central never held in its place: the count alone would agree
        conn.execute(
            "INSERT INTO event (uuid, dossier_uuid, kind, payload, occurred_at, agency_code, counter, seq, clerk, "
            "origin, sync_state, sync_error, prev_hash, hash) "
            "SELECT ?, ?, kind, payload, occurred_at, agency_code, counter, 999, clerk, origin, sync_state, "
            "sync_error, prev_hash, hash FROM event WHERE uuid = ?",
            (str(uuid.uuid4()), str(uuid.uuid4()), lost),
        )
        conn.execute("DELETE FROM event WHERE uuid = ?", (lost,))

    report = sync(a2, central, AGENCY_A, 2)
    # the lost event is back; the one the central does not show stays, and the report says the sets still differ
    assert (report.repaired, report.count_mismatch) == (1, True)
    assert lost in local_events(a2)


def test_a_pull_held_back_by_a_running_transaction_is_no_loss(
    service: SyncService, central: Central, make_counter: MakeCounter
) -> None:
    a1, a2 = make_counter(AGENCY_A, 1), make_counter(AGENCY_A, 2)
    accept_many(a1, 2)
    assert sync(a1, central, AGENCY_A, 1).failed == 0
    with central.admin() as blocker:
        blocker.execute("BEGIN")
        blocker.execute("SELECT pg_current_xact_id()")  # a transaction with an id, left running
        accept_many(a1, 2, start=10)
        assert sync(a1, central, AGENCY_A, 1).failed == 0
        accept_many(a2, 1, start=100)
        held_back = sync(a2, central, AGENCY_A, 2)
        # A1's second push lies past the horizon: not pulled yet, and not taken for a loss either
        assert (held_back.pushed, held_back.pulled, held_back.repaired, held_back.count_mismatch) == (1, 2, 0, False)
        assert len(_count(service, AGENCY_A, 2, _cursor(a2))["beyond"]) == 2
        blocker.execute("ROLLBACK")
    caught_up = sync(a2, central, AGENCY_A, 2)
    assert (caught_up.pulled, caught_up.repaired, caught_up.count_mismatch) == (2, 0, False)


class SteppedClock:
    """The system clock moved on by hand, so that steps of different counters never share a second."""

    def __init__(self) -> None:
        self.offset = timedelta()

    def now(self) -> datetime:
        return datetime.now(VN_TZ) + self.offset

    def advance(self) -> None:
        self.offset += timedelta(minutes=1)


def test_history_past_the_cursor_of_a_dossier_met_late_is_no_mismatch(
    service: SyncService, central: Central, make_counter: MakeCounter
) -> None:
    clock = SteppedClock()
    a1 = make_counter(AGENCY_A, 1, clock=clock)
    b1, b2 = make_counter(AGENCY_B, 1, clock=clock), make_counter(AGENCY_B, 2, clock=clock)
    (shared,) = accept_many(a1, 1)
    assert sync(a1, central, AGENCY_A, 1).failed == 0
    accept_many(b2, 1, start=100)
    assert sync(b2, central, AGENCY_B, 2).failed == 0
    # B1's cursor passes A's dossier, invisible to B then, on its way to B2's
    assert sync(b1, central, AGENCY_B, 1).pulled == 1
    a1.dossiers.transfer(str(shared.code), to_agency=AGENCY_B)
    clock.advance()
    assert sync(a1, central, AGENCY_A, 1).failed == 0
    assert sync(b2, central, AGENCY_B, 2).pulled == 2
    with central.admin() as blocker:
        blocker.execute("BEGIN")
        blocker.execute("SELECT pg_current_xact_id()")  # B2's next push will lie past the horizon
        b2.dossiers.request_supplement(str(shared.code), "Thiếu bản sao giấy khai sinh")
        clock.advance()
        assert sync(b2, central, AGENCY_B, 2).pushed == 1
        # B1 meets the dossier by its transfer and takes its whole history, B2's step past the cursor included
        report = sync(b1, central, AGENCY_B, 1)
        assert (report.pulled, report.failed, report.repaired, report.count_mismatch) == (3, 0, 0, False)
        answer = _count(service, AGENCY_B, 1, _cursor(b1))
        assert len(answer["beyond"]) == 1 and answer["beyond"][0] in local_events(b1)
        blocker.execute("ROLLBACK")
    again = sync(b1, central, AGENCY_B, 1)
    assert (again.pulled, again.repaired, again.count_mismatch) == (0, 0, False)
