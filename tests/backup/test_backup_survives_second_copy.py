"""A second backup destination (a USB drive, a network folder): each backup copied there, read back and checked."""

from __future__ import annotations

from pathlib import Path

from backup.backup_support import PASSPHRASE, Counter


def _backup_check(counter: Counter) -> dict[str, object]:
    checks = {c["name"]: c for c in counter.ok("doctor")["checks"]}
    return checks["backup"]  # type: ignore[no-any-return]


def test_the_second_destination_gets_a_verified_copy_rotated_like_the_first(counter: Counter, tmp_path: Path) -> None:
    usb = tmp_path / "usb"
    usb.mkdir()
    counter.ok("config", "set", "backup_second_dir", str(usb))
    counter.ok("config", "set", "backup_keep", "2")
    taken = [counter.ok("backup", "--set-passphrase", stdin=PASSPHRASE + "\n")]
    first = Path(taken[0]["path"])
    assert taken[0]["second_copy"] == str(usb / first.name) and taken[0]["warnings"] == []
    assert (usb / first.name).read_bytes() == first.read_bytes()
    check = _backup_check(counter)
    assert check["status"] == "ok", check
    assert check["details"]["second_dir"] == str(usb)  # type: ignore[index]

    taken += [counter.ok("backup"), counter.ok("backup")]
    assert sorted(p.name for p in usb.glob("*.ctrbak")) == sorted(Path(t["path"]).name for t in taken[1:])


def test_a_missing_second_destination_is_a_warning_not_a_lost_backup(counter: Counter, tmp_path: Path) -> None:
    unplugged = tmp_path / "usb-not-plugged"
    counter.ok("config", "set", "backup_second_dir", str(unplugged))
    run = counter("backup", "--set-passphrase", stdin=PASSPHRASE + "\n")
    assert run.code == 0, str(run)
    data = run.json()
    assert Path(data["path"]).is_file() and data["second_copy"] is None
    assert "Không thấy nơi sao lưu thứ hai" in data["warnings"][0]
    assert "Cảnh báo:" in run.err and "Traceback" not in run.err
    assert not unplugged.exists()  # never created: on an empty mount point it would be the same disk

    check = _backup_check(counter)
    assert check["status"] == "warning" and "nơi sao lưu thứ hai" in str(check["summary"])

    unplugged.mkdir()  # plugged in: the next backup catches up and the doctor is content
    assert counter.ok("backup")["second_copy"]
    assert _backup_check(counter)["status"] == "ok"


def test_the_doctor_warns_while_backups_would_not_outlive_the_pc(counter: Counter) -> None:
    counter.ok("backup", "--passphrase-stdin", stdin=PASSPHRASE + "\n")  # a one-off: no recovery key set
    check = _backup_check(counter)
    assert check["status"] == "warning"
    assert "--set-passphrase" in str(check["action"])
