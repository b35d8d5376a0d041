"""Where the audit key lives (keyring, else a 0600 file), what happens when it is not where it was, other counters."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import sqlite3
import stat
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from security.security_support import AGENCY, StepClock, event_rows, open_counter, person_form

from counter_app.bootstrap import Services
from counter_app.domain.audit_chain import ChainLink, canonical_bytes
from counter_app.errors import RuleError
from counter_app.services.common.audit_keys import AuditKeyStore


@pytest.fixture
def headless(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Services]:
    """A counter on a machine without any keyring backend (no session bus)."""
    monkeypatch.delenv("DBUS_SESSION_BUS_ADDRESS", raising=False)
    monkeypatch.delenv("PYTHON_KEYRING_BACKEND", raising=False)
    services = open_counter(tmp_path / "c.db", StepClock())
    yield services
    services.close()


def test_without_a_keyring_the_key_is_a_file_only_its_owner_reads_and_this_is_said(
    headless: Services, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING):
        headless.intake.accept(person_form())
    path = headless.context.data_dir / "audit-keys" / f"{AGENCY}-1.key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert "no system keyring" in caplog.text
    report = headless.audit.verify()
    assert report.ok
    assert report.key is not None
    assert report.key.storage == "file"
    assert str(path) in report.key.message
    assert "kho khóa" in report.key.message


def test_the_hash_is_the_hmac_of_the_documented_fields(headless: Services) -> None:
    """Recomputed by hand from docs/security.md: HMAC-SHA256 over the JSON array of the ten fields."""
    import base64

    headless.intake.accept(person_form())
    row = event_rows(headless.context.database.path)[0]
    key = base64.b64decode((headless.context.data_dir / "audit-keys" / f"{AGENCY}-1.key").read_text())
    fields = [
        row["uuid"],
        row["kind"],
        row["dossier_uuid"],
        row["payload"],
        row["occurred_at"],
        row["agency_code"],
        row["counter"],
        row["seq"],
        row["clerk"],
        row["prev_hash"],
    ]
    message = json.dumps(fields, ensure_ascii=False, separators=(",", ":")).encode()
    assert row["hash"] == hmac.new(key, message, hashlib.sha256).hexdigest()
    assert row["occurred_at"] == "2026-03-02T09:00:00+07:00"


def test_a_process_without_the_keyring_refuses_to_fork_a_keyring_chain(
    tmp_path: Path, secret_service_env: dict[str, str]
) -> None:
    services = open_counter(tmp_path / "c.db", StepClock())
    try:
        services.intake.accept(person_form())
        # the same database opened where the keyring cannot be reached (a job outside the desktop session)
        services.context.audit_keys = AuditKeyStore(services.context.data_dir, use_keyring=False)
        with pytest.raises(RuleError, match="kho khóa"):
            services.intake.accept(person_form(name="Lê Văn Tám"))
        assert len(event_rows(services.context.database.path)) == 1
        assert not (services.context.data_dir / "audit-keys").exists()
    finally:
        services.close()


def _blank_chain(db: Path) -> None:
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE event SET prev_hash = '', hash = ''")


def test_events_from_before_the_chain_are_sealed_when_the_first_key_is_made(headless: Services) -> None:
    headless.intake.accept(person_form())
    headless.intake.accept(person_form(name="Lê Văn Tám"))
    db = headless.context.database.path
    # as an installation upgraded from before the audit chain: no hashes, no key, no note of one
    _blank_chain(db)
    (headless.context.data_dir / "audit-keys" / f"{AGENCY}-1.key").unlink()
    with sqlite3.connect(db) as conn:
        conn.execute("DELETE FROM setting WHERE key LIKE 'audit_key_home:%'")
    headless.context.audit_keys = AuditKeyStore(headless.context.data_dir)  # a new process: nothing cached
    headless.intake.accept(person_form(name="Đỗ Thị Hoa"))
    stored = event_rows(db)
    assert all(r["hash"] for r in stored)
    assert headless.audit.verify().ok


def test_blanked_hashes_are_not_sealed_again_while_the_key_exists(headless: Services) -> None:
    headless.intake.accept(person_form())
    headless.intake.accept(person_form(name="Lê Văn Tám"))
    db = headless.context.database.path
    _blank_chain(db)
    headless.context.audit_keys = AuditKeyStore(headless.context.data_dir)
    headless.intake.accept(person_form(name="Đỗ Thị Hoa"))
    broken = headless.audit.verify().broken
    assert broken is not None
    assert broken.seq == 1


def _other_counter_rows(db: Path, seqs: list[int], *, break_at: int | None = None) -> list[str]:
    """Events of counter 2 as pulled from the central: their own counter's hashes, only some rows visible."""
    key = b"counter-2-key-unknown-here-00000"
    prev = ""
    uuids: list[str] = []
    rows = []
    for seq in range(1, max(seqs) + 1):
        link = ChainLink(
            str(uuid.uuid4()),
            "calendar.imported",
            None,
            "{}",
            "2026-03-02T10:00:00+07:00",
            AGENCY,
            2,
            seq,
            "canbo2",
            prev,
        )
        digest = hmac.new(key, canonical_bytes(link), hashlib.sha256).hexdigest()
        rows.append((link, prev, digest))
        prev = digest
    with sqlite3.connect(db) as conn:
        for link, prev_hash, digest in rows:
            if link.seq not in seqs:
                continue
            stored_prev = "forged" if link.seq == break_at else prev_hash
            conn.execute(
                "INSERT INTO event (uuid, dossier_uuid, kind, payload, occurred_at, agency_code, counter, seq, clerk,"
                " origin, sync_state, sync_error, prev_hash, hash)"
                " VALUES (?, NULL, ?, ?, ?, ?, ?, ?, ?, 'central', 1, '', ?, ?)",
                (
                    link.uuid,
                    link.kind,
                    link.payload,
                    link.occurred_at,
                    AGENCY,
                    2,
                    link.seq,
                    link.clerk,
                    stored_prev,
                    digest,
                ),
            )
            uuids.append(link.uuid)
    return uuids


