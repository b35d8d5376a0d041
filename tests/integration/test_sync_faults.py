"""Sync under faults: the process killed at random moments, PostgreSQL restarted mid-sync, the central unreachable."""

from __future__ import annotations

import contextlib
import json
import random
import signal
import sqlite3
import time
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
    central_events,
    central_states,
    cli,
    cli_popen,
    comparable,
    local_events,
    replayed_central_states,
)

KILL_TRIALS = 24


def _assert_central_holds_each_local_event_once(central: Central, events: dict[str, tuple[str, str, int, int]]) -> None:
    on_central = central_events(central)
    assert set(on_central) == set(events)
    assert central.count("SELECT count(*) FROM central.event") == len(events)
    assert central.count("SELECT count(DISTINCT (agency_code, counter, seq)) FROM central.event") == len(events)
    assert all(on_central[u][:2] == e[:2] for u, e in events.items())
    assert {u: comparable(s) for u, s in central_states(central).items()} == {
        u: comparable(s) for u, s in replayed_central_states(central).items()
    }


@pytest.mark.slow
def test_sync_killed_at_random_moments_leaves_every_event_exactly_once(
    central: Central, make_counter: MakeCounter, tmp_path: Path
) -> None:
    rng = random.Random(20261125)  # reproducible kill moments
    one = make_counter(AGENCY_A, 1)
    db = str(one.context.database.path)
    url = central.counter_url(AGENCY_A, 1)
    args = ("sync", "--db", db, "--central", url, "--batch-size", "5", "--json")
    # how long a sync of one trial's worth of events takes here, to spread the kills over its whole life
    accept_many(one, 15)
    started = time.monotonic()
    assert cli(tmp_path, *args).returncode == 0
    duration = time.monotonic() - started
    killed = 0
    deadline = time.monotonic() + 300
    for trial in range(KILL_TRIALS):
        accept_many(one, 15, start=100 + 15 * trial)
        process = cli_popen(tmp_path, *args)
        time.sleep(rng.uniform(0.2, 1.1) * duration)
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
            killed += 1
        else:
            duration *= 0.8  # the machine got faster than at the start: keep the kills inside the sync
        process.communicate(timeout=60)
        sent = {u for u, (*_rest, state) in local_events(one).items() if state == 1}
        # never marked sent before the central committed (the other way round, a kill between the central's
        # commit and the acknowledgement, is repaired by the next sync: checked at the end)
        assert sent <= set(central_events(central))
        assert time.monotonic() < deadline, "the kill loop took too long"
    assert killed >= KILL_TRIALS // 3, f"only {killed} of {KILL_TRIALS} syncs were killed mid-way"

    final = cli(tmp_path, *args)

    assert final.returncode == 0, final.stderr
    events = local_events(one)
    assert len(events) == 15 * (KILL_TRIALS + 1)
    assert all(state == 1 for *_rest, state in events.values())
    _assert_central_holds_each_local_event_once(central, events)
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)


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
    central: Central, make_counter: MakeCounter, pg_cluster: PgCluster, tmp_path: Path
) -> None:
    one = make_counter(AGENCY_A, 1)
    accept_many(one, 300)
    db = str(one.context.database.path)
    args = ("sync", "--db", db, "--central", central.counter_url(AGENCY_A, 1), "--batch-size", "3", "--json")
    # Not a race with the clock: a gate stops the push in the round that takes the central past GATE events,
    # held by a lock this test owns; the restart comes while the sync waits there.
    holder = central.admin()
    holder.execute(_GATE_FUNCTION)
    holder.execute(_GATE_TRIGGER)
    holder.execute("SELECT pg_advisory_lock(%s)", [_GATE_LOCK])
    process = cli_popen(tmp_path, *args)
    try:
        wait_until(lambda: _waits_at_gate(central), 60, "the sync never reached the gate")
        pg_cluster.restart()
    finally:
        with contextlib.suppress(psycopg.Error):
            holder.close()
    stdout, stderr = process.communicate(timeout=60)
    with central.admin() as admin:
        admin.execute("DROP TRIGGER push_gate ON central.event")

    stored_before = central.count("SELECT count(*) FROM central.event")
    assert stored_before == GATE  # the rounds before the gate were committed, the one waiting there was not
    assert process.returncode == 3, stderr
    assert "Không kết nối được máy chủ trung tâm" in stderr
    partial = json.loads(stdout)
    assert partial["pushed"] <= stored_before
    # nothing the central did not commit is marked sent
    sent = {u for u, (*_rest, state) in local_events(one).items() if state == 1}
    assert sent <= set(central_events(central))

    again = cli(tmp_path, *args)

    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)["pushed"] == 300 - stored_before
    _assert_central_holds_each_local_event_once(central, local_events(one))


def test_unreachable_central_exits_3_and_marks_nothing_sent(make_counter: MakeCounter, tmp_path: Path) -> None:
    one = make_counter(AGENCY_A, 1)
    accept_many(one, 5)
    closed = f"postgresql://ca_x_000_17_22_h56_1:secret@127.0.0.1:{free_port()}/central"

    done = cli(tmp_path, "sync", "--db", str(one.context.database.path), "--central", closed, "--json")

    assert done.returncode == 3
    assert "Không kết nối được máy chủ trung tâm" in done.stderr
    assert "secret" not in done.stderr + done.stdout
    assert one.sync.pending_count() == 5
    assert all(state == 0 for *_rest, state in local_events(one).values())
    last = one.sync.last_sync()
    assert last is not None and not last.ok


def test_a_wrong_password_is_refused_with_exit_2(central: Central, make_counter: MakeCounter, tmp_path: Path) -> None:
    one = make_counter(AGENCY_A, 1)
    account = central.add_counter(AGENCY_A, 1)
    url = central.cluster.url(central.dbname, account.role, "sai-mat-khau")

    done = cli(tmp_path, "sync", "--db", str(one.context.database.path), "--central", url)

    assert done.returncode == 2
    assert "Sai mật khẩu" in done.stderr
    assert "sai-mat-khau" not in done.stderr + done.stdout


def test_without_password_nor_terminal_sync_exits_2(
    central: Central, make_counter: MakeCounter, tmp_path: Path
) -> None:
    one = make_counter(AGENCY_A, 1)
    url = central.counter_url(AGENCY_A, 1, with_password=False)

    done = cli(tmp_path, "sync", "--db", str(one.context.database.path), "--central", url)

    assert done.returncode == 2
    assert "Chưa có mật khẩu" in done.stderr
