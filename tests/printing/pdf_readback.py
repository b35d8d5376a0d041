"""Reading a rendered PDF back the way a person or a scanner would: text, pages, page size, barcodes."""

from __future__ import annotations

import re
import subprocess
import unicodedata
from pathlib import Path


def normalise(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


def write_pdf(pdf: bytes, folder: Path, name: str = "doc.pdf") -> Path:
    assert pdf.startswith(b"%PDF-")
    path = folder / name
    path.write_bytes(pdf)
    return path


def pdf_text(path: Path, *, page: int | None = None, layout: bool = True) -> str:
    """Text of the PDF (or one page) by pdftotext, NFC, whitespace collapsed to single spaces."""
    args = ["pdftotext", "-layout" if layout else "-raw", "-enc", "UTF-8"]
    if page is not None:
        args += ["-f", str(page), "-l", str(page)]
    out = subprocess.run([*args, str(path), "-"], capture_output=True, check=True, text=True).stdout
    return normalise(out)


def page_count(path: Path) -> int:
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, check=True, text=True).stdout
    match = re.search(r"^Pages:\s+(\d+)$", info, re.MULTILINE)
    assert match, info
    return int(match.group(1))


def page_size_pts(path: Path) -> tuple[float, float]:
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, check=True, text=True).stdout
    match = re.search(r"^Page size:\s+([\d.]+) x ([\d.]+) pts", info, re.MULTILINE)
    assert match, info
    return float(match.group(1)), float(match.group(2))


def decode_symbols(path: Path, *, page: int, resolution: int = 200) -> list[str]:
    """zbarimg's `TYPE:data` lines for one page rasterised by pdftoppm."""
    stem = path.with_suffix("")
    subprocess.run(
        [
            "pdftoppm",
            "-r",
            str(resolution),
            "-png",
            "-f",
            str(page),
            "-l",
            str(page),
            "-singlefile",
            str(path),
            str(stem),
        ],
        check=True,
    )
    result = subprocess.run(
        ["zbarimg", "--nodbus", "-q", f"{stem}.png"],
        check=False,
        capture_output=True,
        text=True,
    )
    assert result.returncode in (0, 4), result.stderr  # 4: nothing found, reported by the assertions
    return result.stdout.splitlines()
