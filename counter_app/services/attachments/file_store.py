"""Content-addressed store of attachment PDFs: <data folder>/attachments/<sha[:2]>/<sha>.pdf, each written once."""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from counter_app.private_files import private_dir

_CHUNK = 1 << 20


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


@dataclass(frozen=True)
class StoredFile:
    sha256: str
    size: int
    path: Path
    written: bool  # False: the same content was already stored


class AttachmentStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    def path_of(self, sha256: str) -> Path:
        return self.root / sha256[:2] / f"{sha256}.pdf"

    @contextlib.contextmanager
    def writing(self) -> Iterator[tuple[BinaryIO, list[StoredFile]]]:
        """A temporary file to write into; on leaving, it is stored under its hash (the list gets the result).

        The temporary file lives in the store's folder so that the final rename never crosses file systems.
        """
        private_dir(self.root)
        handle, name = tempfile.mkstemp(prefix=".incoming-", suffix=".pdf", dir=self.root)
        temp = Path(name)
        result: list[StoredFile] = []
        try:
            with os.fdopen(handle, "wb") as output:
                yield output, result
                output.flush()
                os.fsync(output.fileno())
            result.append(self.put(temp))
        finally:
            temp.unlink(missing_ok=True)

    def put(self, temp: Path) -> StoredFile:
        """Move a finished file (in the store's folder) to its content address; a repeat stores nothing twice."""
        sha = sha256_of(temp)
        size = temp.stat().st_size
        target = self.path_of(sha)
        # an existing file that no longer hashes to its name is damaged: the good copy just made replaces it
        if target.exists() and target.stat().st_size == size and sha256_of(target) == sha:
            temp.unlink()
            return StoredFile(sha, size, target, written=False)
        private_dir(target.parent)
        os.replace(temp, target)
        _fsync_folder(target.parent)
        return StoredFile(sha, size, target, written=True)

    def problem(self, sha256: str, size: int) -> str | None:
        """What is wrong with a stored file ("missing", "size", "hash"), or None when it is intact."""
        path = self.path_of(sha256)
        if not path.is_file():
            return "missing"
        if size and path.stat().st_size != size:
            return "size"
        if sha256_of(path) != sha256:
            return "hash"
        return None


def _fsync_folder(folder: Path) -> None:
    # the rename is durable only once the folder's entry is on disk (no-op where folders cannot be opened)
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
