"""The secret vault of a PC without a keyring: what the file holds, who opens it, and how the slots follow accounts."""

from __future__ import annotations

import base64
import itertools
import json
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from security.security_support import AGENCY, PASSWORDS, StepClock, open_counter, person_form, sign_in, staff

from counter_app.bootstrap import Services
from counter_app.errors import PermissionDenied
from counter_app.services.common.audit_keys import key_user
from counter_app.services.common.secret_vault import (
    VaultContents,
    VaultFile,
    VaultLocked,
    open_slot,
    sync_credential_name,
)
from counter_app.services.syncing.credential_store import SyncCredentialStore

CREDENTIAL = "cc1." + "Ab3dE6gH9jK2mN5pQ8sT1vW4yZ7bC0eF3hJ6kL9nP2rS5uX8"
AUDIT_KEY = key_user(AGENCY, 1)


def vault_of(services: Services) -> VaultContents:
    contents = VaultFile(services.context.data_dir).read()
    assert contents is not None
    return contents


def opened(services: Services, name: str, password: str) -> bytes | None:
    """The vault key from `name`'s slot with `password` (None: no slot, or the password does not open it)."""
    slot = vault_of(services).slots.get(name)
    return None if slot is None else open_slot(name, slot, password)


@pytest.fixture
def staffed(tmp_path: Path) -> Iterator[Services]:
    """Counter 1 with three accounts and no keyring (the suite's pin): the secrets are in the vault."""
    services = open_counter(tmp_path / "counter" / "c.db", StepClock())
    staff(services)
    yield services
    services.close()


def test_an_admin_adds_a_clerk_whose_sign_in_writes_events_that_verify(staffed: Services) -> None:
    assert set(vault_of(staffed).slots) == {"quantri", "lanhdao", "canbo"}
    sign_in(staffed, "canbo")
    staffed.intake.accept(person_form())
    staffed.accounts.sign_out()
    assert not list(staffed.context.data_dir.glob("audit-keys/*"))  # no plain key file is left
    sign_in(staffed, "lanhdao")
    report = staffed.audit.verify(central=False)
    assert report.ok, report.breaks
    assert report.key is not None and report.key.storage == "vault"


def test_the_vault_file_holds_no_secret_in_clear_and_nothing_that_opens_without_a_password(
    staffed: Services,
) -> None:
    sign_in(staffed, "quantri")
    staffed.intake.accept(person_form())
    SyncCredentialStore(staffed.context.data_dir, staffed.context.vault).save(AGENCY, 1, CREDENTIAL)
    key = opened(staffed, "quantri", PASSWORDS["quantri"])
    assert key is not None
    audit_key = vault_of(staffed).secret(key, AUDIT_KEY)
    assert audit_key is not None and len(audit_key) == 32
    path = VaultFile(staffed.context.data_dir).path
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    raw = path.read_bytes()
    for secret in (key, audit_key, CREDENTIAL.encode(), CREDENTIAL[4:].encode()):
        for form in (secret, base64.b64encode(secret), secret.hex().encode(), base64.urlsafe_b64encode(secret)):
            assert form not in raw
    for password in PASSWORDS.values():
        assert password.encode() not in raw
    # every 32-byte value stored in the file, tried as the key of every encrypted entry: none opens one
    data = json.loads(raw)
    values = [base64.b64decode(v) for v in _strings(data) if _is_b64(v)]
    entries = [(base64.b64decode(e["nonce"]), base64.b64decode(e["data"])) for e in data["secrets"].values()]
    entries += [(base64.b64decode(s["nonce"]), base64.b64decode(s["wrapped"])) for s in data["slots"].values()]
    assert len(entries) == 5  # the audit key, the credential, three slots
    for candidate, (nonce, sealed) in itertools.product([v for v in values if len(v) == 32], entries):
        for aad in (None, b"", *(n.encode() for n in (*data["secrets"], *data["slots"]))):
            with pytest.raises(InvalidTag):
                AESGCM(candidate).decrypt(nonce, sealed, aad)


def _strings(data: object) -> Iterator[str]:
    if isinstance(data, dict):
        for value in data.values():
            yield from _strings(value)
    elif isinstance(data, str):
        yield data


def _is_b64(text: str) -> bool:
    try:
        base64.b64decode(text, validate=True)
    except ValueError:
        return False
    return True


def test_a_wrong_password_unwraps_nothing(staffed: Services) -> None:
    assert opened(staffed, "canbo", "mat-khau-sai-roi") is None
    assert opened(staffed, "canbo", PASSWORDS["quantri"]) is None  # another account's password
    with pytest.raises(PermissionDenied):
        staffed.accounts.sign_in("canbo", "mat-khau-sai-roi")
    assert not staffed.context.vault.unlocked
    staffed.context.clock.advance(2)  # type: ignore[attr-defined]  # past the throttle's delay
    sign_in(staffed, "canbo")
    assert staffed.context.vault.unlocked
    assert staffed.context.vault.key() == opened(staffed, "quantri", PASSWORDS["quantri"])


