"""A report file's format checked and its bytes written: the formats offered, a file written whole then renamed."""

from __future__ import annotations

from pathlib import Path

from counter_app.errors import ValidationError
from counter_app.private_files import replacing

FORMATS = ("pdf", "xlsx")


def check_format(fmt: str) -> None:
    if fmt not in FORMATS:
        raise ValidationError("format", f"Định dạng tệp “{fmt}” không được hỗ trợ; chọn: {', '.join(FORMATS)}.")


def write_file(path: Path, content: bytes) -> None:
    """Written whole beside the target, then renamed: nobody opens half a PDF."""
    with replacing(path) as partial:
        partial.write_bytes(content)
