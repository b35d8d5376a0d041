"""The sync service's attachment files (API v1): resumable upload in 1 MiB chunks, verified, under a quota; download.

Upload: `POST /v1/attachments/{sha256}` declares the file and answers which chunks the central holds, each
`PUT …/chunks/{idx}` stores one chunk (a repeat stores nothing), `POST …/complete` has the central check the size
and the SHA-256 of the whole (central.complete_attachment). A counter may upload only a file that an
`attachment.added` event of its own agency names (it pushes its events first), and an agency's files started on
the central stay within its quota (central.attachment_quota, else the service's default): beyond it, 413 with
a reason a clerk can read. Download: a complete file the caller's agency may see (row-level security: its own
upload, or a file named by a dossier it receives or decides). A file the caller may not see gets the same 404
as a file that does not exist, so that no answer tells whether another agency holds it.
"""

from __future__ import annotations

import logging
from typing import Annotated
from uuid import UUID

from fastapi import FastAPI, HTTPException, Request, Response
from fastapi import Path as PathParam
from psycopg_pool import ConnectionPool
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from counter_app.central.access import Caller, Credential, acting
from counter_app.central.session import Connection, Counter
from counter_app.sync.attachment_transfer import CHUNK_SIZE, chunk_count, dossier_files

log = logging.getLogger(__name__)

DEFAULT_QUOTA_BYTES = 256 << 30  # per agency: about seven years of a ward's scans at today's rate
MAX_FILE_BYTES = 2 << 30  # one scan or PDF; the counter refuses far smaller files before this
_OCTETS = "application/octet-stream"
NOT_NAMED = (
    "Tệp này không thuộc hồ sơ nào của cơ quan trên máy chủ trung tâm; quầy sẽ gửi thay đổi của hồ sơ trước rồi "
    "gửi tệp lần đồng bộ sau."
)
NOT_AVAILABLE = "Máy chủ trung tâm không có tệp số hóa này (hoặc quầy không được xem)."

