"""Attachments, catalogue and calendar through the city's sync service over TLS: resumable, verified, agency-private."""

from __future__ import annotations

import hashlib
import json
import secrets
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

from sync_helpers import (
    AGENCY_A,
    AGENCY_B,
    REPO,
    Central,
    MakeCounter,
    accept_many,
    cli_env,
    kill_while_chunk_waits,
)
from sync_service_support import SyncService
from test_attachment_sync import ceil_chunks, central_files, noise_pdf

from counter_app.bootstrap import Services
from counter_app.domain.calendar import CalendarYear
from counter_app.domain.procedure import validate_procedure
from counter_app.storage.models import AttachmentRow
from counter_app.sync.catalogue_sync import publish_calendar, publish_catalogue
from counter_app.sync.central_url import parse_central_url
from counter_app.sync.report import SyncReport

MIB = 1 << 20
MARRIAGE = "DEMO.KH"


def _sync(service: SyncService, counter: Services, agency: str, number: int, copy: int = 0) -> SyncReport:
    return counter.sync.sync_now(
        central_url=service.urls[copy], credential=service.credential(agency, number), ca_file=str(service.ca_file)
    )


def _fetch(service: SyncService, counter: Services, code: str, copy: int = 0) -> tuple[tuple[str, ...], ...]:
    got = counter.sync.fetch_attachments(code, central_url=service.urls[copy], ca_file=str(service.ca_file))
    return got.fetched, got.present


def _upload_errors(counter: Services) -> dict[str, str]:
    with counter.context.uow() as uow:
        return {r.sha256: r.sync_error for r in uow.session.query(AttachmentRow).all()}


def _calendar_2027() -> CalendarYear:
    return CalendarYear.from_json_dict(
        {
            "year": 2027,
            "version": "vn-2027.service",
            "source": "Quyết định thử nghiệm lịch nghỉ năm 2027 (dữ liệu kiểm thử)",
            "days_off": [{"date": "2027-01-01", "name": "Tết Dương lịch"}],
            "working_days": [],
        }
    )


def test_a_scan_made_on_one_counter_is_readable_on_the_other_and_the_city_catalogue_arrives(
    service: SyncService, central: Central, make_counter: MakeCounter, tmp_path: Path
) -> None:
    a1, a2 = make_counter(AGENCY_A, 1), make_counter(AGENCY_A, 2)
    (dossier,) = accept_many(a1, 1)
    code = str(dossier.code)
    scan = noise_pdf(tmp_path / "to-khai.pdf", 3 * MIB + 5)
    sha = a1.attachments.add_files(code, 1, [scan]).sha256
    # the city publishes: a procedure changed (as the administrator does it, at the central)
    admin = parse_central_url(central.admin_url)
    spec = a1.catalogue.get_procedure_spec(MARRIAGE)
    changed = spec.to_json_dict() | {"days": 4, "demo": False}
    publish_catalogue(admin, None, "hcm-2026.4", [validate_procedure(changed)])
    assert publish_calendar(admin, None, _calendar_2027())

    first = _sync(service, a1, AGENCY_A, 1, copy=0)
    assert (first.files_uploaded, first.files_failed, first.bytes_uploaded) == (1, 0, scan.stat().st_size)
    assert a1.attachments.pending_uploads() == []
    stored = central_files(central)[sha]
    assert stored == (scan.stat().st_size, True, ceil_chunks(scan.stat().st_size), scan.stat().st_size, sha)
    assert a1.catalogue.get_procedure_spec(MARRIAGE).days == 4  # the city's version won at the first counter

    second = _sync(service, a2, AGENCY_A, 2, copy=1)
    assert (second.pulled, second.failed) == (first.pushed, 0)
    assert _fetch(service, a2, code, copy=1) == ((sha,), ())
    assert a2.attachments.pdf_path(sha).read_bytes() == scan.read_bytes()
    assert _fetch(service, a2, code, copy=0) == ((), (sha,))  # fetched once: the next time finds it here
    assert a2.catalogue.get_procedure_spec(MARRIAGE).days == 4
    year = a2.calendar.get_year(2027)
    assert (year.version, year.estimated) == ("vn-2027.service", False)

    # a sync with nothing new uploads nothing again
    again = _sync(service, a1, AGENCY_A, 1, copy=1)
    assert (again.files_uploaded, again.bytes_uploaded) == (0, 0)
    assert central.count("SELECT count(*) FROM central.attachment_chunk") == ceil_chunks(scan.stat().st_size)


