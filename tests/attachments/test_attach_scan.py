"""Scanning through SANE's real protocol with its `test` backend, and the scanner layer's own rules."""

from __future__ import annotations

import re
import subprocess
import time
from pathlib import Path

import pytest
from attachments.attachment_support import TEST_FEEDER_PAGES, pdfinfo_pages, png, stored_pdfs

from counter_app.bootstrap import Services
from counter_app.errors import CounterError, NotFoundError, RuleError, ValidationError
from counter_app.services.attachments.digitisation import AttachmentService
from counter_app.services.attachments.document_scanners import SaneScanner, parse_sane_options

pytestmark = pytest.mark.usefixtures("sane_env")


def images_of(pdf: Path) -> list[tuple[str, int, int]]:
    """(colour, x-ppi, y-ppi) of each image of a PDF, read by poppler's pdfimages."""
    out = subprocess.run(["pdfimages", "-list", str(pdf)], capture_output=True, text=True, check=True).stdout
    rows = [line.split() for line in out.splitlines()[2:] if line.strip()]
    return [(r[5], int(r[12]), int(r[13])) for r in rows]


def with_scanner(services: Services, scanner: SaneScanner) -> AttachmentService:
    return AttachmentService(services.context, services.dossiers, scanner)


def test_the_feeder_is_scanned_until_empty_into_one_pdf(services: Services, code: str) -> None:
    progress: list[tuple[int, int, str]] = []
    view = services.attachments.scan_paper(code, 1, device="test:0", progress=lambda *p: progress.append(p))

    assert view.pages == TEST_FEEDER_PAGES
    [stored] = stored_pdfs(services.context.data_dir)
    assert pdfinfo_pages(stored) == TEST_FEEDER_PAGES
    # the settings' defaults: grey at 200 dpi
    assert images_of(stored) == [("gray", 200, 200)] * TEST_FEEDER_PAGES
    scanned = [done for done, _total, message in progress if message.startswith("Đã quét")]
    assert scanned == list(range(1, TEST_FEEDER_PAGES + 1))
    assert "attachment.added" in [e.kind for e in services.dossiers.timeline(code)]


def test_the_flatbed_scans_the_pages_asked_for_in_colour(services: Services, code: str) -> None:
    view = services.attachments.scan_paper(
        code, 2, device="test:1", source="flatbed", pages=3, mode="Color", resolution=150
    )
    assert view.pages == 3
    [stored] = stored_pdfs(services.context.data_dir)
    assert pdfinfo_pages(stored) == 3
    assert images_of(stored) == [("rgb", 150, 150)] * 3


def test_the_flatbed_scans_one_page_by_default_and_appends(services: Services, code: str) -> None:
    services.setup.set_setting("scan_source", "flatbed")
    services.setup.set_setting("scanner_device", "test:0")
    first = services.attachments.scan_paper(code, 1)
    second = services.attachments.scan_paper(code, 1, append=True)
    assert (first.pages, second.pages) == (1, 2)
    assert pdfinfo_pages(services.attachments.pdf_path(second.sha256)) == 2


def test_scanner_devices_are_listed_and_one_must_be_chosen(services: Services, code: str) -> None:
    assert [d.name for d in services.attachments.list_scanners()] == ["test:0", "test:1"]
    with pytest.raises(ValidationError, match="Có nhiều máy quét"):
        services.attachments.scan_paper(code, 1, source="flatbed")
    services.attachments.choose_scanner("test:1")
    assert services.context.settings().scanner_device == "test:1"
    assert services.attachments.scan_paper(code, 1, source="flatbed").pages == 1


def test_an_unknown_device_is_not_found(services: Services, code: str) -> None:
    with pytest.raises(NotFoundError, match="Không mở được máy quét"):
        services.attachments.scan_paper(code, 1, device="khongco:0")


@pytest.mark.parametrize(
    ("status", "message"),
    [("SANE_STATUS_JAMMED", "kẹt giấy"), ("SANE_STATUS_NO_DOCS", "không có giấy"), ("SANE_STATUS_COVER_OPEN", "Nắp")],
)
def test_scanner_failures_store_nothing(services: Services, code: str, status: str, message: str) -> None:
    # the test backend returns this status from sane_read, as a real scanner would
    failing = with_scanner(services, SaneScanner(extra_args=["--read-return-value", status]))
    with pytest.raises(RuleError, match=message):
        failing.scan_paper(code, 1, device="test:0")
    assert stored_pdfs(services.context.data_dir) == []
    assert failing.list_attachments(code) == []


def test_a_missing_scanimage_is_explained(services: Services) -> None:
    with pytest.raises(CounterError, match="Chưa cài chương trình quét SANE"):
        SaneScanner(program="/khong/co/scanimage").list_devices()


def test_bad_scan_options_are_refused_before_scanning(services: Services, code: str) -> None:
    with pytest.raises(ValidationError):
        services.attachments.scan_paper(code, 1, device="test:0", source="adf")
    with pytest.raises(ValidationError):
        services.attachments.scan_paper(code, 1, device="test:0", mode="Lineart")
    with pytest.raises(ValidationError, match="không có giấy tờ số 5"):
        services.attachments.scan_paper(code, 5, device="test:0")


