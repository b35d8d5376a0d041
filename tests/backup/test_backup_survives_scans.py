"""Backups that survive the PC hold the scanned papers: copied incrementally, restored with the database."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

from backup.backup_support import PASSPHRASE, Counter
from PIL import Image

from counter_app.services.maintenance.backup_attachments import FOLDER, SUFFIX


def _scan(path: Path, colour: tuple[int, int, int]) -> str:
    # noise, so that each page is a file of realistic size that compression cannot shrink to nothing
    image = Image.effect_noise((600, 800), 64).convert("RGB")
    image.paste(colour, (0, 0, 200, 200))
    image.save(path, "JPEG", quality=90)
    return str(path)


def _copies(folder: Path) -> list[Path]:
    return sorted((folder / FOLDER).glob(f"*/*{SUFFIX}"))


def test_a_scan_not_synced_survives_the_loss_of_the_data_folder(counter: Counter, tmp_path: Path) -> None:
    code = counter.intake("Lê Văn Quét")
    counter.ok("backup", "--set-passphrase", stdin=PASSPHRASE + "\n")
    first = counter.ok("attach", code, "--paper", "1", _scan(tmp_path / "a.jpg", (200, 30, 30)))
    assert first["synced"] is False

    day_one = counter.ok("backup")
    assert day_one["attachments_copied"] == 1
    (copy,) = _copies(counter.backups)
    assert copy.name == f"{first['sha256']}{SUFFIX}"
    stored = next((counter.home / "attachments").glob(f"*/{first['sha256']}.pdf"))
    assert stored.read_bytes()[:64] not in copy.read_bytes()  # sealed, not a plain copy

    # the next day's backup copies the one new scan, not the store again
    second = counter.ok("attach", code, "--paper", "2", _scan(tmp_path / "b.jpg", (30, 200, 30)))
    day_two = counter.ok("backup")
    assert day_two["attachments_copied"] == 1
    assert len(_copies(counter.backups)) == 2
    new_copy = counter.backups / FOLDER / second["sha256"][:2] / f"{second['sha256']}{SUFFIX}"
    assert day_two["attachments_bytes"] == new_copy.stat().st_size
    assert counter.ok("backup")["attachments_copied"] == 0  # nothing new: nothing copied

    # the disk dies: only the backup folder (on a USB drive) is left
    usb = tmp_path / "usb"
    shutil.copytree(counter.backups, usb)
    shutil.rmtree(counter.home)
    latest = sorted(usb.glob("*.ctrbak"))[-1]

    new_pc = Counter(tmp_path / "new-pc")
    restored = new_pc.ok("restore", str(latest), "--passphrase-stdin", stdin=PASSPHRASE + "\n")
    assert restored["attachments_restored"] == 2 and restored["attachments_unreadable"] == 0
    listed = new_pc.ok("attachments", code)
    assert {(p["paper"], p["sha256"], p["synced"]) for p in listed} == {
        (1, first["sha256"], False),
        (2, second["sha256"], False),
    }
    for sha in (first["sha256"], second["sha256"]):
        path = new_pc.home / "attachments" / sha[:2] / f"{sha}.pdf"
        assert hashlib.sha256(path.read_bytes()).hexdigest() == sha
