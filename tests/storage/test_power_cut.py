"""Power-cut drill (issue 19): the counter's files on a disk that loses every write not yet fsynced.

A kill -9 (tests/integration/test_crash_safety.py) leaves the kernel's page cache alive, so it cannot show a
missing fsync. Here the database, its WAL, the scans and the archived PDFs live on tests/support/lossy_fs.py, a FUSE
filesystem whose page cache is its own process: killing it is the power cut. A counter takes dossiers in, scans a
paper of each and prints their receipts; at a random moment the power goes; afterwards, read straight from the
backing folder (the "disk"), every dossier whose receipt was handed over is there with its scan (every byte), its
receipt number and its archived PDF, the file is sound, the audit chain holds, and the next citizen gets a new
code and a new receipt number.

The first test shows the disk really drops what was not fsynced (the drill would prove nothing otherwise).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from reportlab.pdfgen import canvas

from counter_app.bootstrap import build_services
from counter_app.domain.intake import IntakeForm
from counter_app.services.common.clock import SystemClock

ROOT = Path(__file__).resolve().parents[2]
AGENCY = "000.17.22.H56"
TRIALS = 8
SEED = int(os.environ.get("POWER_CUT_SEED", "20261208"))

pytestmark = pytest.mark.skipif(
    not Path("/dev/fuse").exists(), reason="this kernel offers no FUSE (/dev/fuse): the lossy disk cannot be mounted"
)


@contextmanager
def lossy_disk(disk: Path, mountpoint: Path) -> Iterator[Callable[[], None]]:
    """Mount `disk` at `mountpoint` through the lossy filesystem; yields the power cut."""
    mountpoint.mkdir(parents=True, exist_ok=True)
    daemon = subprocess.Popen(
        [sys.executable, "-m", "tests.support.lossy_fs", str(disk), str(mountpoint)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 20
    while not os.path.ismount(mountpoint):
        if daemon.poll() is not None:
            said = daemon.stderr.read().decode()  # type: ignore[union-attr]
            if "not permitted" in said or "Permission denied" in said:
                # a machine whose kernel offers FUSE but forbids this process to mount (no CAP_SYS_ADMIN, no
                # setuid fusermount3): it cannot host the drill, and says why
                pytest.skip(f"FUSE mounts are not permitted on this machine: {said.strip()}")
            raise AssertionError(f"the lossy filesystem did not mount: {said}")
        assert time.monotonic() < deadline, "the lossy filesystem did not mount within 20 s"
        time.sleep(0.05)

    def cut() -> None:
        if daemon.poll() is None:
            daemon.send_signal(signal.SIGKILL)  # the page cache dies with it
            daemon.wait(timeout=10)
        subprocess.run(["fusermount3", "-u", "-z", str(mountpoint)], check=False, capture_output=True)

    try:
        yield cut
    finally:
        cut()
        assert daemon.stderr is not None
        daemon.stderr.close()


def test_the_disk_drops_what_was_not_fsynced(tmp_path: Path) -> None:
    disk, mnt = tmp_path / "disk", tmp_path / "mnt"
    disk.mkdir()
    with lossy_disk(disk, mnt) as cut:
        (mnt / "synced.txt").write_bytes(b"kept")
        with (mnt / "synced.txt").open("rb+") as handle:
            os.fsync(handle.fileno())
        (mnt / "unsynced.txt").write_bytes(b"lost")
        assert (mnt / "unsynced.txt").read_bytes() == b"lost"  # the application sees its write
        # SQLite as the counter must NOT run it: WAL with synchronous=NORMAL syncs only at checkpoints
        careless = sqlite3.connect(mnt / "careless.db", isolation_level=None)
        careless.execute("PRAGMA journal_mode=WAL")
        careless.execute("PRAGMA synchronous=NORMAL")
        careless.execute("CREATE TABLE t (x)")
        for n in range(20):
            careless.execute("INSERT INTO t VALUES (?)", (n,))  # each one committed and "acknowledged"
        careless_rows = careless.execute("SELECT count(*) FROM t").fetchone()[0]
        cut()  # with the connection open: closing it would checkpoint (and sync) the WAL
        with contextlib.suppress(sqlite3.Error):
            careless.close()
    assert careless_rows == 20
    assert (disk / "synced.txt").read_bytes() == b"kept"
    assert (disk / "unsynced.txt").read_bytes() == b""  # the name was made, its data never reached the disk
    with sqlite3.connect(disk / "careless.db") as after:
        tables = after.execute("SELECT count(*) FROM sqlite_master WHERE name = 't'").fetchone()[0]
        survived = after.execute("SELECT count(*) FROM t").fetchone()[0] if tables else 0
    assert survived < careless_rows, "the lossy disk kept commits that were never fsynced: the drill would be blind"


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("template")
    services = build_services(folder / "counter.db", SystemClock())
    services.setup.init_local(agency_code=AGENCY, agency_name="UBND phường Bến Nghé", counter=1)
    services.close()
    return folder


def _acknowledged(out: str) -> list[dict[str, str]]:
    lines = []
    for text in out.splitlines():
        try:
            lines.append(json.loads(text))
        except json.JSONDecodeError:
            break  # a line cut by the kill was never acknowledged
    return lines


@pytest.fixture(scope="module")
def scan(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A one-page scan of a paper, as the scanner's driver hands it over."""
    path = tmp_path_factory.mktemp("scan") / "giay-to.pdf"
    page = canvas.Canvas(str(path))
    page.drawString(72, 720, "Giay khai sinh (ban sao)")
    page.save()
    return path


