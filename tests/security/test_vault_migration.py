"""The plain 0600 key files move into the secret vault with the first administrator, crash-safely; without a
signed-in person nothing is written and no second key is made."""

from __future__ import annotations

import base64
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from security.security_support import AGENCY, PASSWORDS, StepClock, open_counter, person_form, sign_in, staff

from counter_app.bootstrap import Services, build_maintenance
from counter_app.errors import RuleError
from counter_app.services.accounts.vault_slots import VaultSlots
from counter_app.services.common.audit_keys import key_user
from counter_app.services.common.export_record import record_export
from counter_app.services.common.secret_vault import VaultFile, VaultLocked, open_slot, sync_credential_name
from counter_app.services.maintenance.doctor_report import Check
from counter_app.services.syncing.credential_store import SyncCredentialStore
from counter_app.storage.unit_of_work import UnitOfWork

CREDENTIAL = "cc1." + "Ab3dE6gH9jK2mN5pQ8sT1vW4yZ7bC0eF3hJ6kL9nP2rS5uX8"


class PowerCut(Exception):
    """Stands for the process dying at that point."""


def key_file(services: Services) -> Path:
    return services.context.data_dir / "audit-keys" / f"{AGENCY}-1.key"


def credential_file(services: Services) -> Path:
    return services.context.data_dir / "sync-credential"


def in_vault(services: Services, secret: str, name: str = "quantri") -> bytes | None:
    contents = VaultFile(services.context.data_dir).read()
    assert contents is not None
    key = open_slot(name, contents.slots[name], PASSWORDS[name])
    assert key is not None
    return contents.secret(key, secret)


def before_accounts(db: Path) -> Services:
    """A counter used without accounts: a dossier taken in (the audit key made as a plain file), a credential."""
    services = open_counter(db, StepClock())
    services.intake.accept(person_form())
    assert SyncCredentialStore(services.context.data_dir, services.context.vault).save(AGENCY, 1, CREDENTIAL) == "file"
    assert key_file(services).is_file()
    return services


def event_count(db: Path) -> int:
    with sqlite3.connect(db) as conn:
        return int(conn.execute("SELECT count(*) FROM event").fetchone()[0])


def test_the_first_administrator_moves_the_plain_files_into_the_vault(tmp_path: Path) -> None:
    services = before_accounts(tmp_path / "counter" / "c.db")
    try:
        plain_key = key_file(services).read_text()
        services.accounts.add_user("quantri", "admin", PASSWORDS["quantri"])
        assert not key_file(services).exists()
        assert not credential_file(services).exists()
        assert in_vault(services, key_user(AGENCY, 1)) == base64.b64decode(plain_key)
        assert in_vault(services, sync_credential_name(AGENCY, 1)) == CREDENTIAL.encode()
        sign_in(services, "quantri")
        services.intake.accept(person_form(name="Lê Văn Tám"))
        report = services.audit.verify(central=False)
        assert report.ok, report.breaks  # the events before and after, with the same key
        assert report.checked == event_count(services.context.database.path)
        assert not list(services.context.data_dir.glob("audit-keys/*"))
    finally:
        services.close()


