"""`print`: each document kind renders a PDF that shows its dossier code or slip number; reprints say so."""

from __future__ import annotations

import re
import shutil
import subprocess
import unicodedata
from dataclasses import replace
from pathlib import Path

import pytest
from cli.cli_support import PERSON_ID, Cli, accept

from counter_app.domain.intake import IntakeForm

REPRINT = "BẢN IN LẠI"

if shutil.which("pdftotext") is None:
    pytest.skip("pdftotext (poppler-utils) is needed", allow_module_level=True)


def pdf_text(path: Path) -> str:
    assert path.read_bytes().startswith(b"%PDF"), path
    out = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return unicodedata.normalize("NFC", out)


def slip_number(slip: str) -> str:
    """`PBS-26-100001` is printed as `Số: 100001/PBS` (domain.md §3: `Số: …/<symbol>`)."""
    symbol, _year, sequence = slip.rsplit("-", 2)
    return f"{sequence}/{symbol}"


def number_on(text: str) -> str:
    match = re.search(r"Số:\s*(\S+)", text)
    assert match, text[:500]
    return match.group(1)


def test_every_kind_prints_once_then_reprints_are_marked(cli: Cli, tmp_path: Path) -> None:
    with cli.services("2026-03-02 10:00") as (services, clock):
        clock.set("2026-03-02 10:00")  # a procedure with a fee, paid at intake: its receipt can be printed
        paid = IntakeForm(procedure_code="DEMO.HKD", name="Nguyễn Văn An", identifier=PERSON_ID, fee_paid=True)
        code = services.intake.accept(paid).code
        assert code is not None
        withdrawn = accept(services, clock, "DEMO.XNHN", "2026-03-02 10:10")
        services.dossiers.withdraw(withdrawn, "Công dân xin rút hồ sơ")
        form = IntakeForm(procedure_code="DEMO.KH", name="Lê Văn Cường", identifier=PERSON_ID)
        clock.set("2026-03-02 10:30")
        supplement = services.intake.request_supplement(
            replace(form, missing=("Giấy xác nhận tình trạng hôn nhân",))
        ).slip
        refusal = services.intake.refuse(replace(form, reason="Không thuộc thẩm quyền")).slip
    assert supplement is not None
    assert refusal is not None
    now = "2026-03-02 11:00"
    first = {
        ("receipt", code): code,
        ("control", code): code,
        ("fee", code): code,
        ("withdrawal", withdrawn): withdrawn,
        ("supplement", supplement): slip_number(supplement),
        ("refusal", refusal): slip_number(refusal),
    }
    results = cli.many(*((["print", kind, key, "--out", str(tmp_path / f"{kind}-1.pdf")], now) for kind, key in first))
    texts = {}
    for ((kind, _key), shown), result in zip(first.items(), results, strict=True):
        assert result.code == 0, str(result)
        text = pdf_text(tmp_path / f"{kind}-1.pdf")
        assert shown in text, f"{kind}: {shown} not in the PDF"
        assert REPRINT not in text, kind
        texts[kind] = text

    no_reason, again_receipt, again_refusal, not_withdrawn = cli.many(
        (["print", "receipt", code, "--out", str(tmp_path / "receipt-x.pdf")], "2026-03-02 11:05"),
        (["print", "receipt", code, "--out", str(tmp_path / "receipt-2.pdf"), "--reason", "lost"], "2026-03-02 11:05"),
        (
            [
                *("print", "refusal", refusal, "--out", str(tmp_path / "refusal-2.pdf")),
                *("--reason", "other", "--reason-text", "Giấy bị nhòe mực"),
            ],
            "2026-03-02 11:05",
        ),
        (["print", "withdrawal", code, "--out", str(tmp_path / "x.pdf")], "2026-03-02 11:05"),
    )
    for result, kind, shown in (
        (again_receipt, "receipt", code),
        (again_refusal, "refusal", slip_number(refusal)),
    ):
        assert result.code == 0, str(result)
        text = pdf_text(tmp_path / f"{kind}-2.pdf")
        assert shown in text
        assert f"{REPRINT} lần 1" in text  # the first reprint (the original print is not counted)
        assert number_on(text) == number_on(texts[kind])  # a reprint keeps its number
    assert "lý do" in no_reason.refused()  # a reprint without a reason prints nothing
    assert not (tmp_path / "receipt-x.pdf").exists()
    assert "rút hồ sơ" in not_withdrawn.refused()
    assert not (tmp_path / "x.pdf").exists()
