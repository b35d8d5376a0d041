"""`counter-app doctor`: every check with a status and what to do; the central, printers, clock and backups."""

from __future__ import annotations

import os
import socket
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from backup.backup_support import PASSPHRASE, Counter
from integration.sync_helpers import Central
from support.cups import CupsQueue
from support.pg_cluster import PgCluster

from counter_app.sync.central_admin import init_central
from counter_app.sync.central_url import parse_central_url

CHECKS = {"database", "schema", "wal", "fonts", "printers", "central", "clock", "disk", "backup", "secrets"}
STATUSES = {"ok", "warning", "problem", "unknown", "skipped"}


def _checks(data: dict[str, object]) -> dict[str, dict[str, object]]:
    return {c["name"]: c for c in data["checks"]}  # type: ignore[attr-defined, index]


@pytest.fixture
def listener() -> Iterator[int]:
    """A TCP port on 127.0.0.1 that accepts connections (what the doctor asks of the central)."""
    server = socket.create_server(("127.0.0.1", 0))
    try:
        yield server.getsockname()[1]
    finally:
        server.close()


def test_doctor_json_has_every_check_with_status_and_action(counter: Counter) -> None:
    run = counter("doctor")
    assert run.code == 0, str(run)
    data = run.json()
    assert set(data) == {"ok", "exit_code", "db", "checks", "recovery"}
    assert data["exit_code"] == 0
    assert data["recovery"] is None
    assert Path(data["db"]) == counter.db
    checks = _checks(data)
    assert set(checks) == CHECKS
    for check in data["checks"]:
        assert set(check) == {"name", "status", "summary", "action", "details"}
        assert check["status"] in STATUSES
        assert check["summary"]
        if check["status"] == "warning":
            assert check["action"], check  # a warning always says what to do
    assert checks["database"]["status"] == "ok"
    assert checks["schema"]["status"] == "ok"
    assert checks["wal"]["details"]["journal_mode"] == "wal"
    assert checks["fonts"]["status"] == "ok"
    assert checks["central"]["status"] == "skipped"  # no central_url set
    assert checks["clock"]["status"] == "skipped"
    assert checks["disk"]["details"]["free_bytes"] > 0
    assert checks["backup"]["status"] == "warning"  # none yet
    assert "counter-app backup" in checks["backup"]["action"]
    assert checks["backup"]["details"]["keyring"] == "unavailable"

    counter.ok("backup", "--passphrase-stdin", stdin=PASSPHRASE + "\n", now="2026-03-02 08:00")
    later = _checks(counter.ok("doctor", now="2026-03-02 10:00"))["backup"]
    assert later["details"]["count"] == 1
    assert later["details"]["age_hours"] == 2.0
    # still a warning: with no keyring the daily automatic backup cannot run
    assert later["status"] == "warning"


def test_doctor_on_a_missing_database_warns_and_creates_nothing(tmp_path: Path) -> None:
    counter = Counter(tmp_path / "new")
    run = counter("doctor")
    assert run.code == 0, str(run)
    checks = _checks(run.json())
    assert checks["database"]["status"] == "warning"
    assert "counter-app init" in checks["database"]["action"]
    assert not counter.db.exists()


def test_doctor_reports_whether_the_central_is_reachable(counter: Counter, listener: int) -> None:
    counter.ok("config", "set", "central_url", f"https://127.0.0.1:{listener}")
    checks = _checks(counter.ok("doctor"))
    assert checks["central"]["status"] == "ok"
    assert checks["central"]["details"]["reachable"] is True
    assert checks["clock"]["status"] == "unknown"  # reachable, but no sync service answers there

    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    counter.ok("config", "set", "central_url", f"https://127.0.0.1:{closed}")
    run = counter("doctor")
    assert run.code == 0, str(run)  # a warning, not a failure: the desk works offline
    checks = _checks(run.json())
    assert checks["central"]["status"] == "warning"
    assert checks["central"]["action"]
    assert checks["clock"]["status"] == "unknown"


def test_a_database_address_is_refused_never_dialled(counter: Counter, listener: int) -> None:
    # issue 18: counters sync only through the city's sync service, never as PostgreSQL logins
    run = counter("config", "set", "central_url", f"postgresql://quay_1@127.0.0.1:{listener}/mot_cua")
    assert run.code == 2, str(run)
    assert "dịch vụ đồng bộ của thành phố" in run.message() and "https://" in run.message()
    # an address kept from before the cutover: named with the reason, and nobody connects to it
    with sqlite3.connect(counter.db) as db:
        db.execute(
            "INSERT OR REPLACE INTO setting (key, value) VALUES ('central_url', ?)",
            [f"postgresql://quay_1@127.0.0.1:{listener}/mot_cua"],
        )
    checks = _checks(counter.ok("doctor"))
    assert checks["central"]["status"] == "warning"
    assert "dịch vụ đồng bộ của thành phố" in checks["central"]["summary"]
    assert "https://" in checks["central"]["action"]
    assert checks["central"]["details"]["reachable"] is False
    assert checks["clock"]["status"] == "unknown"
    for args in (("sync",), ("sync", "--central", f"postgresql://quay_1:bi-mat@127.0.0.1:{listener}/mot_cua")):
        run = counter(*args)
        assert run.code == 2, str(run)
        assert "dịch vụ đồng bộ của thành phố" in run.message()


def test_doctor_compares_the_clock_with_the_sync_service(counter: Counter, pg_cluster: PgCluster) -> None:
    dbname = f"doctor_clock_{os.getpid()}"
    init_central(parse_central_url(pg_cluster.create_database(dbname)), None)
    central = Central(pg_cluster, dbname, folder=counter.home / "service")
    try:
        counter.ok("config", "set", "central_url", central.service_url())
        counter.ok("config", "set", "central_ca_file", central.ca_file)
        checks = _checks(counter.ok("doctor"))
    finally:
        central.close()
        pg_cluster.drop_database(dbname)
    assert checks["central"]["status"] == "ok"
    assert checks["clock"]["status"] == "ok", checks["clock"]
    # the service runs on this machine: the same clock, give or take the second its Date header is rounded to
    assert abs(checks["clock"]["details"]["skew_seconds"]) < 5


def test_doctor_lists_printers_and_names_a_configured_one_that_is_gone(counter: Counter, cups_env: CupsQueue) -> None:
    checks = _checks(counter.ok("doctor"))
    assert checks["printers"]["status"] == "ok", checks["printers"]
    assert cups_env.name in checks["printers"]["details"]["queues"]

    counter.ok("config", "set", "printer_receipt", "May-In-Da-Thao")
    checks = _checks(counter.ok("doctor"))
    assert checks["printers"]["status"] == "warning"
    assert "May-In-Da-Thao" in checks["printers"]["summary"]