def test_a_crash_before_the_account_is_committed_leaves_the_plain_files_in_use(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    services = before_accounts(tmp_path / "counter" / "c.db")
    try:
        plain_key = key_file(services).read_bytes()

        def power_cut(self: UnitOfWork) -> None:
            raise PowerCut  # the account's transaction never commits

        monkeypatch.setattr(UnitOfWork, "commit", power_cut)
        with pytest.raises(PowerCut):
            services.accounts.add_user("quantri", "admin", PASSWORDS["quantri"])
        monkeypatch.undo()
        assert VaultFile(services.context.data_dir).exists()  # written, but no account opens it
        assert key_file(services).read_bytes() == plain_key
        services.intake.accept(person_form(name="Lê Văn Tám"))  # no accounts: the plain files as before
        services.accounts.add_user("quantri", "admin", PASSWORDS["quantri"])
        assert not key_file(services).exists()
        sign_in(services, "quantri")
        assert services.audit.verify(central=False).ok
    finally:
        services.close()


def test_a_crash_after_the_commit_leaves_plain_copies_that_are_ignored_then_removed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    services = before_accounts(tmp_path / "counter" / "c.db")
    try:

        def power_cut(self: VaultSlots, *args: Any) -> None:
            raise PowerCut

        monkeypatch.setattr(VaultSlots, "remove_plain", power_cut)
        with pytest.raises(PowerCut):
            services.accounts.add_user("quantri", "admin", PASSWORDS["quantri"])
        monkeypatch.undo()
        assert key_file(services).exists() and credential_file(services).exists()
        # the plain copy is not used any more: without a sign-in nothing is written
        with pytest.raises(VaultLocked):
            record_export(services.context, "report.test", 1)
        sign_in(services, "quantri")
        assert not key_file(services).exists()
        assert not credential_file(services).exists()
        services.intake.accept(person_form(name="Lê Văn Tám"))
        assert services.audit.verify(central=False).ok
    finally:
        services.close()


def test_nobody_signed_in_writing_is_refused_in_vietnamese_and_no_key_is_made(tmp_path: Path) -> None:
    db = tmp_path / "counter" / "c.db"
    first = open_counter(db, StepClock())
    staff(first)
    first.close()
    services = open_counter(db, StepClock())  # a new process (a scheduled command): nothing in memory
    try:
        vault_bytes = VaultFile(services.context.data_dir).path.read_bytes()
        events = event_count(db)
        with pytest.raises(VaultLocked) as refused:
            record_export(services.context, "report.test", 1)
        assert "kho bí mật" in refused.value.message and "đăng nhập" in refused.value.message
        assert VaultFile(services.context.data_dir).path.read_bytes() == vault_bytes
        assert not list(services.context.data_dir.glob("audit-keys/*"))
        assert event_count(db) == events
        sign_in(services, "canbo")
        record_export(services.context, "report.test", 1)
        assert event_count(db) == events + 1
    finally:
        services.close()


def test_a_scheduled_command_without_a_login_gets_the_message_not_a_traceback(tmp_path: Path) -> None:
    from cli.cli_support import Cli

    db = tmp_path / "counter" / "c.db"
    services = open_counter(db, StepClock())
    staff(services)
    services.close()
    run = Cli(db).raw(["audit", "verify", "--db", str(db)])
    assert run.code == 2, str(run)
    assert "Traceback" not in run.err
    assert "kho bí mật" in run.err


def test_a_lost_vault_is_made_anew_by_an_administrator_and_the_new_key_is_recorded(tmp_path: Path) -> None:
    services = open_counter(tmp_path / "counter" / "c.db", StepClock())
    try:
        staff(services)
        VaultFile(services.context.data_dir).path.unlink()  # deleted, or the database restored on another PC
        sign_in(services, "canbo")
        with pytest.raises(RuleError) as refused:
            services.intake.accept(person_form())
        assert "không tìm thấy" in refused.value.message.lower()
        assert not list(services.context.data_dir.glob("audit-keys/*"))  # no plain second key
        assert not VaultFile(services.context.data_dir).exists()
        services.accounts.sign_out()
        sign_in(services, "quantri")
        assert set(VaultFile(services.context.data_dir).read().slots) == {"quantri"}  # type: ignore[union-attr]
        services.intake.accept(person_form())
        kinds = [row[0] for row in _kinds(services.context.database.path)]
        assert kinds[-2:] == ["audit.key_replaced", "dossier.accepted"]
        report = services.audit.verify(central=False)
        assert [b.what.value for b in report.breaks] == ["key_replaced"]  # a recorded re-keying, not tampering
    finally:
        services.close()


def _kinds(db: Path) -> list[tuple[str]]:
    with sqlite3.connect(db) as conn:
        return list(conn.execute("SELECT kind FROM event ORDER BY seq"))


def doctor_check(services: Services, name: str) -> Check:
    maintenance = build_maintenance(services.context.database.path, services.context.clock)
    try:
        return {c.name: c for c in maintenance.doctor.run().checks}[name]
    finally:
        maintenance.close()


def test_doctor_says_how_the_secrets_are_protected(tmp_path: Path) -> None:
    services = before_accounts(tmp_path / "counter" / "c.db")
    try:
        plain = doctor_check(services, "secrets")
        assert plain.status == "warning"
        assert "quyền truy cập tệp" in plain.summary and "quản trị viên" in plain.summary
        assert "user add" in plain.action
        services.accounts.add_user("quantri", "admin", PASSWORDS["quantri"])
        vault = doctor_check(services, "secrets")
        assert vault.status == "ok" and "kho bí mật" in vault.summary
        assert vault.details == {"storage": "vault"}
    finally:
        services.close()


def legacy_database(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A database of an earlier version, on a PC without a keyring: accounts made while no vault existed, so the
    audit key and the sync credential are plain 0600 files and no account has a slot."""
    from counter_app.services.accounts import vault_slots

    services = before_accounts(db)
    monkeypatch.setattr(VaultSlots, "prepare_first", lambda self, name, password: None)
    monkeypatch.setattr(vault_slots, "adopt_plain_secrets", lambda *args: None)
    staff(services)
    sign_in(services, "canbo")
    services.intake.accept(person_form(name="Đỗ Thị Cũ"))  # sealed with the plain key
    services.accounts.sign_out()
    monkeypatch.undo()
    assert not VaultFile(services.context.data_dir).exists() and key_file(services).exists()
    services.close()


def test_a_database_with_accounts_from_before_the_vault_moves_in_at_an_administrators_sign_in(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "counter" / "c.db"
    legacy_database(db, monkeypatch)
    services = open_counter(db, StepClock())  # the new version starts
    try:
        plain_key = base64.b64decode(key_file(services).read_text())
        before = doctor_check(services, "secrets")
        assert before.status == "warning" and "quản trị viên đăng nhập" in before.action

        sign_in(services, "canbo")  # not an administrator: nothing moves, the plain files still serve
        assert not VaultFile(services.context.data_dir).exists()
        services.intake.accept(person_form(name="Vũ Văn Một"))
        services.accounts.sign_out()

        sign_in(services, "quantri")  # the administrator's sign-in makes the vault
        data = services.context.data_dir
        assert not key_file(services).exists() and not credential_file(services).exists()
        assert in_vault(services, key_user(AGENCY, 1)) == plain_key
        assert in_vault(services, sync_credential_name(AGENCY, 1)) == CREDENTIAL.encode()
        handover = data / "secret-vault.handover"
        assert handover.stat().st_mode & 0o777 == 0o600
        waiting = doctor_check(services, "secrets")
        assert waiting.status == "warning" and waiting.details["waiting"] == ["canbo", "lanhdao"]
        services.intake.accept(person_form(name="Vũ Văn Hai"))
        services.accounts.sign_out()

        sign_in(services, "canbo")  # the next sign-in of each account makes its own slot
        assert in_vault(services, key_user(AGENCY, 1), "canbo") == plain_key
        services.intake.accept(person_form(name="Vũ Văn Ba"))
        assert handover.exists()  # the supervisor has yet to sign in
        services.accounts.sign_out()
        sign_in(services, "lanhdao")
        assert not handover.exists()  # every enabled account has its slot: the plain copy of the vault key goes
        assert set(VaultFile(data).read().slots) == {"quantri", "canbo", "lanhdao"}  # type: ignore[union-attr]
        report = services.audit.verify(central=False)
        assert report.ok, report.breaks  # one key before and after: no re-keying, no break
        assert report.checked == event_count(db)
        assert "audit.key_replaced" not in {kind for (kind,) in _kinds(db)}
        after = doctor_check(services, "secrets")
        assert after.status == "ok" and after.details == {"storage": "vault"}
    finally:
        services.close()


def test_a_handover_file_that_does_not_open_the_vault_gives_no_slot(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "counter" / "c.db"
    legacy_database(db, monkeypatch)
    services = open_counter(db, StepClock())
    try:
        sign_in(services, "quantri")
        services.accounts.sign_out()
        handover = services.context.data_dir / "secret-vault.handover"
        handover.write_bytes(base64.b64encode(bytes(32)))  # another key put in its place
        sign_in(services, "canbo")
        assert "canbo" not in VaultFile(services.context.data_dir).read().slots  # type: ignore[union-attr]
        with pytest.raises(VaultLocked):
            services.intake.accept(person_form(name="Vũ Văn Bốn"))
    finally:
        services.close()
