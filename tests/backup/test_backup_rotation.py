"""Keeping the newest N backups, the daily automatic backup, the backup folder setting, backups before upgrades."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import keyring.core
import pytest
from alembic import command
from backup.backup_support import AGENCY, PASSPHRASE, Counter

from counter_app.bootstrap import build_services
from counter_app.domain.clock import VN_TZ
from counter_app.services.maintenance.backup_format import read_header
from counter_app.storage.database import open_database
from counter_app.storage.migrate import alembic_config, head_revision


class SetClock:
    def __init__(self, text: str) -> None:
        self.moment = vn(text)

    def now(self) -> datetime:
        return self.moment


def vn(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=VN_TZ)


def test_only_the_newest_backups_of_this_counter_are_kept(counter: Counter) -> None:
    assert counter.ok("config", "get", "backup_keep") == {"backup_keep": 14}  # the default
    assert counter.ok("config", "set", "backup_keep", "3") == {"backup_keep": 3}
    counter.backups.mkdir()
    stranger = counter.backups / "ghi-chu.txt"
    stranger.write_text("của người quản trị", encoding="utf-8")
    other_counter = counter.backups / f"counter-app_{AGENCY}_2_20260101-080000.ctrbak"
    other_counter.write_bytes(b"another counter's backup")
    days = ["2026-03-02", "2026-03-03", "2026-03-04", "2026-03-05", "2026-03-06"]
    removed: list[str] = []
    for day in days:
        data = counter.ok("backup", "--passphrase-stdin", stdin=PASSPHRASE + "\n", now=f"{day} 07:45")
        removed += data["removed"]
    kept = counter.backup_files()
    own = [p for p in kept if p != other_counter]
    assert [p.name[-22:-7] for p in own] == ["20260304-074500", "20260305-074500", "20260306-074500"]
    assert sorted(Path(p).name[-22:-7] for p in removed) == ["20260302-074500", "20260303-074500"]
    assert other_counter.exists()  # another counter's backups in a shared folder are not ours to remove
    assert stranger.exists()

    # a copy made with --to goes elsewhere and removes nothing
    extra = counter.home / "usb"
    data = counter.ok("backup", "--to", str(extra), "--passphrase-stdin", stdin=PASSPHRASE + "\n")
    assert Path(data["path"]).parent == extra
    assert data["removed"] == []
    assert len([p for p in counter.backup_files() if p != other_counter]) == 3


def test_backup_keep_must_be_at_least_one(counter: Counter) -> None:
    run = counter("config", "set", "backup_keep", "0")
    assert run.code == 2, str(run)
    assert "ít nhất 1" in run.message()


def test_the_backup_dir_setting_moves_the_backups(counter: Counter, tmp_path: Path) -> None:
    folder = tmp_path / "ổ đĩa sao lưu"
    counter.ok("config", "set", "backup_dir", str(folder))
    data = counter.ok("backup", "--passphrase-stdin", stdin=PASSPHRASE + "\n")
    assert Path(data["path"]).parent == folder
    assert not counter.backups.exists()
    doctor = counter("doctor").json()
    backup_check = next(c for c in doctor["checks"] if c["name"] == "backup")
    assert backup_check["details"]["latest"] == data["path"]


@pytest.fixture
def keyring_services(counter: Counter, secret_service_env: dict[str, str]) -> Iterator[tuple[object, SetClock]]:
    clock = SetClock("2026-03-02 07:30")
    services = build_services(counter.db, clock)
    try:
        yield services, clock
    finally:
        services.close()


def test_backup_if_due_backs_up_once_a_day(counter: Counter, keyring_services: tuple[object, SetClock]) -> None:
    services, clock = keyring_services
    backup = services.backup  # type: ignore[attr-defined]
    first = backup.backup_if_due(vn("2026-03-02 07:30"))
    assert first is not None
    assert first.info.created == vn("2026-03-02 07:30")
    clock.moment = vn("2026-03-02 16:59")
    assert backup.backup_if_due(clock.moment) is None  # hourly calls the same day do nothing
    clock.moment = vn("2026-03-03 07:31")
    second = backup.backup_if_due(clock.moment)
    assert second is not None
    assert [b.path for b in backup.list_backups()] == [second.info.path, first.info.path]
    with first.info.path.open("rb") as handle:
        header, _ = read_header(handle)
    assert header.kdf == "keyring"
    assert header.key_name == f"backup-key:{AGENCY}:1"


def _database_at_first_revision(db: Path) -> None:
    database = open_database(db)
    command.upgrade(alembic_config(database.writer), "0001")
    database.dispose()
    connection = sqlite3.connect(db)
    with connection:
        connection.executemany(
            "INSERT INTO setting (key, value) VALUES (?, ?)",
            [("agency_code", AGENCY), ("counter", "1"), ("clerk_name", "Cán bộ Trước Nâng Cấp")],
        )
    connection.close()


def test_an_upgrade_is_preceded_by_an_encrypted_backup(tmp_path: Path, secret_service_env: dict[str, str]) -> None:
    counter = Counter(tmp_path / "old", keyring_backend=None)
    _database_at_first_revision(counter.db)
    services = build_services(counter.db, SetClock("2026-03-02 07:30"))
    try:
        assert services.setup.get_setting("clerk_name") == "Cán bộ Trước Nâng Cấp"
        head = head_revision(services.context.database.writer)
    finally:
        services.close()
    assert head != "0001"
    (backup,) = counter.backup_files()
    with backup.open("rb") as handle:
        header, _ = read_header(handle)
    assert header.schema_revision == "0001"  # taken before the upgrade
    restored = tmp_path / "restored.db"
    run = counter("restore", str(backup), db=restored)
    assert run.code == 0, str(run)
    assert run.json()["schema_revision"] == "0001"


def test_an_upgrade_without_keyring_keeps_a_plain_copy_beside_the_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    keyring.core.init_backend()
    try:
        db = tmp_path / "counter.db"
        _database_at_first_revision(db)
        build_services(db, SetClock("2026-03-02 07:30")).close()
    finally:
        monkeypatch.undo()
        keyring.core.init_backend()
    (copy,) = tmp_path.glob("counter.db.before-upgrade-0001-*")
    connection = sqlite3.connect(copy)
    try:
        assert connection.execute("SELECT version_num FROM alembic_version").fetchone() == ("0001",)
        assert connection.execute("SELECT value FROM setting WHERE key = 'clerk_name'").fetchone() == (
            "Cán bộ Trước Nâng Cấp",
        )
    finally:
        connection.close()
