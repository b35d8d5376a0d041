"""Helpers of the digitisation tests: SANE's test scanner, sample files made independently, PDF read-back."""

from __future__ import annotations

import hashlib
import re
import subprocess
from pathlib import Path

from PIL import Image
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

# The SANE test backend's feeder "will be 'empty' after 10 scans" (scanimage -d test --help, option --source).
TEST_FEEDER_PAGES = 10


def sane_test_config(folder: Path) -> Path:
    """A SANE configuration folder whose dll.conf enables only the `test` backend (Debian's disables it)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "dll.conf").write_text("test\n")
    return folder


def jpeg(path: Path, size: tuple[int, int] = (400, 560)) -> Path:
    Image.new("RGB", size, (180, 40, 40)).save(path, "JPEG", quality=85)
    return path


def png(path: Path, size: tuple[int, int] = (400, 560)) -> Path:
    Image.new("L", size, 128).save(path, "PNG")
    return path


def pdf(path: Path, pages: int) -> Path:
    """A PDF of `pages` pages made with reportlab, not with the code under test."""
    c = canvas.Canvas(str(path), pagesize=A4)
    for n in range(1, pages + 1):
        c.drawString(72, 760, f"Trang {n}")
        c.showPage()
    c.save()
    return path


def pdfinfo_pages(path: Path) -> int:
    """The page count poppler's pdfinfo reads (an independent PDF reader)."""
    out = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    found = re.search(r"^Pages:\s+(\d+)", out, re.MULTILINE)
    assert found, out
    return int(found.group(1))


def sha256_file(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def stored_pdfs(data_dir: Path) -> list[Path]:
    return sorted((data_dir / "attachments").glob("*/*.pdf"))