def test_every_receipt_handed_over_survives_a_power_cut(template: Path, scan: Path, tmp_path: Path) -> None:
    cut_mid_work = 0
    for trial in range(TRIALS):
        rng = random.Random(SEED + trial)
        where = f"(seed {SEED}, trial {trial}; POWER_CUT_SEED={SEED} replays)"
        disk, mnt = tmp_path / f"t{trial}" / "disk", tmp_path / f"t{trial}" / "mnt"
        shutil.copytree(template, disk)
        with lossy_disk(disk, mnt) as cut:
            writer = subprocess.Popen(
                [sys.executable, "-m", "tests.support.intake_writer", str(mnt / "counter.db"), str(scan)],
                cwd=ROOT,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                text=True,
            )
            assert writer.stdout is not None
            first = writer.stdout.readline()  # the counter is up and has handed over one receipt
            time.sleep(rng.uniform(0.0, 2.0))
            cut()
            cut_mid_work += writer.poll() is None
            writer.kill()
            rest, _ = writer.communicate(timeout=30)
        handed = _acknowledged(first + rest)
        assert handed, f"no receipt was handed over before the cut {where}"

        db = disk / "counter.db"
        with sqlite3.connect(db) as after:
            assert after.execute("PRAGMA integrity_check").fetchone()[0] == "ok", where
            dossiers = dict(after.execute("SELECT code, uuid FROM dossier").fetchall())
            receipts = dict(after.execute("SELECT dossier_uuid, number FROM document WHERE kind = 'receipt'"))
        for line in handed:
            assert dossiers.get(line["code"]) == line["uuid"], f"{line['code']} was handed over, then lost {where}"
            assert receipts.get(line["uuid"]) == line["receipt"], f"receipt of {line['code']} lost {where}"
            stored = disk / Path(line["scan_path"]).relative_to(mnt)
            assert hashlib.sha256(stored.read_bytes()).hexdigest() == line["scan"], f"scan of {line['code']} {where}"
            pdf = disk / Path(line["pdf"]).relative_to(mnt)
            body = pdf.read_bytes()
            assert body.startswith(b"%PDF-") and body.rstrip().endswith(b"%%EOF"), f"{pdf.name} torn {where}"

        # the power is back: the counter opens from the disk and goes on, issuing nothing twice
        services = build_services(db, SystemClock())
        try:
            assert services.audit.verify().broken is None, f"the audit chain broke {where}"
            form = IntakeForm(
                procedure_code="DEMO.KH", name="Phạm Văn Sau", identifier="079190099999", address="1 Lê Lợi"
            )
            code = services.intake.accept(form).code or ""
            receipt = services.documents.render(code, "receipt").number
        finally:
            services.close()
        assert code not in {line["code"] for line in handed}, f"code {code} issued twice {where}"
        assert receipt not in {line["receipt"] for line in handed}, f"receipt {receipt} issued twice {where}"
    # the cut must have fallen while the counter was writing, not after it had stopped
    assert cut_mid_work == TRIALS
