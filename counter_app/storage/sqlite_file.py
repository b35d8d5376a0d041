"""The SQLite file itself, below the ORM: online snapshot, integrity checks, raw reads that work on a damaged file."""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
import stat
from collections.abc import Iterator
from pathlib import Path

from counter_app.errors import ValidationError
from counter_app.private_files import create_private

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


# What a file named as the local database is (`file_kind`)
MISSING = "missing"
NOT_A_FILE = "not-a-file"  # a folder, a device, a pipe
NEW = "new"  # empty, or a SQLite file without any table: the application may create its schema in it
COUNTER = "counter"  # a database of this application (possibly damaged further in)
FOREIGN = "foreign"  # a readable SQLite database of another program
DAMAGED = "damaged"  # not readable as SQLite: another kind of file, or a database whose first page is gone
UNKNOWN = "unknown"  # a SQLite file that could not be read just now (locked): opened as before, nothing refused
_OWN_TABLES = frozenset({"alembic_version", "setting"})


def file_kind(db_path: Path) -> str:
    """What `db_path` holds, found by reading only: never creates, locks for writing or changes the file.

    The file is read through SQLite only: a plain open() and close() of it would drop the POSIX locks that this
    process's own SQLite connections hold on it (SQLite shares one descriptor per file among them).
    """
    try:
        status = os.stat(db_path)
    except FileNotFoundError:
        return MISSING
    except OSError:
        return NOT_A_FILE
    if not stat.S_ISREG(status.st_mode):
        return NOT_A_FILE
    if status.st_size == 0:
        return NEW
    try:
        with _read_only(db_path, timeout=IN_USE_TIMEOUT_S) as connection:
            rows = connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
    except sqlite3.OperationalError as exc:  # locked, busy, unreadable just now: a state of the moment
        log.info("kind of %s not read: %s", db_path.name, exc)
        return UNKNOWN
    except sqlite3.DatabaseError:  # "file is not a database", "database disk image is malformed"
        return DAMAGED
    tables = {str(row[0]) for row in rows}
    if not tables:
        return NEW
    # alembic_version alone: another process is creating the schema right now
    if "alembic_version" in tables and (tables == {"alembic_version"} or tables >= _OWN_TABLES):
        return COUNTER
    return FOREIGN


def check_database_file(db_path: Path, *, damaged_ok: bool = False) -> None:
    """Refuse (exit 2) to open as the local database what is not one, before any connection can change it.

    `damaged_ok`: backup, restore and the checks must still reach a database too damaged to be read.
    """
    kind = file_kind(db_path)
    if kind == NOT_A_FILE:
        raise ValidationError(
            "db", f"“{db_path}” không phải là một tệp cơ sở dữ liệu (đó là thư mục, thiết bị hoặc ống dẫn)."
        )
    if kind == FOREIGN:
        raise ValidationError(
            "db",
            f"Tệp “{db_path}” là cơ sở dữ liệu SQLite của một chương trình khác, không phải của ứng dụng Bộ phận "
            "Một cửa: ứng dụng không mở tệp này để không làm thay đổi nó.",
            detail="SQLite file without this application's tables",
        )
    if kind == DAMAGED and not damaged_ok:
        raise ValidationError(
            "db",
            f"Tệp “{db_path}” không phải cơ sở dữ liệu của ứng dụng Bộ phận Một cửa, hoặc đã hỏng nặng. Nếu đó "
            "là cơ sở dữ liệu của quầy, hãy chạy “counter-app doctor” để biết cách phục hồi.",
            detail="not readable as SQLite",
        )
