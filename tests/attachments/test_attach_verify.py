"""Checking the store (every file there, hashing to its name and row) and the upload queue left to sync."""

from __future__ import annotations

from pathlib import Path

import pytest
from attachments.attachment_support import jpeg, pdf, sha256_file, stored_pdfs

from counter_app.bootstrap import Services
from counter_app.errors import NotFoundError


@pytest.fixture
def stored(services: Services, code: str, tmp_path: Path) -> Path:
    services.attachments.add_files(code, 1, [pdf(tmp_path / "a.pdf", 2)])
    services.attachments.add_files(code, 2, [jpeg(tmp_path / "b.jpg")])
    return stored_pdfs(services.context.data_dir)[0]


def test_an_intact_store_has_no_problem(services: Services, stored: Path) -> None:
    assert len(stored_pdfs(services.context.data_dir)) == 2
    assert services.attachments.verify_attachments() is None


def test_one_changed_byte_is_reported(services: Services, code: str, stored: Path) -> None:
    data = bytearray(stored.read_bytes())
    data[len(data) // 2] ^= 0x01
    stored.write_bytes(bytes(data))

    problem = services.attachments.verify_attachments()

    assert problem is not None
    assert problem.kind == "hash"
    assert problem.sha256 == stored.stem
    assert problem.path == stored
    assert problem.dossier_code == code
    assert "đã bị thay đổi" in problem.message and code in problem.message


def test_a_missing_file_is_reported(services: Services, code: str, stored: Path) -> None:
    stored.unlink()
    problem = services.attachments.verify_attachments()
    assert problem is not None and problem.kind == "missing"
    assert problem.sha256 == stored.stem
    assert "bị mất" in problem.message


def test_a_truncated_file_is_reported(services: Services, stored: Path) -> None:
    stored.write_bytes(stored.read_bytes()[:-10])
    problem = services.attachments.verify_attachments()
    assert problem is not None and problem.kind in {"size", "hash"}


def test_storing_the_same_content_again_repairs_a_damaged_file(services: Services, code: str, tmp_path: Path) -> None:
    source = pdf(tmp_path / "c.pdf", 1)
    view = services.attachments.add_files(code, 1, [source])
    target = services.attachments.pdf_path(view.sha256)
    target.write_bytes(b"%PDF-1.4 damaged")
    assert services.attachments.verify_attachments() is not None
    services.attachments.add_files(code, 2, [source])
    assert sha256_file(target) == view.sha256
    assert services.attachments.verify_attachments() is None


def test_pending_uploads_and_marking_them_uploaded(services: Services, code: str, tmp_path: Path) -> None:
    one_page = pdf(tmp_path / "a.pdf", 1)
    first = services.attachments.add_files(code, 1, [one_page])
    second = services.attachments.add_files(code, 2, [one_page])  # same content, another paper
    third = services.attachments.add_files(code, 2, [jpeg(tmp_path / "b.jpg")])
    assert first.sha256 == second.sha256

    pending = services.attachments.pending_uploads()
    assert [p.sha256 for p in pending] == [first.sha256, third.sha256]  # one entry per file, oldest first
    assert pending[0].path.is_file() and pending[0].size == first.size

    assert services.attachments.mark_uploaded(first.sha256) == 2  # both rows naming the file
    assert [p.sha256 for p in services.attachments.pending_uploads()] == [third.sha256]
    synced = {a.paper: a.synced for a in services.attachments.list_attachments(code)}
    assert synced == {1: True, 2: False}

    assert services.attachments.record_upload_error(third.sha256, "central unreachable") == 1
    assert [p.sha256 for p in services.attachments.pending_uploads()] == [third.sha256]  # retried later
    with pytest.raises(NotFoundError):
        services.attachments.mark_uploaded("0" * 64)
