"""Files and folders only their owner can read (they hold citizens' data), and whole-file writes by rename.

Every file or folder the application creates for personal data goes through here: the database (SQLite gives
its -wal, -shm and -journal the database's own permissions), snapshots, backups, logs, exports, printed PDFs
and attachments. On Windows the user's profile already keeps them private: the defaults are left alone there.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path

from counter_app.errors import RuleError

PRIVATE_FILE = 0o600
PRIVATE_DIR = 0o700
_POSIX = os.name == "posix"


def private_dir(folder: Path) -> Path:
    """`folder`, created (with every missing parent) readable by its owner only; an existing one is left as it is.

    Refused (RuleError) when something that is not a folder stands in the way.
    """
    missing: list[Path] = []
    probe = folder
    while not probe.exists():
        if probe.is_symlink():  # a dangling link: mkdir would fail below with a less useful error
            break
        missing.append(probe)
        if probe.parent == probe:
            break
        probe = probe.parent
    for path in reversed(missing):
        try:
            path.mkdir(mode=PRIVATE_DIR)
        except FileExistsError:  # another process made it meanwhile
            pass
        except OSError as exc:  # no right to write there, a file in the way of a parent, ...
            raise RuleError(f"Không tạo được thư mục “{path}”.", detail=type(exc).__name__) from None
    if not folder.is_dir():
        raise RuleError(f"“{folder}” không phải là thư mục: không ghi được tệp vào đó.", detail="not a directory")
    return folder


def create_private(path: Path) -> None:
    """An empty file only its owner can read (a plaintext copy of personal data is about to be written to it)."""
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE))
    restrict(path)


def create_private_if_missing(path: Path) -> None:
    """`path` created empty and private when it does not exist; an existing file is neither changed nor emptied."""
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
    except FileExistsError:
        return
    os.close(descriptor)


def restrict(path: Path) -> None:
    """Make an existing file of personal data readable by its owner only (a copy moved aside, a restored file)."""
    if _POSIX:
        os.chmod(path, PRIVATE_FILE)


def check_replaceable(target: Path) -> None:
    """Refuse a target that exists and is not a regular file (a folder, a device, a link, a pipe)."""
    try:
        mode = os.lstat(target).st_mode
    except (FileNotFoundError, NotADirectoryError):  # a new file (its folder is made, or refused, when written)
        return
    if stat.S_ISDIR(mode):
        raise RuleError(f"“{target}” là một thư mục: hãy chỉ một tệp để ghi, ví dụ “{target / 'bao-cao.pdf'}”.")
    if not stat.S_ISREG(mode):
        raise RuleError(
            f"“{target}” không phải là một tệp thông thường (thiết bị, liên kết hoặc ống dẫn): không ghi đè lên đó."
        )


@contextlib.contextmanager
def replacing(target: Path) -> Iterator[Path]:
    """A private temporary file beside `target` to write into; when the block ends without error it replaces
    `target` whole (a reader never sees half a file), and only when `target` is absent or a regular file.

    The temporary file is removed whatever happens; the rename is made durable (file and folder synced).
    """
    check_replaceable(target)
    folder = private_dir(target.parent)
    descriptor, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=folder)
    os.close(descriptor)
    partial = Path(name)
    try:
        yield partial
        with partial.open("rb+") as handle:
            os.fsync(handle.fileno())
        check_replaceable(target)  # again: something may have been put there while the file was written
        os.replace(partial, target)
        fsync_dir(folder)
    finally:
        partial.unlink(missing_ok=True)


def fsync_dir(folder: Path) -> None:
    """Make a rename in `folder` durable; Windows cannot open a folder and makes renames durable itself."""
    if os.name == "nt":
        return
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