# Option lines as `scanimage -A` prints them for other backends (epson2, brother4, a flatbed-only model)
EPSON = """
  Scan Mode:
    --mode Lineart|Gray|Color [Lineart]
        Selects the scan mode.
    --resolution 75|150|300|600|1200dpi [75]
    --source Flatbed|Automatic Document Feeder [Flatbed]
"""
BROTHER = """
    --mode Black & White|Gray[Error Diffusion]|True Gray|24bit Color|24bit Color[Fast] [24bit Color]
    --resolution 100|150|200|300|400|600|1200|2400|4800|9600dpi [200]
    --source FlatBed|Automatic Document Feeder(left aligned)|Automatic Document Feeder(centrally aligned) [FlatBed]
"""
AIRSCAN = """
    --resolution 75..600dpi (in steps of 1) [300]
    --mode Color|Gray [Color]
    --source Flatbed|ADF Duplex|ADF [Flatbed]
"""
FLATBED_ONLY = """
    --mode Color|Gray [Color]
    --resolution 50..1200dpi [300]
"""


def test_device_option_names_are_matched() -> None:
    epson = parse_sane_options(EPSON)
    assert epson.source_value("feeder") == "Automatic Document Feeder"
    assert epson.source_value("flatbed") == "Flatbed"
    assert (epson.mode_value("Gray"), epson.mode_value("Color")) == ("Gray", "Color")
    assert epson.resolution_value(200) == 150  # nearest offered: 150 is 50 dpi away, 300 is 100
    brother = parse_sane_options(BROTHER)
    assert brother.source_value("feeder") == "Automatic Document Feeder(left aligned)"
    assert brother.source_value("flatbed") == "FlatBed"
    assert brother.mode_value("Gray") == "Gray[Error Diffusion]"
    assert brother.mode_value("Color") == "24bit Color"
    assert brother.resolution_value(200) == 200
    airscan = parse_sane_options(AIRSCAN)
    assert airscan.source_value("feeder") == "ADF"  # one side before duplex
    assert airscan.resolution_value(1200) == 600  # clamped to the range
    flatbed = parse_sane_options(FLATBED_ONLY)
    assert flatbed.source_value("feeder") is None  # no --source option: scan without one
    assert flatbed.resolution_value(200) == 200


def test_a_device_without_the_source_asked_for_says_so() -> None:
    feeder_only = parse_sane_options("    --source ADF Front|ADF Back|ADF Duplex [ADF Front]\n")
    assert feeder_only.source_value("feeder") == "ADF Front"
    with pytest.raises(RuleError, match="không có mặt kính"):
        feeder_only.source_value("flatbed")


def test_the_windows_scanner_imports_here_and_refuses_politely() -> None:
    from counter_app.services.attachments.wia_scanner import WiaScanner

    with pytest.raises(CounterError, match=re.escape("chỉ dùng được trên Windows")):
        WiaScanner().list_devices()


def stuck_scanimage(folder: Path, *, hang_after_batch: bool) -> Path:
    """A stand-in for scanimage that scans one page, then never exits (as SANE's test backend now and then
    does while closing the device after its batch), or hangs before any page when `hang_after_batch` is False.
    """
    sample = png(folder / "sample.png", (200, 280))
    script = folder / "scanimage"
    after = (
        f'cp "{sample}" "$file"; echo "$file"\n'
        'echo "Scanned page 1. (scanner status = 7)" >&2\n'
        'echo "Batch terminated, 1 page scanned" >&2\n'
        if hang_after_batch
        else ""
    )
    script.write_text(
        "#!/bin/sh\n"
        'case "$*" in *" -A"*) echo "    --source Flatbed|ADF [Flatbed]"; exit 0;; esac\n'
        'for a in "$@"; do case "$a" in --batch=*) file=$(printf "${a#--batch=}" 1);; esac; done\n'
        f"{after}exec sleep 60\n"
    )
    script.chmod(0o755)
    return script


def test_a_scanner_stuck_closing_after_its_batch_is_stopped_and_its_pages_kept(
    services: Services, code: str, tmp_path: Path
) -> None:
    program = stuck_scanimage(tmp_path, hang_after_batch=True)
    scanner = SaneScanner(program=str(program), close_grace=0.5)
    started = time.monotonic()
    view = with_scanner(services, scanner).scan_paper(code, 1, device="stuck:0")
    assert view.pages == 1
    assert time.monotonic() - started < 30  # not the 60 s the stand-in would sleep


def test_a_scanner_that_never_answers_times_out(services: Services, code: str, tmp_path: Path) -> None:
    program = stuck_scanimage(tmp_path, hang_after_batch=False)
    scanner = SaneScanner(program=str(program), timeout=1.0)
    with pytest.raises(CounterError, match="không trả lời"):
        with_scanner(services, scanner).scan_paper(code, 1, device="stuck:0")
    assert stored_pdfs(services.context.data_dir) == []
