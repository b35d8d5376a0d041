"""The barcodes of Mẫu 02 and Mẫu 03 encode what the desk's look-up finds: scanning a slip opens its dossier."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from cli.cli_support import PERSON_ID, Cli
from printing.pdf_readback import decode_symbols

from counter_app.domain.intake import IntakeForm

if shutil.which("zbarimg") is None or shutil.which("pdftoppm") is None:
    pytest.skip("zbarimg and pdftoppm are needed", allow_module_level=True)


def test_a_scanned_supplement_or_refusal_slip_opens_its_dossier(cli: Cli, tmp_path: Path) -> None:
    form = IntakeForm(procedure_code="DEMO.KH", name="Lê Văn Cường", identifier=PERSON_ID)
    with cli.services("2026-03-02 10:30") as (services, _clock):
        supplement = services.intake.request_supplement(replace(form, missing=("Giấy chứng sinh",)))
        refusal = services.intake.refuse(replace(form, reason="Không thuộc thẩm quyền"))
    for kind, made in (("supplement", supplement), ("refusal", refusal)):
        out = tmp_path / f"{kind}.pdf"
        printed = cli("print", kind, str(made.slip), "--out", str(out), now="2026-03-02 10:40")
        assert printed.code == 0, str(printed)
        symbols = [line.split(":", 1)[1] for line in decode_symbols(out, page=1) if line.startswith("CODE-128:")]
        assert len(symbols) == 1, symbols
        # the symbol is the slip's key, which every look-up (scan, search, `show`) accepts
        assert symbols[0] == made.slip
        with cli.services("2026-03-02 10:45") as (services, _clock):
            assert services.dossiers.get_state(symbols[0]).uuid == made.uuid
