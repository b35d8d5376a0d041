"""Sync through the service under faults: the counter's process killed at random moments, PostgreSQL restarted
mid-sync. Whatever happens, the central holds every event once and nothing is marked sent before it is there."""

from __future__ import annotations

import contextlib
import json
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest
from support import wait_until
from support.pg_cluster import PgCluster
from sync_helpers import (
    AGENCY_A,
    REPO,
    Central,
    MakeCounter,
    accept_many,
    assert_central_holds_each_local_event_once,
    central_events,
    cli_env,
    local_events,
)
from sync_service_support import SyncService

from counter_app.bootstrap import Services

KILL_TRIALS = 12


def _args(service: SyncService, counter: Services, copy: int) -> list[str]:
    return [
        *(sys.executable, "-m", "counter_app", "sync", "--db", str(counter.context.database.path)),
        *("--central", service.urls[copy], "--ca-file", str(service.ca_file), "--json"),
    ]


def _start(service: SyncService, counter: Services, tmp_path: Path, copy: int) -> subprocess.Popen[str]:
    return subprocess.Popen(
        _args(service, counter, copy),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=cli_env(tmp_path),
        cwd=REPO,
        stdin=subprocess.DEVNULL,
    )


def _first_sync(service: SyncService, counter: Services, tmp_path: Path) -> float:
    """The first sync gives the credential (kept); returns how long one sync took, to spread the kills over it."""
    started = time.monotonic()
    done = subprocess.run(
        [*_args(service, counter, 0), "--credential-stdin"],
        input=service.credential(AGENCY_A, 1) + "\n",
        capture_output=True,
        text=True,
        env=cli_env(tmp_path),
        cwd=REPO,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return time.monotonic() - started


def _assert_each_local_event_once_on_the_central(central: Central, counter: Services) -> None:
    mine = local_events(counter)
    assert_central_holds_each_local_event_once(central, mine)
    assert all(state == 1 for *_rest, state in mine.values())  # and every one acknowledged locally
    with sqlite3.connect(counter.context.database.path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)


@pytest.mark.slow
def test_syncs_killed_at_random_moments_leave_every_event_once(
    service: SyncService, central: Central, make_counter: MakeCounter, tmp_path: Path
) -> None:
    rng = random.Random(20261207)  # reproducible kill moments
    one = make_counter(AGENCY_A, 1)
    accept_many(one, 10)
    duration = _first_sync(service, one, tmp_path)
    killed = 0
    for trial in range(KILL_TRIALS):
        accept_many(one, 10, start=100 + 10 * trial)
        process = _start(service, one, tmp_path, copy=trial % 2)
        time.sleep(rng.uniform(0.1, 1.2) * duration)
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
            killed += 1
        process.communicate(timeout=60)
        sent = {u for u, (*_rest, state) in local_events(one).items() if state == 1}
        assert sent <= set(central_events(central))  # never marked sent before the central holds it
    assert killed >= KILL_TRIALS // 3, f"only {killed} of {KILL_TRIALS} syncs were killed mid-way"

    final = _start(service, one, tmp_path, copy=0)
    out, err = final.communicate(timeout=120)
    assert final.returncode == 0, err
    assert json.loads(out)["failed"] == 0
    assert len(local_events(one)) == 10 * (KILL_TRIALS + 1)
    _assert_each_local_event_once_on_the_central(central, one)


_GATE_LOCK = 515151


@pytest.mark.slow
def test_postgresql_restarted_while_the_service_stores_a_push(
    service: SyncService, central: Central, make_counter: MakeCounter, pg_cluster: PgCluster, tmp_path: Path
) -> None:
    """The service holds the push's transaction when PostgreSQL restarts: the counter hears that the central is
    unreachable (exit 3), nothing is marked sent, and the next sync stores every event once."""
    one = make_counter(AGENCY_A, 1)
    accept_many(one, 3)
    _first_sync(service, one, tmp_path)
    accept_many(one, 20, start=50)
    holder = central.admin()
    holder.execute(
        "CREATE FUNCTION public.push_gate() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER "
        f"SET search_path = pg_catalog AS $$ BEGIN PERFORM pg_advisory_xact_lock({_GATE_LOCK}); RETURN NULL; END $$"
    )
    holder.execute(
        "CREATE TRIGGER push_gate AFTER INSERT ON central.event FOR EACH STATEMENT EXECUTE FUNCTION public.push_gate()"
    )
    holder.execute("SELECT pg_advisory_lock(%s)", [_GATE_LOCK])
    process = _start(service, one, tmp_path, copy=1)
    try:
        wait_until(
            lambda: central.count("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted") > 0,
            60,
            "the push never reached the gate",
        )
        pg_cluster.restart()
    finally:
        with contextlib.suppress(psycopg.Error):
            holder.close()
    out, err = process.communicate(timeout=120)
    assert process.returncode == 3, err
    assert "Không kết nối được dịch vụ đồng bộ" in err
    with central.admin() as admin:
        admin.execute("DROP TRIGGER push_gate ON central.event")
    assert central.count("SELECT count(*) FROM central.event") == 3  # the gated round was not stored
    assert one.sync.pending_count() == 20  # and nothing of it marked sent

    again = _start(service, one, tmp_path, copy=0)
    out, err = again.communicate(timeout=120)
    assert again.returncode == 0, err
    assert json.loads(out)["pushed"] == 20
    _assert_each_local_event_once_on_the_central(central, one)
