"""Helpers of the backup tests: `counter-app` as a subprocess against one database, arranging, reading files."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
AGENCY = "000.17.22.H56"
AGENCY_NAME = "Trung tâm Phục vụ hành chính công phường Thử Nghiệm"
PROCEDURE = "DEMO.CTBS"  # a procedure of the shipped demo catalogue
# 079 = Ho Chi Minh City, 0 = man born in the 1900s, 90 = 1990 (domain: a valid 12-digit personal identifier)
PERSON_ID = "079090001234"
PASSPHRASE = "Mật khẩu sao lưu phường 7"
NO_KEYRING = "keyring.backends.fail.Keyring"  # keyring's own "there is no keyring" backend
VIETNAMESE_MARKS = frozenset("ăâđêôơưáàảãạấầẩẫậắằẳẵặéèẻẽẹếềểễệíìỉĩịóòỏõọốồổỗộớờởỡợúùủũụứừửữựýỳỷỹỵ")


@dataclass(frozen=True)
class Run:
    argv: tuple[str, ...]
    code: int
    out: str
    err: str

    def __str__(self) -> str:
        return f"counter-app {' '.join(self.argv)}\n→ exit {self.code}\nstdout: {self.out}\nstderr: {self.err}"

    def json(self) -> Any:
        return json.loads(self.out)

    def message(self) -> str:
        """The Vietnamese error message on stderr (after "Lỗi:"), with no traceback."""
        assert "Traceback" not in self.err, str(self)
        lines = [line.split(":", 1)[1] for line in self.err.splitlines() if line.startswith("Lỗi")]
        assert lines, str(self)
        text = " ".join(lines)
        assert any(ch in VIETNAMESE_MARKS for ch in text.lower()), str(self)
        return text


class Counter:
    """One counter's installation in a test folder: its database, its data and log folders, the command line."""

    def __init__(self, home: Path, *, keyring_backend: str | None = NO_KEYRING) -> None:
        self.home = home
        self.home.mkdir(parents=True, exist_ok=True)
        self.db = home / "counter.db"
        self.backups = home / "backups"
        self.keyring_backend = keyring_backend

    def env(self) -> dict[str, str]:
        """Built at each call, so a Secret Service set up by a fixture for this test is inherited."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("COUNTER_APP_")}
        env.update(
            XDG_DATA_HOME=str(self.home / "xdg-data"),
            XDG_STATE_HOME=str(self.home / "xdg-state"),
            XDG_CONFIG_HOME=str(self.home / "xdg-config"),
            XDG_CACHE_HOME=str(self.home / "xdg-cache"),
            PYTHONPATH=os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p),
            QT_QPA_PLATFORM="offscreen",
        )
        if self.keyring_backend is not None:
            env["PYTHON_KEYRING_BACKEND"] = self.keyring_backend
        return env

    def raw(self, argv: list[str], *, stdin: str | None = None, timeout: float = 180) -> Run:
        proc = subprocess.run(
            [sys.executable, "-m", "counter_app", *argv],
            input=stdin,
            capture_output=True,
            text=True,
            encoding="utf-8",
            cwd=self.home,
            env=self.env(),
            timeout=timeout,
            check=False,
        )
        return Run(tuple(argv), proc.returncode, proc.stdout.strip(), proc.stderr.strip())

    def __call__(self, *args: str, stdin: str | None = None, now: str | None = None, db: Path | None = None) -> Run:
        argv = [*args, "--db", str(db or self.db), "--json"]
        if now is not None:
            argv += ["--now", now]
        return self.raw(argv, stdin=stdin)

    def ok(self, *args: str, stdin: str | None = None, now: str | None = None, db: Path | None = None) -> Any:
        run = self(*args, stdin=stdin, now=now, db=db)
        assert run.code == 0, str(run)
        return run.json()

    def init(self, counter: int = 1) -> None:
        self.ok("init", "--agency-code", AGENCY, "--agency-name", AGENCY_NAME, "--counter", str(counter))

    def intake(self, name: str, now: str | None = None) -> str:
        data = self.ok("intake", "--procedure", PROCEDURE, "--name", name, "--id", PERSON_ID, now=now)
        return str(data["code"])

    def backup_files(self, folder: Path | None = None) -> list[Path]:
        return sorted((folder or self.backups).glob("*.ctrbak"))


def dossier_codes(db: Path) -> set[str]:
    connection = sqlite3.connect(db)
    try:
        return {row[0] for row in connection.execute("SELECT code FROM dossier WHERE code IS NOT NULL")}
    finally:
        connection.close()


def citizen_names(db: Path) -> set[str]:
    connection = sqlite3.connect(db)
    try:
        return {row[0] for row in connection.execute("SELECT applicant_name FROM dossier")}
    finally:
        connection.close()


def copy_installation(source: Counter, target: Counter) -> None:
    for suffix in ("", "-wal", "-shm"):
        extra = Path(f"{source.db}{suffix}")
        if extra.exists():
            shutil.copy(extra, f"{target.db}{suffix}")


def corrupt_middle(db: Path, pages: int = 4, page_size: int = 4096) -> None:
    """Overwrite whole pages in the middle of the file with a pattern no SQLite page starts with."""
    size = db.stat().st_size
    assert size > (pages + 4) * page_size, "database too small to corrupt its middle"
    start = (size // 2) // page_size * page_size
    with db.open("r+b") as handle:
        handle.seek(start)
        handle.write(b"\xa5" * (pages * page_size))
