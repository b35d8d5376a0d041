"""A backup taken while another process keeps taking in dossiers is consistent and holds all committed before it."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

from backup.backup_support import PASSPHRASE, PERSON_ID, PROCEDURE, Counter, dossier_codes

# The writer runs the real `counter-app intake` command in a loop, in one process (a fresh interpreter per
# dossier would take 1.5 s each and seldom overlap the backup). Each line it prints is a committed dossier.
WRITER = """
import contextlib, io, json, sys
from counter_app.__main__ import main
db, procedure, identifier = sys.argv[1:4]
families = ["Phạm", "Nguyễn", "Trần", "Lê", "Hoàng", "Huỳnh", "Võ", "Đặng"]
middles = ["Thị", "Văn", "Minh", "Ngọc", "Thanh", "Quốc"]
givens = ["Lan", "Hùng", "Dũng", "Hương", "Phúc", "Tâm", "Yến", "Khoa", "Trang", "Sơn"]
for i in range(100_000):
    name = f"{families[i % 8]} {middles[i // 8 % 6]} {givens[i // 48 % 10]}"
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        code = main(["intake", "--db", db, "--procedure", procedure, "--name", name, "--id", identifier, "--json"])
    if code != 0:
        sys.exit(code)
    print(json.loads(buffer.getvalue())["code"], flush=True)
"""


class Writer:
    """The writing process and the codes it reported, each with the moment the test read it."""

    def __init__(self, counter: Counter) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-c", WRITER, str(counter.db), PROCEDURE, PERSON_ID],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
            env=counter.env(),
            cwd=counter.home,
        )
        self.lines: list[tuple[float, str]] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append((time.monotonic(), line.strip()))

    def wait_for(self, count: int, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while len(self.lines) < count:
            assert self.process.poll() is None, self.process.stderr.read() if self.process.stderr else ""
            assert time.monotonic() < deadline, f"only {len(self.lines)} dossiers after {timeout} s"
            time.sleep(0.05)

    def codes_before(self, moment: float) -> set[str]:
        return {code for at, code in self.lines if at <= moment}

    def codes_between(self, start: float, end: float) -> set[str]:
        return {code for at, code in self.lines if start < at <= end}

    def stop(self) -> set[str]:
        self.process.terminate()
        self.process.wait(30)
        self._reader.join(10)
        return {code for _at, code in self.lines}


def test_backup_while_another_process_writes_holds_every_dossier_committed_before_it(
    counter: Counter, tmp_path: Path
) -> None:
    # some bulk first, so that the snapshot takes long enough for the writer to commit during it
    counter.ok("demo", "--dossiers", "1500")
    writer = Writer(counter)
    try:
        writer.wait_for(10)
        started = time.monotonic()
        committed_before = writer.codes_before(started)
        run = counter("backup", "--passphrase-stdin", stdin=PASSPHRASE + "\n")
        finished = time.monotonic()
        writer.wait_for(len(writer.lines) + 3)  # the writer is still alive and writing after the backup
    finally:
        every_code = writer.stop()
    assert run.code == 0, str(run)
    backup = Path(run.json()["path"])
    # the writer committed while the backup command ran: the two really overlapped
    assert writer.codes_between(started, finished), "no dossier was committed while the backup ran"

    restored = tmp_path / "restored" / "counter.db"
    restore = counter("restore", str(backup), "--passphrase-stdin", stdin=PASSPHRASE + "\n", db=restored)
    assert restore.code == 0, str(restore)
    assert restore.json()["set_aside"] is None  # nothing was at that path before
    codes = dossier_codes(restored)
    assert committed_before <= codes
    assert len(committed_before) >= 10
    # nothing that is not in the live database: the snapshot is a state the database really was in
    assert codes <= dossier_codes(counter.db)
    assert every_code <= dossier_codes(counter.db)
    assert len(codes) >= 1500 + len(committed_before)
    # the restored file is a sound database the application opens
    check = counter("doctor", db=restored)
    assert check.code == 0, str(check)
    assert check.json()["checks"][0]["status"] == "ok"