def test_an_upload_cut_mid_file_resumes_with_only_the_missing_chunks(
    service: SyncService, central: Central, make_counter: MakeCounter, tmp_path: Path
) -> None:
    one = make_counter(AGENCY_A, 1)
    (dossier,) = accept_many(one, 1)
    _sync(service, one, AGENCY_A, 1)  # the credential is kept; the dossier is on the central
    scan = noise_pdf(tmp_path / "ho-so.pdf", 12 * MIB)
    content = scan.read_bytes()
    sha = one.attachments.add_files(str(dossier.code), 1, [scan]).sha256

    # Cut deterministically in the middle of the file: an open admin transaction holds chunk 5, so the service
    # stores chunks 0-4 and then waits on that row while the counter's sync is killed.
    blocker = central.admin()
    blocker.execute(
        "INSERT INTO central.attachment_blob (sha256, size, agency_code) VALUES (%s, %s, %s)",
        [sha, len(content), AGENCY_A],
    )
    blocker.autocommit = False
    blocker.execute(
        "INSERT INTO central.attachment_chunk (sha256, idx, data) VALUES (%s, 5, %s)", [sha, content[5 * MIB : 6 * MIB]]
    )
    process = subprocess.Popen(
        [
            *(sys.executable, "-m", "counter_app", "sync", "--db", str(one.context.database.path)),
            *("--central", service.urls[0], "--ca-file", str(service.ca_file), "--json"),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
        env=cli_env(tmp_path),
        cwd=REPO,
    )
    try:
        kill_while_chunk_waits(central, process, sha, "the file's chunks")
    finally:
        if process.poll() is None:
            process.kill()
        process.communicate()
        blocker.rollback()  # the service's call, whose client is gone, then stores chunk 5 and ends
        blocker.close()
    assert process.returncode == -signal.SIGKILL
    deadline = time.monotonic() + 30
    while central.count("SELECT count(*) FROM central.attachment_chunk WHERE sha256 = %s", sha) < 6:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert central_files(central)[sha][:3] == (len(content), False, 6)
    assert [p.sha256 for p in one.attachments.pending_uploads()] == [sha]  # not marked uploaded

    resumed = _sync(service, one, AGENCY_A, 1, copy=1)

    assert (resumed.files_uploaded, resumed.files_failed) == (1, 0)
    assert resumed.bytes_uploaded == len(content) - 6 * MIB  # only what the cut left missing
    size, complete, chunks, chunk_bytes, digest = central_files(central)[sha]
    assert (size, complete, chunks, chunk_bytes) == (len(content), True, ceil_chunks(len(content)), len(content))
    assert digest == sha == hashlib.sha256(content).hexdigest()
    assert one.attachments.pending_uploads() == []


def test_agency_b_cannot_read_or_write_a_files_and_a_full_quota_is_refused_clearly(
    service: SyncService, central: Central, make_counter: MakeCounter, tmp_path: Path
) -> None:
    a1, b1 = make_counter(AGENCY_A, 1), make_counter(AGENCY_B, 1)
    shared, private = accept_many(a1, 2)
    shared_pdf = noise_pdf(tmp_path / "chung.pdf", 2 * MIB)
    private_pdf = noise_pdf(tmp_path / "rieng.pdf", MIB + 3)
    shared_sha = a1.attachments.add_files(str(shared.code), 1, [shared_pdf]).sha256
    private_sha = a1.attachments.add_files(str(private.code), 1, [private_pdf]).sha256
    a1.dossiers.transfer(str(shared.code), to_agency=AGENCY_B)
    assert _sync(service, a1, AGENCY_A, 1).files_uploaded == 2

    # B decides the transferred dossier: it fetches that file, and sees nothing of A's other one
    assert _sync(service, b1, AGENCY_B, 1, copy=1).failed == 0
    assert _fetch(service, b1, str(shared.code), copy=1) == ((shared_sha,), ())
    assert b1.attachments.pdf_path(shared_sha).read_bytes() == shared_pdf.read_bytes()
    unknown_sha = hashlib.sha256(secrets.token_bytes(16)).hexdigest()
    with service.client(service.credential(AGENCY_B, 1)) as as_b:
        for sha in (private_sha, unknown_sha):
            answers = [
                as_b.get(f"/v1/attachments/{sha}"),
                as_b.get(f"/v1/attachments/{sha}/chunks/0"),
                as_b.post(f"/v1/attachments/{sha}", json={"size": MIB + 3}),
                as_b.put(f"/v1/attachments/{sha}/chunks/0", content=b"x" * 100),
                as_b.post(f"/v1/attachments/{sha}/complete"),
            ]
            assert [a.status_code for a in answers] == [404] * 5, [a.text for a in answers]
        # the same answers for A's file as for a file that does not exist: nothing tells that A holds it
        assert as_b.get(f"/v1/attachments/{private_sha}").text == as_b.get(f"/v1/attachments/{unknown_sha}").text
        assert as_b.get(f"/v1/dossiers/{private.uuid}/attachments").json() == []
        assert as_b.get(f"/v1/dossiers/{uuid.uuid4()}/attachments").json() == []
        # nor may it write into the shared file it may read (its agency named no such file)
        assert as_b.put(f"/v1/attachments/{shared_sha}/chunks/0", content=b"x").status_code == 404
    assert central_files(central)[private_sha][1:3] == (True, ceil_chunks(private_pdf.stat().st_size))

    # A's quota reached: a new file is refused with a reason, kept here and sent once the quota allows it
    with central.admin() as admin:
        admin.execute("INSERT INTO central.attachment_quota (agency_code, max_bytes) VALUES (%s, %s)", [AGENCY_A, MIB])
    extra = noise_pdf(tmp_path / "them.pdf", MIB)
    extra_sha = a1.attachments.add_files(str(private.code), 2, [extra]).sha256
    refused = _sync(service, a1, AGENCY_A, 1)
    assert (refused.failed, refused.files_uploaded, refused.files_failed) == (0, 0, 1)
    assert "hạn mức" in _upload_errors(a1)[extra_sha]
    assert [p.sha256 for p in a1.attachments.pending_uploads()] == [extra_sha]
    assert extra_sha not in central_files(central)
    with central.admin() as admin:
        admin.execute("UPDATE central.attachment_quota SET max_bytes = %s WHERE agency_code = %s", [64 * MIB, AGENCY_A])
    assert _sync(service, a1, AGENCY_A, 1).files_uploaded == 1
    assert central_files(central)[extra_sha][1] is True


def test_the_openapi_document_names_the_new_endpoints(service: SyncService) -> None:
    with service.client(service.credential(AGENCY_A, 1)) as client:
        document = client.get("/openapi.json").json()
    paths = set(document["paths"])
    assert {
        "/v1/attachments/{sha256}",
        "/v1/attachments/{sha256}/chunks/{idx}",
        "/v1/attachments/{sha256}/complete",
        "/v1/dossiers/{dossier_uuid}/attachments",
        "/v1/published",
    } <= paths
    put = document["paths"]["/v1/attachments/{sha256}/chunks/{idx}"]["put"]
    assert "application/octet-stream" in put["requestBody"]["content"]
    assert json.dumps(document)  # served whole, as JSON