Sha256 = Annotated[str, PathParam(pattern="^[0-9a-f]{64}$")]
ChunkIndex = Annotated[int, PathParam(ge=0, lt=MAX_FILE_BYTES // CHUNK_SIZE + 1)]


class BeginIn(BaseModel):
    size: int = Field(ge=0, le=MAX_FILE_BYTES)


class BlobStateOut(BaseModel):
    size: int
    complete: bool
    have: list[int]  # chunk indexes the central holds already (empty once complete)


class StoredOut(BaseModel):
    stored: bool


class CompleteOut(BaseModel):
    status: str  # complete | missing (chunks still to send) | damaged (chunks dropped: send again) | unknown


class BlobOut(BaseModel):
    size: int


class DossierFileOut(BaseModel):
    paper: int
    sha256: str
    size: int


def quota_refusal(used: int, size: int, quota: int) -> str:
    return (
        f"Dung lượng lưu tệp số hóa của cơ quan trên máy chủ trung tâm đã gần hết ({used // (1 << 20)} MiB đã "
        f"dùng, hạn mức {quota // (1 << 20)} MiB; tệp này {-(-size // (1 << 20))} MiB). Xin quản trị viên của "
        "thành phố nâng hạn mức; tệp vẫn được giữ trên máy này và sẽ được gửi khi có chỗ."
    )


def _named_size(conn: Connection, counter: Counter, sha256: str) -> int:
    """The size an `attachment.added` event of the caller's agency gives this file (0: the event gave none);
    404 when no such event names it."""
    row = conn.execute(
        "SELECT count(*), coalesce(max(a.size), 0) FROM central.dossier_attachment a "
        "JOIN central.event e ON e.uuid = a.event_uuid WHERE a.sha256 = %s AND e.agency_code = %s",
        [sha256, counter.agency_code],
    ).fetchone()
    if row is None or not row[0]:
        raise HTTPException(404, NOT_NAMED)
    return int(row[1])


def _blob(conn: Connection, sha256: str) -> tuple[int, bool] | None:
    """(size, complete) of a blob the caller sees (row-level security), None otherwise."""
    row = conn.execute("SELECT size, complete FROM central.attachment_blob WHERE sha256 = %s", [sha256]).fetchone()
    return (int(row[0]), bool(row[1])) if row is not None else None


def _quota(conn: Connection, counter: Counter, default: int) -> tuple[int, int]:
    """(bytes the agency's started files take, its quota)."""
    used = conn.execute(
        "SELECT coalesce(sum(size), 0) FROM central.attachment_blob WHERE agency_code = %s", [counter.agency_code]
    ).fetchone()
    quota = conn.execute(
        "SELECT max_bytes FROM central.attachment_quota WHERE agency_code = %s", [counter.agency_code]
    ).fetchone()
    return int(used[0]) if used else 0, int(quota[0]) if quota else default


def begin_upload(conn: Connection, counter: Counter, sha256: str, size: int, default_quota: int) -> BlobStateOut:
    named = _named_size(conn, counter, sha256)
    if named and named != size:
        raise HTTPException(409, "Kích thước tệp khác với kích thước hồ sơ đã ghi cho tệp này.")
    with conn.transaction():
        # one agency's new files one at a time: two copies of the service cannot both fit the last free bytes
        conn.execute("SELECT pg_advisory_xact_lock(7412, hashtext(%s))", [counter.agency_code])
        blob = _blob(conn, sha256)
        if blob is None:
            used, quota = _quota(conn, counter, default_quota)
            if used + size > quota:
                log.warning("attachment quota of %s reached (%d + %d > %d)", counter.agency_code, used, size, quota)
                raise HTTPException(413, quota_refusal(used, size, quota))
            conn.execute(
                "INSERT INTO central.attachment_blob (sha256, size, agency_code) VALUES (%s, %s, %s) "
                "ON CONFLICT (sha256) DO NOTHING",
                [sha256, size, counter.agency_code],
            )
            blob = _blob(conn, sha256)
    if blob is None:  # started by another agency a moment ago and not visible to this one: as not named
        raise HTTPException(404, NOT_NAMED)
    if blob[0] != size:
        raise HTTPException(409, "Tệp trên máy chủ trung tâm có cùng mã băm nhưng khác kích thước.")
    if blob[1]:
        return BlobStateOut(size=size, complete=True, have=[])
    have = [int(r[0]) for r in conn.execute("SELECT idx FROM central.attachment_chunk WHERE sha256 = %s", [sha256])]
    return BlobStateOut(size=size, complete=False, have=sorted(have))


def store_chunk(conn: Connection, counter: Counter, sha256: str, idx: int, data: bytes) -> StoredOut:
    _named_size(conn, counter, sha256)
    blob = _blob(conn, sha256)
    if blob is None:
        raise HTTPException(404, NOT_NAMED)
    size, complete = blob
    if complete:  # a repeat after the file was completed: nothing to store
        return StoredOut(stored=False)
    if idx >= chunk_count(size) or len(data) != min(CHUNK_SIZE, size - idx * CHUNK_SIZE):
        raise HTTPException(422, "Phần tệp gửi lên không đúng vị trí hoặc kích thước.")
    stored = conn.execute(
        "INSERT INTO central.attachment_chunk (sha256, idx, data) VALUES (%s, %s, %b) "
        "ON CONFLICT (sha256, idx) DO NOTHING",
        [sha256, idx, data],
    ).rowcount
    return StoredOut(stored=bool(stored))


async def _body(request: Request) -> bytes:
    """The request's bytes, at most one chunk: a larger body is refused before it is all read."""
    data = bytearray()
    async for part in request.stream():
        data += part
        if len(data) > CHUNK_SIZE:
            raise HTTPException(413, "Mỗi phần tệp gửi lên tối đa 1 MiB.")
    return bytes(data)


def add_attachment_routes(
    app: FastAPI, pool: ConnectionPool[Connection], *, default_quota: int = DEFAULT_QUOTA_BYTES
) -> None:
    @app.post("/v1/attachments/{sha256}", response_model=BlobStateOut, tags=["attachments"])
    def begin(sha256: Sha256, body: BeginIn, credential: Credential) -> BlobStateOut:
        """Declare a file of the caller's agency before sending its chunks: the chunks the central holds
        already (a resumed upload sends only the others). 404: no event of the agency names it; 413: over the
        agency's quota; 409: the central holds this hash with another size."""
        with acting(pool, credential) as (conn, counter):
            return begin_upload(conn, counter, sha256, body.size, default_quota)

    @app.put(
        "/v1/attachments/{sha256}/chunks/{idx}",
        response_model=StoredOut,
        tags=["attachments"],
        openapi_extra={
            "requestBody": {"required": True, "content": {_OCTETS: {"schema": {"type": "string", "format": "binary"}}}}
        },
    )
    async def put_chunk(sha256: Sha256, idx: ChunkIndex, request: Request, credential: Credential) -> StoredOut:
        """Store chunk `idx` (bytes idx × 1 MiB onwards, exactly 1 MiB except the last) of a declared file; a
        chunk the central holds already is not stored again (`stored: false`)."""
        data = await _body(request)
        return await run_in_threadpool(_put_chunk, pool, credential, sha256, idx, data)

    @app.post("/v1/attachments/{sha256}/complete", response_model=CompleteOut, tags=["attachments"])
    def complete(sha256: Sha256, credential: Credential) -> CompleteOut:
        """The central checks the size and the SHA-256 of the chunks it holds; damaged chunks are dropped so
        that the next upload sends them again."""
        with acting(pool, credential) as (conn, counter):
            _named_size(conn, counter, sha256)
            row = conn.execute("SELECT central.complete_attachment(%s)", [sha256]).fetchone()
        return CompleteOut(status=str(row[0]) if row else "unknown")

    @app.get("/v1/attachments/{sha256}", response_model=BlobOut, tags=["attachments"])
    def blob(sha256: Sha256, credential: Credential) -> BlobOut:
        """The size of a complete file the caller may read; 404 otherwise (whether or not it exists)."""
        with acting(pool, credential) as (conn, _counter):
            found = _blob(conn, sha256)
        if found is None or not found[1]:
            raise HTTPException(404, NOT_AVAILABLE)
        return BlobOut(size=found[0])

    @app.get(
        "/v1/attachments/{sha256}/chunks/{idx}",
        tags=["attachments"],
        response_class=Response,
        responses={200: {"content": {_OCTETS: {"schema": {"type": "string", "format": "binary"}}}}},
    )
    def get_chunk(sha256: Sha256, idx: ChunkIndex, credential: Credential) -> Response:
        """Chunk `idx` of a complete file the caller may read (the counter checks the whole file's SHA-256)."""
        with acting(pool, credential) as (conn, _counter):
            found = _blob(conn, sha256)
            row = (
                conn.execute(
                    "SELECT data FROM central.attachment_chunk WHERE sha256 = %s AND idx = %s", [sha256, idx]
                ).fetchone()
                if found is not None and found[1]
                else None
            )
        if row is None:
            raise HTTPException(404, NOT_AVAILABLE)
        return Response(content=bytes(row[0]), media_type=_OCTETS)

    @app.get("/v1/dossiers/{dossier_uuid}/attachments", response_model=list[DossierFileOut], tags=["attachments"])
    def files_of(dossier_uuid: UUID, credential: Credential) -> list[DossierFileOut]:
        """The latest file of each paper of a dossier the caller's agency receives or decides; an empty list for
        any other dossier, as for one that does not exist."""
        with acting(pool, credential) as (conn, _counter):
            files = dossier_files(conn, str(dossier_uuid))
        return [DossierFileOut(paper=p, sha256=s, size=n) for p, s, n in files]


def _put_chunk(pool: ConnectionPool[Connection], caller: Caller, sha256: str, idx: int, data: bytes) -> StoredOut:
    with acting(pool, caller) as (conn, counter):
        return store_chunk(conn, counter, sha256, idx, data)
