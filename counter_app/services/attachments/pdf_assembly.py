"""One PDF from a paper's files in order: images embedded losslessly (img2pdf), PDFs merged (pypdf)."""

from __future__ import annotations

import io
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from counter_app.errors import ValidationError

log = logging.getLogger(__name__)

# (done, total, what is happening): total 0 when not known in advance (a feeder scans until it is empty)
Progress = Callable[[int, int, str], None]

_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "pdf"),
    (b"\xff\xd8\xff", "jpeg"),
    (b"\x89PNG\r\n\x1a\n", "png"),
)
SUPPORTED_SUFFIXES = (".pdf", ".jpg", ".jpeg", ".png")


@dataclass(frozen=True)
class AssembledPdf:
    pages: int
    size: int


def file_kind(path: Path) -> str:
    """ "pdf", "jpeg" or "png" from the file's first bytes (its name may lie); ValidationError otherwise."""
    try:
        with path.open("rb") as handle:
            head = handle.read(1024)
    except OSError as exc:
        raise ValidationError("files", f"Không đọc được tệp “{path.name}”.", detail=type(exc).__name__) from None
    for magic, kind in _MAGIC:
        # PDF files may carry a few bytes of junk before the header; readers accept it within the first 1 KiB
        if head.startswith(magic) or (kind == "pdf" and magic in head):
            return kind
    raise ValidationError("files", f"Tệp “{path.name}” không phải PDF, JPEG hay PNG nên không đính kèm được.")


def pdf_page_count(data: bytes, name: str) -> int:
    """The number of pages of a PDF; ValidationError (Vietnamese) when it cannot be read."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise ValidationError("files", f"Tệp PDF “{name}” có mật khẩu; hãy dùng bản không khóa.")
        pages = len(reader.pages)
    except (PyPdfError, ValueError, KeyError, TypeError, OSError) as exc:
        raise ValidationError(
            "files", f"Không đọc được tệp PDF “{name}” (tệp hỏng?).", detail=type(exc).__name__
        ) from None
    if pages == 0:
        raise ValidationError("files", f"Tệp PDF “{name}” không có trang nào.")
    return pages


def _images_to_pdf(paths: Sequence[Path]) -> bytes:
    import img2pdf

    try:
        # the internal engine writes no date and no random /ID: the same pages give the same bytes, so the
        # content address of a repeated attachment is the same and it is stored once
        return bytes(img2pdf.convert([str(p) for p in paths], nodate=True, engine=img2pdf.Engine.internal))
    except Exception as exc:  # img2pdf raises its own kinds and Pillow's for damaged images
        names = ", ".join(f"“{p.name}”" for p in paths)
        raise ValidationError("files", f"Không đọc được ảnh {names} (tệp hỏng?).", detail=type(exc).__name__) from None


def _runs(paths: Sequence[Path]) -> list[tuple[str, list[Path]]]:
    """Consecutive images grouped (one img2pdf call each), every PDF on its own, order kept."""
    runs: list[tuple[str, list[Path]]] = []
    for path in paths:
        kind = "pdf" if file_kind(path) == "pdf" else "image"
        if kind == "image" and runs and runs[-1][0] == "image":
            runs[-1][1].append(path)
        else:
            runs.append((kind, [path]))
    return runs


def assemble_pdf(paths: Sequence[Path], output: BinaryIO, progress: Progress | None = None) -> AssembledPdf:
    """Write one PDF of `paths` (PDF, JPEG, PNG) in order to `output`; a single PDF is kept byte for byte."""
    if not paths:
        raise ValidationError("files", "Cần ít nhất một tệp để đính kèm.")
    runs = _runs(paths)
    parts: list[tuple[bytes, int]] = []
    done = 0
    for kind, group in runs:
        if progress is not None:
            progress(done, len(paths), f"Đang ghép tệp {done + 1}/{len(paths)}")
        data = group[0].read_bytes() if kind == "pdf" else _images_to_pdf(group)
        parts.append((data, pdf_page_count(data, group[0].name)))
        done += len(group)
    data = parts[0][0] if len(parts) == 1 else _merge([p[0] for p in parts])
    output.write(data)
    pages = sum(p[1] for p in parts)
    if progress is not None:
        progress(len(paths), len(paths), f"Đã ghép {pages} trang")
    return AssembledPdf(pages=pages, size=len(data))


def _merge(documents: Sequence[bytes]) -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for data in documents:
        writer.append(PdfReader(io.BytesIO(data)))
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()