def test_other_counters_are_checked_for_linkage_only_and_gaps_are_normal(headless: Services) -> None:
    headless.intake.accept(person_form())
    db = headless.context.database.path
    _other_counter_rows(db, [1, 2, 5, 6, 9])
    report = headless.audit.verify()
    assert report.ok
    assert (report.checked, report.chains) == (6, 2)


def test_a_broken_link_between_consecutive_pulled_rows_is_named(headless: Services) -> None:
    headless.intake.accept(person_form())
    db = headless.context.database.path
    uuids = _other_counter_rows(db, [1, 2, 5, 6, 9], break_at=6)
    broken = headless.audit.verify().broken
    assert broken is not None
    assert (broken.counter, broken.seq, broken.event_uuid, broken.what.value) == (2, 6, uuids[3], "inserted")


def test_a_lost_file_key_made_again_is_recorded_and_explains_the_old_events(
    headless: Services, caplog: pytest.LogCaptureFixture
) -> None:
    """The key file disappears (a restored data folder, a careless clean-up): the next event is preceded by one
    that records the new key, and verify says why the events before it cannot be checked any more."""
    headless.intake.accept(person_form())
    headless.intake.accept(person_form(name="Lê Văn Tám"))
    db = headless.context.database.path
    key_file = headless.context.data_dir / "audit-keys" / f"{AGENCY}-1.key"
    old_key = key_file.read_text()
    key_file.unlink()
    headless.context.audit_keys = AuditKeyStore(headless.context.data_dir)  # a new process: nothing cached
    with caplog.at_level(logging.ERROR):
        headless.intake.accept(person_form(name="Đỗ Thị Hoa"))

    stored = event_rows(db)
    assert [r["seq"] for r in stored] == [1, 2, 3, 4]
    change = stored[2]
    assert change["kind"] == "audit.key_replaced"
    assert json.loads(change["payload"]) == {"events_before": 2}
    assert change["prev_hash"] == stored[1]["hash"]
    assert stored[3]["prev_hash"] == change["hash"]
    new_key = key_file.read_text()
    assert new_key != old_key
    for secret in (old_key.strip(), new_key.strip()):  # no key in the event, nor in the log
        assert secret not in json.dumps([dict(r) for r in stored])
        assert secret not in caplog.text
    assert "new key" in caplog.text

    report = headless.audit.verify()
    assert [(b.seq, b.event_uuid, b.what.value) for b in report.breaks] == [(1, stored[0]["uuid"], "key_replaced")]
    assert report.broken == report.breaks[0]
    assert "khóa mới" in report.broken.message


def test_a_keyring_key_made_again_is_recorded_and_the_command_says_so(
    tmp_path: Path, secret_service_env: dict[str, str]
) -> None:
    import keyring
    from cli.cli_support import Cli

    services = open_counter(tmp_path / "c.db", StepClock())
    try:
        services.intake.accept(person_form())
        keyring.delete_password("counter_app", f"audit-key:{AGENCY}:1")
        services.context.audit_keys = AuditKeyStore(services.context.data_dir)
        services.intake.accept(person_form(name="Lê Văn Tám"))
        db = services.context.database.path
        stored = event_rows(db)
        assert [r["kind"] for r in stored][1] == "audit.key_replaced"
        assert keyring.get_password("counter_app", f"audit-key:{AGENCY}:1") is not None
        assert not (services.context.data_dir / "audit-keys").exists()
    finally:
        services.close()
    cli = Cli(db)
    cli.env.update(secret_service_env)
    run = cli("audit", "verify")
    assert run.code == 4, str(run)
    data = json.loads(run.out)
    assert [(b["seq"], b["what"]) for b in data["breaks"]] == [(1, "key_replaced")]
    assert data["broken"]["what"] == "key_replaced"
    human = cli.raw(["audit", "verify", "--db", str(db)], env=cli.env)
    assert "khóa mới đã được tạo" in human.out


def test_a_key_made_for_a_chain_written_before_keys_existed_is_not_a_key_change(headless: Services) -> None:
    headless.intake.accept(person_form())
    db = headless.context.database.path
    _blank_chain(db)
    (headless.context.data_dir / "audit-keys" / f"{AGENCY}-1.key").unlink()
    with sqlite3.connect(db) as conn:
        conn.execute("DELETE FROM setting WHERE key LIKE 'audit_key_home:%'")
    headless.context.audit_keys = AuditKeyStore(headless.context.data_dir)
    headless.intake.accept(person_form(name="Lê Văn Tám"))
    assert "audit.key_replaced" not in [r["kind"] for r in event_rows(db)]
    assert headless.audit.verify().ok