def test_a_password_change_rewraps_the_slot(staffed: Services, tmp_path: Path) -> None:
    sign_in(staffed, "canbo")
    staffed.accounts.change_own_password(PASSWORDS["canbo"], "mat-khau-moi-cua-can-bo")
    assert opened(staffed, "canbo", PASSWORDS["canbo"]) is None
    assert opened(staffed, "canbo", "mat-khau-moi-cua-can-bo") == opened(staffed, "quantri", PASSWORDS["quantri"])
    staffed.accounts.sign_out()
    assert not staffed.context.vault.unlocked
    staffed.accounts.sign_in("canbo", "mat-khau-moi-cua-can-bo")
    staffed.intake.accept(person_form())


def test_a_reset_gives_a_new_slot_under_the_temporary_password(staffed: Services) -> None:
    sign_in(staffed, "quantri")
    staffed.accounts.reset_password("canbo", "mat-khau-tam-thoi")
    assert opened(staffed, "canbo", PASSWORDS["canbo"]) is None
    assert opened(staffed, "canbo", "mat-khau-tam-thoi") == staffed.context.vault.key()


def test_a_disabled_account_loses_its_slot_and_a_reset_gives_it_back(staffed: Services) -> None:
    sign_in(staffed, "quantri")
    staffed.accounts.disable_user("canbo")
    assert "canbo" not in vault_of(staffed).slots
    staffed.accounts.enable_user("canbo")
    staffed.accounts.sign_out()
    sign_in(staffed, "canbo")  # re-enabled: signs in, but holds no key to the vault
    assert not staffed.context.vault.unlocked
    with pytest.raises(VaultLocked) as refused:
        staffed.intake.accept(person_form())
    assert "đặt lại mật khẩu" in refused.value.message
    staffed.accounts.sign_out()
    sign_in(staffed, "quantri")
    staffed.accounts.reset_password("canbo", "mat-khau-tam-thoi")
    staffed.accounts.sign_out()
    staffed.accounts.sign_in("canbo", "mat-khau-tam-thoi")
    staffed.intake.accept(person_form())


def test_the_sync_credential_needs_a_signed_in_person(staffed: Services) -> None:
    store = SyncCredentialStore(staffed.context.data_dir, staffed.context.vault)
    with pytest.raises(VaultLocked):
        store.save(AGENCY, 1, CREDENTIAL)
    sign_in(staffed, "canbo")
    assert store.save(AGENCY, 1, CREDENTIAL) == "vault"
    assert not store.path.exists()
    assert sync_credential_name(AGENCY, 1) in vault_of(staffed).secrets
    staffed.accounts.sign_out()
    with pytest.raises(VaultLocked) as refused:
        store.load(AGENCY, 1)
    assert "đăng nhập" in refused.value.message
    sign_in(staffed, "lanhdao")
    assert store.load(AGENCY, 1) == CREDENTIAL


def test_the_lock_forgets_the_key_and_the_next_sign_in_unwraps_it_again(staffed: Services) -> None:
    sign_in(staffed, "canbo")
    staffed.intake.accept(person_form())
    staffed.accounts.lock()
    assert not staffed.context.vault.unlocked
    with pytest.raises(VaultLocked):
        staffed.intake.accept(person_form(name="Lê Văn Tám"))
    sign_in(staffed, "canbo")
    staffed.intake.accept(person_form(name="Lê Văn Tám"))


def test_with_a_working_keyring_nothing_changes(tmp_path: Path, secret_service_env: dict[str, str]) -> None:
    import keyring

    services = open_counter(tmp_path / "counter" / "c.db", StepClock())
    try:
        staff(services)
        sign_in(services, "canbo")
        services.intake.accept(person_form())
        store = SyncCredentialStore(services.context.data_dir, services.context.vault)
        assert store.save(AGENCY, 1, CREDENTIAL) == "keyring"
        data_dir = services.context.data_dir
        assert not VaultFile(data_dir).exists()
        assert not (data_dir / "audit-keys").exists()
        assert keyring.get_password("counter_app", AUDIT_KEY) is not None
        services.accounts.sign_out()
        assert store.load(AGENCY, 1) == CREDENTIAL  # no sign-in needed: the keyring keeps it
        report = services.audit.verify(central=False)
        assert report.ok and report.key is not None and report.key.storage == "keyring"
    finally:
        services.close()
