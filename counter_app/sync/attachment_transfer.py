"""Attachment files to and from the central: resumable upload in 1 MiB chunks, verified download.

Upload of one file: its blob row (a repeat is a no-op), the chunk indexes the central already holds, each
missing chunk in its own short transaction (INSERT … ON CONFLICT DO NOTHING, so a repeat stores nothing), then
`central.complete_attachment`, which checks the size and the SHA-256 of the concatenated chunks on the central
itself. A cut at any moment loses at most the chunk being sent; the next sync sends only what is missing.
The counter runs these steps over the sync service's API (service_client.ServiceBlobs); `dossier_files` is the
service's own read of a dossier's files (central.attachments).
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol

import psycopg
from psycopg.rows import TupleRow

from counter_app.errors import RuleError

log = logging.getLogger(__name__)

CHUNK_SIZE = 1 << 20

Connection = psycopg.Connection[TupleRow]


class Upload(Protocol):
    """A stored file waiting for upload (services.attachment_views.PendingUpload)."""

    @property
    def sha256(self) -> str: ...
    @property
    def path(self) -> Path: ...
    @property
    def size(self) -> int: ...


class UploadQueue(Protocol):
    """The local side of the uploads (services.attachments.AttachmentService)."""

    def pending_uploads(self) -> Sequence[Upload]: ...
    def mark_uploaded(self, sha256: str) -> int: ...
    def record_upload_error(self, sha256: str, error: str) -> int: ...


@dataclass
class UploadOutcome:
    files: int = 0  # files the central now holds complete
    chunks: int = 0  # chunks newly stored on the central (a repeat stores nothing)
    bytes_sent: int = 0
    failed: int = 0


def chunk_count(size: int) -> int:
    return -(-size // CHUNK_SIZE)


class Blobs(Protocol):
    """Where the central's attachment files are reached: the sync service (sync.service_client.ServiceBlobs).
    Every call is safe to repeat."""

    def begin(self, sha256: str, size: int) -> tuple[bool, set[int]]:
        """Declare the file (a repeat is a no-op): whether the central holds it complete, and the chunk
        indexes it holds already. RuleError when it refuses (not this agency's, another size, over quota)."""
        ...

    def put_chunk(self, sha256: str, idx: int, data: bytes) -> bool:
        """Store one chunk; False when the central held it already."""
        ...

    def complete(self, sha256: str) -> str:
        """The central's own check of size and hash: 'complete', 'missing', 'damaged' or 'unknown'."""
        ...

    def size_of(self, sha256: str) -> int | None:
        """The size of a complete file this counter may read; None when it may not or it is not complete."""
        ...

    def chunk(self, sha256: str, idx: int) -> bytes | None: ...

    def files_of(self, dossier_uuid: str) -> list[tuple[int, str, int]]:
        """(paper, sha256, size) of the latest file of each paper of a dossier this counter may see."""
        ...


def upload_file(
    blobs: Blobs,
    sha256: str,
    path: Path,
    size: int,
    *,
    outcome: UploadOutcome,
    cancel: threading.Event | None = None,
) -> bool:
    """Send what the central lacks of one file; True once the central holds it complete and verified.

    False when cancelled half-way; RuleError when the central refuses or finds the file damaged.
    """
    complete, have = blobs.begin(sha256, size)
    if not complete:
        with path.open("rb") as handle:
            for idx in range(chunk_count(size)):
                if idx in have:
                    continue
                if cancel is not None and cancel.is_set():
                    return False
                handle.seek(idx * CHUNK_SIZE)
                data = handle.read(CHUNK_SIZE)
                if blobs.put_chunk(sha256, idx, data):
                    outcome.chunks += 1
                    outcome.bytes_sent += len(data)
        status = blobs.complete(sha256)
        if status != "complete":
            log.warning("attachment %s not complete on the central: %s", sha256[:12], status)
            raise RuleError(
                "Tệp số hóa gửi lên không khớp mã băm trên máy chủ trung tâm (tệp trên máy có thể đã bị hỏng); "
                "sẽ gửi lại lần đồng bộ sau.",
                detail=status,
            )
    outcome.files += 1
    return True


def upload_pending(
    blobs: Blobs,
    queue: UploadQueue,
    *,
    cancel: threading.Event | None = None,
    on_file: Callable[[int], None] | None = None,
    outcome: UploadOutcome | None = None,
) -> UploadOutcome:
    """Upload every pending file; a refused file is recorded as an upload error and retried next time.

    A lost connection propagates (psycopg.OperationalError, CentralUnreachable): what was sent stays on the
    central, and the next sync sends only the rest.
    """
    outcome = outcome if outcome is not None else UploadOutcome()
    for upload in queue.pending_uploads():
        if cancel is not None and cancel.is_set():
            break
        try:
            if not upload.path.is_file():
                raise RuleError("Tệp số hóa không còn trên máy này nên không gửi lên được.")
            done = upload_file(blobs, upload.sha256, upload.path, upload.size, outcome=outcome, cancel=cancel)
        except psycopg.OperationalError:
            raise
        except (RuleError, psycopg.errors.InsufficientPrivilege, psycopg.errors.IntegrityError) as exc:
            outcome.failed += 1
            message = exc.message if isinstance(exc, RuleError) else str(exc).splitlines()[0]
            queue.record_upload_error(upload.sha256, message)
            continue
        if done:
            queue.mark_uploaded(upload.sha256)
            if on_file is not None:
                on_file(1)
    return outcome


def dossier_files(conn: Connection, dossier_uuid: str) -> list[tuple[int, str, int]]:
    """(paper, sha256, size) of the latest file of each paper of a dossier, as the central knows it."""
    rows = conn.execute(
        # ties on the clock (two scans in the same instant) go to the later arrival, as the counter recorded them
        "SELECT DISTINCT ON (a.paper) a.paper, a.sha256, a.size FROM central.dossier_attachment a "
        "JOIN central.event e ON e.uuid = a.event_uuid "
        "WHERE a.dossier_uuid = %s ORDER BY a.paper, a.occurred_at DESC, e.server_seq DESC",
        [dossier_uuid],
    ).fetchall()
    return [(int(p), str(s), int(n)) for p, s, n in rows]


def download_blob(blobs: Blobs, sha256: str, output: BinaryIO) -> int:
    """Write a complete blob's chunks to `output`, checking the size and the hash; returns the size."""
    size = blobs.size_of(sha256)
    if size is None:
        raise RuleError("Máy chủ trung tâm chưa có đủ tệp số hóa này (quầy tiếp nhận chưa gửi lên hết).")
    digest = hashlib.sha256()
    written = 0
    for idx in range(chunk_count(size)):
        data = blobs.chunk(sha256, idx)
        if data is None:
            raise RuleError("Tệp số hóa trên máy chủ trung tâm bị thiếu một phần.", detail=f"chunk {idx}")
        digest.update(data)
        output.write(data)
        written += len(data)
    if written != size or digest.hexdigest() != sha256:
        raise RuleError("Tệp số hóa tải về không khớp mã băm; tệp không được lưu.")
    return size
