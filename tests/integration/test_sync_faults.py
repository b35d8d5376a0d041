"""Sync through the service under faults: PostgreSQL restarted mid-sync, the service unreachable, a credential
wrong or missing. (Syncs killed at random moments: test_sync_service_faults.py and the drill.)"""

from __future__ import annotations

import contextlib
import threading
from pathlib import Path

import psycopg
import pytest
from support import wait_until
from support.pg_cluster import PgCluster, free_port
from sync_helpers import (
    AGENCY_A,
    Central,
    MakeCounter,
    accept_many,
    assert_central_holds_each_local_event_once,
    central_events,
    cli,
    local_events,
    sync,
)

from counter_app.central.credentials import new_credential
from counter_app.sync import service_client
from counter_app.sync.report import SyncInterrupted, SyncReport

GATE = 150
_GATE_LOCK = 424242
_GATE_FUNCTION = f"""
CREATE FUNCTION public.push_gate() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
BEGIN
  IF (SELECT count(*) FROM central.event) > {GATE} THEN PERFORM pg_advisory_xact_lock({_GATE_LOCK}); END IF;
  RETURN NULL;
END $$"""
_GATE_TRIGGER = (
    "CREATE TRIGGER push_gate AFTER INSERT ON central.event FOR EACH STATEMENT EXECUTE FUNCTION public.push_gate()"
)


def _waits_at_gate(central: Central) -> bool:
    return central.count("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted") > 0


@pytest.mark.slow
def test_postgresql_restarted_mid_sync_then_sync_again_stores_every_event_once(
    central: Central, make_counter: MakeCounter, pg_cluster: PgCluster, monkeypatch: pytest.MonkeyPatch
) -> None:
    one = make_counter(AGENCY_A, 1)
    accept_many(one, 300)
    central.credential(AGENCY_A, 1)
    central.running_service()
    monkeypatch.setattr(service_client, "PUSH_CHUNK", 3)  # many pushes, each its own central transaction
    # Not a race with the clock: a gate stops the push that takes the central past GATE events, held by a lock
    # this test owns; the restart comes while the service's transaction waits there.
    holder = central.admin()
    holder.execute(_GATE_FUNCTION)
    holder.execute(_GATE_TRIGGER)
    holder.execute("SELECT pg_advisory_lock(%s)", [_GATE_LOCK])
    outcome: dict[str, object] = {}

    def run() -> None:
        try:
            outcome["report"] = sync(one, central, AGENCY_A, 1)
        except Exception as exc:
            outcome["error"] = exc

    syncing = threading.Thread(target=run)
    syncing.start()
    try:
        wait_until(lambda: _waits_at_gate(central), 60, "the sync never reached the gate")
        pg_cluster.restart()
    finally:
        with contextlib.suppress(psycopg.Error):
            holder.close()
        syncing.join(timeout=120)
    assert not syncing.is_alive()
    with central.admin() as admin:
        admin.execute("DROP TRIGGER push_gate ON central.event")

    stored_before = central.count("SELECT count(*) FROM central.event")
    assert stored_before == GATE  # the pushes before the gate were committed, the one waiting there was not
    error = outcome.get("error")
    assert isinstance(error, SyncInterrupted), outcome  # a clean interruption, not a crash nor a success
    assert error.exit_code == 3
    assert "Không kết nối được dịch vụ đồng bộ" in error.message
    assert error.report.pushed <= stored_before
    # nothing the central did not commit is marked sent
    sent = {u for u, (*_rest, state) in local_events(one).items() if state == 1}
    assert sent <= set(central_events(central))
    last = one.sync.last_sync()
    assert last is not None and not last.ok

    again = sync(one, central, AGENCY_A, 1)

    assert isinstance(again, SyncReport)
    assert (again.pushed, again.failed) == (300 - stored_before, 0)
    assert_central_holds_each_local_event_once(central, local_events(one))


def test_an_unreachable_service_exits_3_and_marks_nothing_sent(
    central: Central, make_counter: MakeCounter, tmp_path: Path
) -> None:
    one = make_counter(AGENCY_A, 1)
    accept_many(one, 5)
    credential = central.credential(AGENCY_A, 1)
    closed = f"https://127.0.0.1:{free_port()}"
    db = str(one.context.database.path)

    done = cli(
        tmp_path, "sync", "--db", db, "--central", closed, "--ca-file", central.ca_file, "--credential-stdin",
        "--json", input=credential + "\n",
    )  # fmt: skip

    assert done.returncode == 3, done.stderr
    assert "Không kết nối được dịch vụ đồng bộ" in done.stderr
    assert credential not in done.stderr + done.stdout
    assert one.sync.pending_count() == 5
    assert all(state == 0 for *_rest, state in local_events(one).values())
    last = one.sync.last_sync()
    assert last is not None and not last.ok


def test_a_wrong_credential_is_refused_with_exit_2(central: Central, make_counter: MakeCounter, tmp_path: Path) -> None:
    one = make_counter(AGENCY_A, 1)
    accept_many(one, 2)
    central.credential(AGENCY_A, 1)  # counter 1 has one: this is not it
    wrong = new_credential()
    db = str(one.context.database.path)

    done = cli(
        tmp_path, "sync", "--db", db, "--central", central.service_url(), "--ca-file", central.ca_file,
        "--credential-stdin", input=wrong + "\n",
    )  # fmt: skip

    assert done.returncode == 2
    assert "không hợp lệ" in done.stderr
    assert wrong not in done.stderr + done.stdout
    assert one.sync.pending_count() == 2
    assert central.count("SELECT count(*) FROM central.event") == 0


def test_without_a_credential_sync_exits_2(central: Central, make_counter: MakeCounter, tmp_path: Path) -> None:
    one = make_counter(AGENCY_A, 1)
    accept_many(one, 1)
    db = str(one.context.database.path)

    done = cli(tmp_path, "sync", "--db", db, "--central", central.service_url(), "--ca-file", central.ca_file)

    assert done.returncode == 2
    assert "Chưa có thông tin xác thực đồng bộ" in done.stderr
    assert one.sync.pending_count() == 1
