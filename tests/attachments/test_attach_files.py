"""Adding files to a paper: one PDF per paper, pages in order, stored once by content, recorded as an event."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest
from attachments.attachment_support import jpeg, pdf, pdfinfo_pages, png, sha256_file, stored_pdfs

from counter_app.bootstrap import Services
from counter_app.domain.intake import IntakeForm
from counter_app.errors import NotFoundError, RuleError, ValidationError


@pytest.fixture
def three_files(tmp_path: Path) -> list[Path]:
    return [jpeg(tmp_path / "to-khai.jpg"), png(tmp_path / "trang-2.png"), pdf(tmp_path / "giay-xac-nhan.pdf", 2)]


def test_jpeg_png_and_two_page_pdf_make_one_four_page_pdf(
    services: Services, code: str, three_files: list[Path]
) -> None:
    view = services.attachments.add_files(code, 1, three_files)

    # 1 page per image + the PDF's 2 pages
    assert view.pages == 4
    [stored] = stored_pdfs(services.context.data_dir)
    assert pdfinfo_pages(stored) == 4
    assert sha256_file(stored) == view.sha256
    assert stored.name == f"{view.sha256}.pdf"
    assert stored.parent.name == view.sha256[:2]
    assert view.size == stored.stat().st_size
    assert view.paper == 1 and view.paper_name == "Tờ khai đăng ký kết hôn"
    assert not view.synced and view.clerk == "can_bo_1"


def test_the_pages_keep_the_order_of_the_files(services: Services, code: str, tmp_path: Path) -> None:
    # pages of different sizes tell the order apart: a landscape JPEG, then the 2-page A4 PDF, then a small PNG
    files = [jpeg(tmp_path / "a.jpg", (800, 400)), pdf(tmp_path / "b.pdf", 2), png(tmp_path / "c.png", (100, 100))]
    view = services.attachments.add_files(code, 2, files)
    [stored] = stored_pdfs(services.context.data_dir)
    out = subprocess.run(
        ["pdfinfo", "-f", "1", "-l", "4", str(stored)], capture_output=True, text=True, check=True
    ).stdout
    sizes = re.findall(r"^Page\s+\d+ size:\s+([\d.]+) x ([\d.]+) pts", out, re.MULTILINE)
    widths_heights = [(float(w), float(h)) for w, h in sizes]
    assert view.pages == 4 and len(widths_heights) == 4
    assert widths_heights[0][0] > widths_heights[0][1]  # landscape image first
    assert widths_heights[1] == pytest.approx((595.28, 841.89), abs=0.5)  # A4 from reportlab
    assert widths_heights[2] == pytest.approx((595.28, 841.89), abs=0.5)
    assert widths_heights[3][0] == pytest.approx(widths_heights[3][1])  # the square PNG last


def test_attaching_the_same_files_again_stores_one_file_and_one_event(
    services: Services, code: str, three_files: list[Path]
) -> None:
    first = services.attachments.add_files(code, 1, three_files)
    again = services.attachments.add_files(code, 1, three_files)

    assert again.sha256 == first.sha256
    assert len(stored_pdfs(services.context.data_dir)) == 1
    labels = [e.kind for e in services.dossiers.timeline(code)]
    assert labels.count("attachment.added") == 1
    # the same content for the other paper: a second row and event, still one file
    services.attachments.add_files(code, 2, three_files)
    assert len(stored_pdfs(services.context.data_dir)) == 1
    assert [a.sha256 for a in services.attachments.list_attachments(code)] == [first.sha256, first.sha256]


def test_a_single_pdf_is_kept_byte_for_byte(services: Services, code: str, tmp_path: Path) -> None:
    original = pdf(tmp_path / "ban-goc.pdf", 3)
    view = services.attachments.add_files(code, 1, [original])
    assert view.sha256 == sha256_file(original)
    assert view.pages == 3


def test_the_event_carries_paper_pages_size_hash_and_who(
    services: Services, code: str, three_files: list[Path]
) -> None:
    before = services.context.clock.now().replace(microsecond=0)
    view = services.attachments.add_files(code, 1, three_files)
    after = services.context.clock.now()
    state = services.dossiers.get_state(code)
    with services.context.uow() as uow:
        events = [e for e in uow.events.for_dossier(state.uuid) if e.kind == "attachment.added"]
        assert len(events) == 1
        payload = json.loads(events[0].payload)
        assert events[0].clerk == "can_bo_1"
        assert before <= events[0].occurred_at <= after
    assert payload["paper"] == 1
    assert payload["pages"] == 4
    assert payload["sha256"] == view.sha256
    assert payload["size"] == view.size
    assert state.event_count == 2  # accepted + attachment added
    assert "Số hóa giấy tờ" in [e.label for e in services.dossiers.timeline(code)]


def test_replacing_and_appending(services: Services, code: str, tmp_path: Path) -> None:
    services.attachments.add_files(code, 1, [pdf(tmp_path / "a.pdf", 2)])
    replaced = services.attachments.add_files(code, 1, [jpeg(tmp_path / "b.jpg")])
    assert replaced.pages == 1
    appended = services.attachments.add_files(code, 1, [pdf(tmp_path / "c.pdf", 2)], append=True)
    assert appended.pages == 3
    [current] = services.attachments.list_attachments(code)
    assert current.sha256 == appended.sha256
    assert pdfinfo_pages(services.attachments.pdf_path(current.sha256)) == 3
    # the replaced scans stay in the store (history), three distinct files
    assert len(stored_pdfs(services.context.data_dir)) == 3


def test_checklist_shows_pages_against_each_paper(services: Services, code: str, three_files: list[Path]) -> None:
    services.attachments.add_files(code, 2, three_files)
    checklist = services.attachments.checklist(code)
    assert [(p.paper, p.attachment.pages if p.attachment else None) for p in checklist] == [(1, None), (2, 4)]
    assert checklist[0].name == "Tờ khai đăng ký kết hôn"


@pytest.mark.parametrize("paper", [0, 3, -1])
def test_an_unknown_paper_number_is_refused(services: Services, code: str, three_files: list[Path], paper: int) -> None:
    with pytest.raises(ValidationError, match="không có giấy tờ số"):
        services.attachments.add_files(code, paper, three_files)
    assert stored_pdfs(services.context.data_dir) == []


def test_unsupported_unreadable_and_missing_files_are_refused(services: Services, code: str, tmp_path: Path) -> None:
    text = tmp_path / "ghi-chu.txt"
    text.write_text("không phải ảnh")
    with pytest.raises(ValidationError, match="không phải PDF, JPEG hay PNG"):
        services.attachments.add_files(code, 1, [jpeg(tmp_path / "a.jpg"), text])
    broken = tmp_path / "hong.pdf"
    broken.write_bytes(b"%PDF-1.4\n" + b"\x00garbage" * 50)
    with pytest.raises(ValidationError, match="Không đọc được tệp PDF"):
        services.attachments.add_files(code, 1, [broken])
    truncated = tmp_path / "hong.jpg"
    truncated.write_bytes(b"\xff\xd8\xff\xe0" + b"\x00" * 20)
    with pytest.raises(ValidationError, match="Không đọc được ảnh"):
        services.attachments.add_files(code, 1, [truncated])
    with pytest.raises(ValidationError, match="Không tìm thấy tệp"):
        services.attachments.add_files(code, 1, [tmp_path / "khong-co.png"])
    assert stored_pdfs(services.context.data_dir) == []
    assert services.attachments.list_attachments(code) == []
    # nothing half-written is left behind either
    assert [p.name for p in (services.context.data_dir / "attachments").glob(".incoming-*")] == []


def test_an_unknown_dossier_is_not_found(services: Services, tmp_path: Path) -> None:
    with pytest.raises(NotFoundError):
        services.attachments.add_files("000.00.99.H29-260302-1999", 1, [jpeg(tmp_path / "a.jpg")])


def test_slips_and_missing_papers_are_not_digitised(services: Services, tmp_path: Path) -> None:
    form = IntakeForm(
        procedure_code="DEMO.KH", name="Trần Thị Bình", identifier="079190012345", missing=("Giấy chứng nhận độc thân",)
    )
    slip = services.intake.request_supplement(form)
    assert slip.slip is not None
    with pytest.raises(RuleError):
        services.attachments.add_files(slip.slip, 1, [jpeg(tmp_path / "a.jpg")])


def test_exemptions_record_why_a_paper_is_not_digitised(services: Services, code: str) -> None:
    view = services.attachments.exempt_paper(code, 2, "classified", "Mật")
    assert view.exempt and view.exempt_label == "Tài liệu mật" and view.exempt_note == "Mật"
    checklist = services.attachments.checklist(code)
    assert checklist[1].attachment is not None and checklist[1].attachment.exempt_reason == "classified"
    # not a stored file: nothing listed among the PDFs, nothing to upload
    assert services.attachments.list_attachments(code) == []
    assert services.attachments.pending_uploads() == []
    assert "attachment.exempted" in [e.kind for e in services.dossiers.timeline(code)]
    with pytest.raises(ValidationError, match="Lý do không số hóa chỉ nhận"):
        services.attachments.exempt_paper(code, 1, "lazy")
