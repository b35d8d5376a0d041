"""Counters sync through the city's sync service over TLS with a credential: the command line, end to end."""

from __future__ import annotations

import json
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

from sync_helpers import AGENCY_A, AGENCY_B, REPO, Central, MakeCounter, accept_many, cli_env, local_states
from sync_service_support import SyncService

from counter_app.bootstrap import Services


def _sync(service: SyncService, counter: Services, tmp_path: Path, *, copy: int, credential: str | None) -> Any:
    args = [
        *(sys.executable, "-m", "counter_app", "sync", "--db", str(counter.context.database.path)),
        *("--central", service.urls[copy], "--ca-file", str(service.ca_file), "--json"),
    ]
    if credential is not None:
        args.append("--credential-stdin")
    return subprocess.run(
        args,
        input=(credential or "") + "\n",
        capture_output=True,
        text=True,
        env=cli_env(tmp_path),
        cwd=REPO,
        timeout=120,
        check=False,
    )


def _codes(counter: Services) -> set[str]:
    return {str(s.code) for s in local_states(counter).values() if s.code}


def test_three_counters_of_two_agencies_sync_through_two_copies_of_the_service(
    service: SyncService, central: Central, make_counter: MakeCounter, tmp_path: Path
) -> None:
    a1, a2, b1 = make_counter(AGENCY_A, 1), make_counter(AGENCY_A, 2), make_counter(AGENCY_B, 1)
    made_a1 = {str(r.code) for r in accept_many(a1, 6)}
    made_a2 = {str(r.code) for r in accept_many(a2, 3, start=100)}
    made_b1 = {str(r.code) for r in accept_many(b1, 2, start=200)}

    first = _sync(service, a1, tmp_path, copy=0, credential=service.credential(AGENCY_A, 1))
    assert first.returncode == 0, first.stderr
    report = json.loads(first.stdout)
    assert {"pushed", "pulled", "failed", "dossiers"} <= set(report)
    assert (report["pushed"], report["failed"]) == (6, 0)
    for counter, agency, number in ((a2, AGENCY_A, 2), (b1, AGENCY_B, 1)):
        done = _sync(service, counter, tmp_path, copy=1, credential=service.credential(agency, number))
        assert done.returncode == 0, done.stderr
    # a1 again, without giving its credential: the one kept at the first sync is used
    again = _sync(service, a1, tmp_path, copy=1, credential=None)
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)["pulled"] == 3

    assert _codes(a1) == _codes(a2) == made_a1 | made_a2  # each holds every dossier of its agency
    assert _codes(b1) == made_b1  # and nothing of another agency
    assert central.count("SELECT count(*) FROM central.event") == 11  # every event exactly once
    # no keyring on this machine: the credential is in a file only its owner reads, not in the database
    kept = Path(a1.context.data_dir) / "sync-credential"
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    assert service.credential(AGENCY_A, 1) not in Path(a1.context.database.path).read_bytes().decode("latin-1")


def test_a_revoked_counter_is_told_so_and_keeps_its_data(
    service: SyncService, central: Central, make_counter: MakeCounter, tmp_path: Path
) -> None:
    from counter_app.central.credentials import revoke_credential
    from counter_app.sync.central_url import parse_central_url

    a1 = make_counter(AGENCY_A, 1)
    credential = service.credential(AGENCY_A, 1)
    revoke_credential(parse_central_url(central.admin_url), None, agency_code=AGENCY_A, counter=1)
    accept_many(a1, 2)
    done = _sync(service, a1, tmp_path, copy=0, credential=credential)
    assert done.returncode == 2
    assert "đã bị thu hồi" in done.stderr
    assert a1.sync.pending_count() == 2  # nothing marked sent


def test_a_service_certificate_from_another_ca_is_refused(
    service: SyncService, make_counter: MakeCounter, tmp_path: Path
) -> None:
    import trustme

    a1 = make_counter(AGENCY_A, 1)
    accept_many(a1, 1)
    stranger = tmp_path / "other-ca.pem"
    trustme.CA().cert_pem.write_to_path(str(stranger))
    service.ca_file, real = stranger, service.ca_file
    try:
        done = _sync(service, a1, tmp_path, copy=0, credential=service.credential(AGENCY_A, 1))
    finally:
        service.ca_file = real
    assert done.returncode == 2, done.stderr
    assert "chứng chỉ TLS" in done.stderr
    assert a1.sync.pending_count() == 1
