"""Helpers of the command-line tests: the CLI as a subprocess, a settable clock, template databases, arranging."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from counter_app.bootstrap import Services, build_services
from counter_app.domain.clock import VN_TZ
from counter_app.domain.intake import IntakeForm

ROOT = Path(__file__).resolve().parents[2]
AGENCY = "000.17.22.H56"
AGENCY_NAME = "Trung tâm Phục vụ hành chính công phường Thử Nghiệm"
# 079 = Ho Chi Minh City, 0 = man born in the 1900s, 90 = 1990 (domain: a valid 12-digit personal identifier)
PERSON_ID = "079090001234"
PARALLEL = max(2, os.cpu_count() or 2)
VIETNAMESE_MARKS = frozenset("ăâđêôơưáàảãạấầẩẫậắằẳẵặéèẻẽẹếềểễệíìỉĩịóòỏõọốồổỗộớờởỡợúùủũụứừửữựýỳỷỹỵ")


def vn(text: str) -> datetime:
    """'YYYY-MM-DD HH:MM' as a Vietnamese moment."""
    return datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=VN_TZ)


class SetClock:
    """The services' clock, set by the test (the command line has its own --now)."""

    def __init__(self, start: str) -> None:
        self.moment = vn(start)

    def now(self) -> datetime:
        return self.moment

    def set(self, text: str) -> None:
        self.moment = vn(text)


@dataclass(frozen=True)
class Run:
    argv: tuple[str, ...]
    code: int
    out: str
    err: str

    def __str__(self) -> str:
        return f"counter-app {' '.join(self.argv)}\n→ exit {self.code}\nstdout: {self.out}\nstderr: {self.err}"

    def json(self) -> Any:
        assert self.code == 0, str(self)
        return json.loads(self.out)

    def refused(self) -> str:
        """Exit 2, no traceback, and a message in Vietnamese after "Lỗi"; returns that message."""
        assert self.code == 2, str(self)
        assert "Traceback" not in self.err, str(self)
        lines = [line for line in self.err.splitlines() if line.startswith("Lỗi")]
        assert lines, str(self)
        message = " ".join(line.split(":", 1)[1] for line in lines)
        assert any(ch in VIETNAMESE_MARKS for ch in message.lower()), str(self)
        return message


def base_env(home: Path) -> dict[str, str]:
    """The environment of a call: no COUNTER_APP_* from outside, logs and data under the test's folder."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("COUNTER_APP_")}
    env.update(
        XDG_DATA_HOME=str(home / "xdg-data"),
        XDG_STATE_HOME=str(home / "xdg-state"),
        XDG_CONFIG_HOME=str(home / "xdg-config"),
        XDG_CACHE_HOME=str(home / "xdg-cache"),
        PYTHONPATH=os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p),
    )
    return env


class Cli:
    """`counter-app` against one database file; global options go after the subcommand unless said otherwise."""

    def __init__(self, db: Path) -> None:
        self.db = db
        self.home = db.parent
        self.home.mkdir(parents=True, exist_ok=True)
        self.env = base_env(self.home)

    def raw(self, argv: Sequence[str], env: dict[str, str] | None = None) -> Run:
        proc = subprocess.run(
            [sys.executable, "-m", "counter_app", *argv],
            capture_output=True,
            text=True,
            encoding="utf-8",
            cwd=self.home,
            env=env or self.env,
            timeout=120,
            check=False,
        )
        return Run(tuple(argv), proc.returncode, proc.stdout.strip(), proc.stderr.strip())

    def __call__(self, *args: str, now: str | None = None, as_json: bool = True) -> Run:
        argv = [*args, "--db", str(self.db)]
        if now is not None:
            argv += ["--now", now]
        if as_json:
            argv.append("--json")
        return self.raw(argv)

    def many(self, *calls: tuple[Sequence[str], str | None]) -> list[Run]:
        """Independent calls (args, --now) run side by side; results in the order of the calls."""
        with ThreadPoolExecutor(PARALLEL) as pool:
            return list(pool.map(lambda call: self(*call[0], now=call[1]), calls))

    def raw_many(self, *calls: tuple[Sequence[str], dict[str, str] | None]) -> list[Run]:
        """Independent calls (full argv, environment) run side by side."""
        with ThreadPoolExecutor(PARALLEL) as pool:
            return list(pool.map(lambda call: self.raw(call[0], call[1]), calls))

    @contextmanager
    def services(self, start: str) -> Iterator[tuple[Services, SetClock]]:
        """The services over the same file in this process, to arrange a situation quickly."""
        clock = SetClock(start)
        services = build_services(self.db, clock)
        try:
            yield services, clock
        finally:
            services.close()


def copy_database(source: Path, target: Path) -> None:
    """The database and its installation's audit key file (kept beside it where no keyring runs)."""
    for suffix in ("", "-wal", "-shm"):
        extra = Path(f"{source}{suffix}")
        if extra.exists():
            shutil.copy(extra, f"{target}{suffix}")
    keys = source.parent / "audit-keys"
    if keys.is_dir():
        shutil.copytree(keys, target.parent / "audit-keys", dirs_exist_ok=True)


def initialised_database(folder: Path, counter: int = 1) -> Path:
    """A database set up as counter `counter` of AGENCY with the default widths (1 and 3 digits)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "template.db"
    services = build_services(path, SetClock("2026-01-05 08:00"))
    services.setup.init_local(agency_code=AGENCY, agency_name=AGENCY_NAME, counter=counter)
    services.close()
    return path


def accept(services: Services, clock: SetClock, procedure: str, received: str, name: str = "Nguyễn Văn An") -> str:
    """Take in a complete dossier received at `received` (the clock is set there too); returns its code."""
    clock.set(received)
    result = services.intake.accept(
        IntakeForm(procedure_code=procedure, name=name, identifier=PERSON_ID, received_at=vn(received))
    )
    assert result.code is not None
    return result.code
