"""The SQLite file itself, below the ORM: online snapshot, integrity checks, raw reads that work on a damaged file."""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path

log = logging.getLogger(__name__)

SQLITE_MAGIC = b"SQLite format 3\x00"
# A restore waits this long for another program to let go of the file before it says "in use".
IN_USE_TIMEOUT_S = 0.5
MAX_PROBLEMS = 20


def companions(db_path: Path) -> tuple[Path, Path]:
    """The WAL and shared-memory files SQLite keeps beside `db_path`."""
    return Path(f"{db_path}-wal"), Path(f"{db_path}-shm")


@contextlib.contextmanager
def _read_only(db_path: Path, timeout: float = 10.0) -> Iterator[sqlite3.Connection]:
    # mode=ro never creates the file; a missing file is an error the caller reports
    connection = sqlite3.connect(f"{db_path.resolve().as_uri()}?mode=ro", uri=True, timeout=timeout)
    try:
        yield connection
    finally:
        connection.close()


def snapshot(db_path: Path, target: Path) -> None:
    """A consistent copy of the live database at `target` through SQLite's online backup API.

    All pages are copied in one step under one read transaction: in WAL mode writers go on meanwhile, and
    a step-by-step copy would restart each time another connection writes (never finishing on a busy desk).
    """
    if not db_path.is_file():
        raise FileNotFoundError(db_path)
    create_private(target)
    source = sqlite3.connect(f"{db_path.resolve().as_uri()}?mode=ro", uri=True, timeout=10.0)
    try:
        destination = sqlite3.connect(target)
        try:
            source.backup(destination, pages=-1)
            # a self-contained file: no -wal beside it to forget when it is encrypted or moved
            destination.execute("PRAGMA journal_mode=DELETE")
        finally:
            destination.close()
    finally:
        source.close()


def check(db_path: Path, *, quick: bool) -> list[str]:
    """SQLite's own check of the file: [] when sound, else its messages (or the error that stopped it)."""
    pragma = "quick_check" if quick else "integrity_check"
    try:
        with _read_only(db_path) as connection:
            rows = connection.execute(f"PRAGMA {pragma}({MAX_PROBLEMS})").fetchall()
    except sqlite3.DatabaseError as exc:  # "file is not a database", "database disk image is malformed", ...
        return [str(exc)]
    messages = [str(row[0]) for row in rows]
    return [] if messages == ["ok"] else messages


def read_settings(db_path: Path) -> dict[str, str]:
    """The stored settings, read without the ORM (the schema may be older or the file damaged elsewhere)."""
    with _read_only(db_path) as connection:
        return {str(k): str(v) for k, v in connection.execute("SELECT key, value FROM setting").fetchall()}


def schema_revision(db_path: Path) -> str | None:
    """The Alembic revision stored in the file, None when it has none."""
    try:
        with _read_only(db_path) as connection:
            row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.OperationalError:  # no such table: not (yet) a counter_app database
        return None
    return str(row[0]) if row else None


def header_journal_mode(db_path: Path) -> str:
    """ "wal" or "rollback" from the file header (bytes 18-19), read without opening a connection."""
    with db_path.open("rb") as handle:
        header = handle.read(100)
    if len(header) < 100 or not header.startswith(SQLITE_MAGIC):
        return "unknown"
    return "wal" if header[18] == 2 and header[19] == 2 else "rollback"


def in_use(db_path: Path) -> bool:
    """Whether another program has the file open, found by asking for the exclusive access leaving WAL needs.

    When nobody else has it open this also folds the WAL into the file, so the file alone is the database.
    A damaged file that cannot be asked counts as not in use (there is nothing left to protect in it).
    """
    if not db_path.exists():
        return False
    try:
        connection = sqlite3.connect(db_path, timeout=IN_USE_TIMEOUT_S, isolation_level=None)
    except sqlite3.DatabaseError:
        return False
    try:
        connection.execute("PRAGMA journal_mode=DELETE").fetchall()
    except sqlite3.OperationalError as exc:
        if "locked" in str(exc) or "busy" in str(exc):
            return True
        log.warning("could not leave WAL on %s: %s", db_path.name, exc)
    except sqlite3.DatabaseError as exc:
        log.warning("could not leave WAL on %s: %s", db_path.name, exc)
    finally:
        connection.close()
    return False


def create_private(path: Path) -> None:
    """An empty file only its owner can read (a plaintext copy of personal data is about to be written to it)."""
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600))


def fsync_dir(folder: Path) -> None:
    """Make a rename in `folder` durable; Windows cannot open a folder and makes renames durable itself."""
    if os.name == "nt":
        return
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
