"""Attachment files to and from the central: resumable upload in 1 MiB chunks, verified download.

Upload of one file: its blob row (a repeat is a no-op), the chunk indexes the central already holds, each
missing chunk in its own short transaction (INSERT … ON CONFLICT DO NOTHING, so a repeat stores nothing), then
`central.complete_attachment`, which checks the size and the SHA-256 of the concatenated chunks on the central
itself. A cut at any moment loses at most the chunk being sent; the next sync sends only what is missing.
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


def upload_file(
    conn: Connection,
    agency_code: str,
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
    conn.execute(
        "INSERT INTO central.attachment_blob (sha256, size, agency_code) VALUES (%s, %s, %s) "
        "ON CONFLICT (sha256) DO NOTHING",
        [sha256, size, agency_code],
    )
    row = conn.execute("SELECT size, complete FROM central.attachment_blob WHERE sha256 = %s", [sha256]).fetchone()
    if row is None:
        # another agency started the same content and no dossier of ours names it yet on the central
        raise RuleError("Máy chủ trung tâm chưa cho phép tải lên tệp này; sẽ thử lại lần đồng bộ sau.")
    if int(row[0]) != size:
        raise RuleError("Tệp số hóa trên máy chủ trung tâm có cùng mã băm nhưng khác kích thước.")
    if not row[1]:
        have = {int(r[0]) for r in conn.execute("SELECT idx FROM central.attachment_chunk WHERE sha256 = %s", [sha256])}
        with path.open("rb") as handle:
            for idx in range(chunk_count(size)):
                if idx in have:
                    continue
                if cancel is not None and cancel.is_set():
                    return False
                handle.seek(idx * CHUNK_SIZE)
                data = handle.read(CHUNK_SIZE)
                stored = conn.execute(
                    "INSERT INTO central.attachment_chunk (sha256, idx, data) VALUES (%s, %s, %b) "
                    "ON CONFLICT (sha256, idx) DO NOTHING",
                    [sha256, idx, data],
                ).rowcount
                if stored:
                    outcome.chunks += 1
                    outcome.bytes_sent += len(data)
        result = conn.execute("SELECT central.complete_attachment(%s)", [sha256]).fetchone()
        status = str(result[0]) if result else "unknown"
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
    conn: Connection,
    queue: UploadQueue,
    agency_code: str,
    *,
    cancel: threading.Event | None = None,
    on_file: Callable[[int], None] | None = None,
    outcome: UploadOutcome | None = None,
) -> UploadOutcome:
    """Upload every pending file; a refused file is recorded as an upload error and retried next time.

    A lost connection propagates (psycopg.OperationalError): what was sent stays on the central.
    """
    outcome = outcome if outcome is not None else UploadOutcome()
    for upload in queue.pending_uploads():
        if cancel is not None and cancel.is_set():
            break
        try:
            if not upload.path.is_file():
                raise RuleError("Tệp số hóa không còn trên máy này nên không gửi lên được.")
            done = upload_file(
                conn, agency_code, upload.sha256, upload.path, upload.size, outcome=outcome, cancel=cancel
            )
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


def download_file(conn: Connection, sha256: str, output: BinaryIO) -> int:
    """Write a complete blob's chunks to `output`, checking the size and the hash; returns the size."""
    row = conn.execute("SELECT size, complete FROM central.attachment_blob WHERE sha256 = %s", [sha256]).fetchone()
    if row is None or not row[1]:
        raise RuleError("Máy chủ trung tâm chưa có đủ tệp số hóa này (quầy tiếp nhận chưa gửi lên hết).")
    size = int(row[0])
    digest = hashlib.sha256()
    written = 0
    for idx in range(chunk_count(size)):
        chunk = conn.execute(
            "SELECT data FROM central.attachment_chunk WHERE sha256 = %s AND idx = %s", [sha256, idx], binary=True
        ).fetchone()
        if chunk is None:
            raise RuleError("Tệp số hóa trên máy chủ trung tâm bị thiếu một phần.", detail=f"chunk {idx}")
        data = bytes(chunk[0])
        digest.update(data)
        output.write(data)
        written += len(data)
    if written != size or digest.hexdigest() != sha256:
        raise RuleError("Tệp số hóa tải về không khớp mã băm; tệp không được lưu.")
    return size
