"""Attachment files on the central: resumable chunked upload cut by SIGKILL, stored once, fetched, agency-private."""

from __future__ import annotations

import hashlib
import os
import signal
from pathlib import Path

import psycopg
import pytest
from sync_helpers import (
    AGENCY_A,
    AGENCY_B,
    Central,
    MakeCounter,
    accept_many,
    cli_popen,
    kill_while_chunk_waits,
    service_sync_args,
    sync,
)

from counter_app.bootstrap import Services
from counter_app.errors import NotFoundError

MIB = 1 << 20
FILE_NOISE = 10 * MIB  # five files of a little more than 10 MiB: 11 chunks each, the last one partial
FILES = 5


def noise_pdf(path: Path, noise: int) -> Path:
    """A valid one-page PDF carrying `noise` random bytes in a stream: incompressible, as scans nearly are.

    Written by hand (objects and cross-reference table), not with the code under test.
    """
    body = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
        b"<< /Length %d >>\nstream\n" % noise + os.urandom(noise) + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, obj in enumerate(body, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + obj + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(body) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(body) + 1, xref)
    path.write_bytes(bytes(out))
    return path


def attach_noise(services: Services, folder: Path) -> dict[str, bytes]:
    """Five noise PDFs on the papers of three marriage dossiers (two papers each); sha256 -> content."""
    folder.mkdir()
    results = accept_many(services, 3)
    files: dict[str, bytes] = {}
    for n in range(FILES):
        code = str(results[n // 2].code)
        path = noise_pdf(folder / f"giay-{n}.pdf", FILE_NOISE + n)
        view = services.attachments.add_files(code, n % 2 + 1, [path])
        content = path.read_bytes()
        assert view.sha256 == hashlib.sha256(content).hexdigest()
        files[view.sha256] = content
    return files


def central_files(central: Central) -> dict[str, tuple[int, bool, int, int, str]]:
    """sha256 -> (size, complete, chunk count, bytes in chunks, sha256 of the chunks in order), as the admin."""
    with central.admin() as conn:
        rows = conn.execute(
            "SELECT b.sha256, b.size, b.complete, count(c.idx), coalesce(sum(length(c.data)), 0), "
            "encode(sha256(coalesce(string_agg(c.data, ''::bytea ORDER BY c.idx), ''::bytea)), 'hex') "
            "FROM central.attachment_blob b LEFT JOIN central.attachment_chunk c USING (sha256) GROUP BY b.sha256"
        ).fetchall()
    return {str(r[0]): (int(str(r[1])), bool(r[2]), int(str(r[3])), int(str(r[4])), str(r[5])) for r in rows}


def ceil_chunks(size: int) -> int:
    return (size + MIB - 1) // MIB


def test_fifty_megabytes_survive_a_killed_sync_and_are_stored_once(
    central: Central, make_counter: MakeCounter, tmp_path: Path
) -> None:
    one = make_counter(AGENCY_A, 1)
    files = attach_noise(one, tmp_path / "scans")
    assert sum(len(c) for c in files.values()) > 50 * 10**6
    first = next(iter(files))  # the oldest attachment: uploaded first

    # Cut deterministically in the middle of the first file: an open admin transaction holds chunk 5, so the
    # service stores chunks 0-4, then its call storing chunk 5 waits on that row while the sync is killed.
    blocker = central.admin()
    blocker.execute(
        "INSERT INTO central.attachment_blob (sha256, size, agency_code) VALUES (%s, %s, %s)",
        [first, len(files[first]), AGENCY_A],
    )
    blocker.autocommit = False
    blocker.execute(
        "INSERT INTO central.attachment_chunk (sha256, idx, data) VALUES (%s, 5, %s)",
        [first, files[first][5 * MIB : 6 * MIB]],
    )
    process = cli_popen(
        tmp_path, *service_sync_args(central, one.context.database.path), input=central.credential(AGENCY_A, 1) + "\n"
    )
    try:
        kill_while_chunk_waits(central, process, first, "the first file's chunks")
    finally:
        if process.poll() is None:
            process.kill()
        process.communicate()
        # the killed client's call on the service, still waiting on the lock, ends as a cut network would end it
        with central.admin() as admin:
            admin.execute(
                "SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock' AND query LIKE %s",
                ["%attachment_chunk%"],
            )
        blocker.rollback()
        blocker.close()
    assert process.returncode == -signal.SIGKILL
    cut = central_files(central)
    assert cut[first][:3] == (len(files[first]), False, 5)
    assert [p.sha256 for p in one.attachments.pending_uploads()] == list(files)  # nothing marked uploaded

    resumed = sync(one, central, AGENCY_A, 1)

    total = sum(len(c) for c in files.values())
    assert (resumed.files_uploaded, resumed.files_failed) == (FILES, 0)
    # only what the cut left missing went: everything but the first file's five 1 MiB chunks
    assert resumed.bytes_uploaded == total - 5 * MIB
    stored = central_files(central)
    assert set(stored) == set(files)
    for sha, content in files.items():
        size, complete, chunks, chunk_bytes, digest = stored[sha]
        assert (size, complete, chunks, chunk_bytes) == (len(content), True, ceil_chunks(len(content)), len(content))
        assert digest == sha == hashlib.sha256(content).hexdigest()
    assert one.attachments.pending_uploads() == []
    assert all(a.synced for a in one.attachments.list_attachments(str(accept_code(one))))

    # a repeated upload (the rows set back to pending) stores nothing twice
    for sha in files:
        one.attachments.record_upload_error(sha, "thử lại")
    again = sync(one, central, AGENCY_A, 1)
    assert (again.files_uploaded, again.bytes_uploaded) == (FILES, 0)
    assert central_files(central) == stored
    assert central.count("SELECT count(*) FROM central.dossier_attachment") == FILES


def accept_code(services: Services) -> str:
    with services.context.uow() as uow:
        rows = uow.attachments.stored()
        state = uow.dossiers.get(rows[0].dossier_uuid)
    assert state is not None and state.code is not None
    return state.code


def test_a_counter_of_the_agency_fetches_a_file_another_agency_cannot_read_it(
    central: Central, make_counter: MakeCounter, tmp_path: Path
) -> None:
    one = make_counter(AGENCY_A, 1)
    folder = tmp_path / "scans"
    folder.mkdir()
    shared, private = accept_many(one, 2)
    shared_pdf = noise_pdf(folder / "chung.pdf", 3 * MIB)
    private_pdf = noise_pdf(folder / "rieng.pdf", 2 * MIB)
    shared_sha = one.attachments.add_files(str(shared.code), 1, [shared_pdf]).sha256
    private_sha = one.attachments.add_files(str(private.code), 1, [private_pdf]).sha256
    one.dossiers.transfer(str(shared.code), to_agency=AGENCY_B)
    assert sync(one, central, AGENCY_A, 1).files_uploaded == 2

    two = make_counter(AGENCY_A, 2)
    sync(two, central, AGENCY_A, 2)
    with pytest.raises(NotFoundError):
        two.attachments.pdf_path(private_sha)
    fetched = two.sync.fetch_attachments(str(private.code), central_url=central.service_url(), ca_file=central.ca_file)
    assert fetched.fetched == (private_sha,)
    assert hashlib.sha256(two.attachments.pdf_path(private_sha).read_bytes()).hexdigest() == private_sha
    assert two.attachments.pdf_path(private_sha).read_bytes() == private_pdf.read_bytes()
    # fetching again finds it here and downloads nothing
    again = two.sync.fetch_attachments(str(private.code), central_url=central.service_url(), ca_file=central.ca_file)
    assert (again.fetched, again.present) == ((), (private_sha,))

    # agency B decides the transferred dossier: it sees that blob, never A's other one
    decider = make_counter(AGENCY_B, 1)
    sync(decider, central, AGENCY_B, 1)
    got = decider.sync.fetch_attachments(str(shared.code), central_url=central.service_url(), ca_file=central.ca_file)
    assert got.fetched == (shared_sha,)
    assert decider.attachments.pdf_path(shared_sha).read_bytes() == shared_pdf.read_bytes()
    # behind the service's own checks, row-level security holds its role acting for B to what B may see
    with central.as_service(AGENCY_B, 1) as conn:
        blobs = {str(r[0]) for r in conn.execute("SELECT sha256 FROM central.attachment_blob")}
        chunks = {str(r[0]) for r in conn.execute("SELECT DISTINCT sha256 FROM central.attachment_chunk")}
        assert blobs == chunks == {shared_sha}
        assert conn.execute(
            "SELECT count(*) FROM central.attachment_chunk WHERE sha256 = %s", [private_sha]
        ).fetchone() == (0,)
        # nor can it write into A's files: a complete blob takes no chunk, an unseen one neither
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("INSERT INTO central.attachment_chunk (sha256, idx, data) VALUES (%s, 99, 'x')", [private_sha])
