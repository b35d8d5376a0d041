"""Noto Sans is found, registered once, embedded in every PDF, shipped with its licence."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from pdf_readback import write_pdf
from reportlab.pdfbase import pdfmetrics

from counter_app.printing import fonts
from counter_app.printing.data import ReceiptData
from counter_app.printing.receipt import render_receipt


def test_register_fonts_twice_is_harmless() -> None:
    fonts.register_fonts()
    fonts.register_fonts()

    registered = set(pdfmetrics.getRegisteredFontNames())
    assert {fonts.REGULAR, fonts.BOLD, fonts.ITALIC, fonts.BOLD_ITALIC} <= registered


def test_fonts_and_licence_are_shipped() -> None:
    paths = fonts.font_paths()

    assert all(path.is_file() for path in paths.values())
    licence = (fonts.resources_root() / "fonts" / "OFL.txt").read_text(encoding="utf-8")
    assert "SIL OPEN FONT LICENSE Version 1.1" in licence


def test_environment_overrides_the_resources_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COUNTER_APP_RESOURCES", str(tmp_path))

    assert fonts.font_paths()[fonts.REGULAR] == tmp_path / "fonts" / "NotoSans-Regular.ttf"


def test_missing_fonts_give_a_vietnamese_error() -> None:
    # a fresh interpreter: this process has registered the fonts already
    script = (
        "from counter_app.errors import CounterError\n"
        "from counter_app.printing.fonts import register_fonts\n"
        "try:\n"
        "    register_fonts()\n"
        "except CounterError as error:\n"
        "    print(error.message)\n"
    )
    env = {**os.environ, "COUNTER_APP_RESOURCES": "/nonexistent/resources"}
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, check=True)

    assert out.stdout.strip() == "Không tìm thấy phông chữ để in. Vui lòng cài đặt lại chương trình."


def test_noto_sans_is_embedded(receipt: ReceiptData, tmp_path: Path) -> None:
    path = write_pdf(render_receipt(receipt), tmp_path)

    listing = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    rows = listing.splitlines()[2:]
    assert rows
    assert all("NotoSans" in row for row in rows)
    # columns: name type encoding emb sub uni object-id; every font embedded, as a subset, with a ToUnicode map
    assert all(row.split()[-5:-2] == ["yes", "yes", "yes"] for row in rows)
