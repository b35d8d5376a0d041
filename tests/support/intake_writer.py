"""Takes dossiers in, files a scan of their first paper and prints their receipts until killed, saying each one
on stdout once it is acknowledged.

The power-cut drill's counter (tests/storage/test_power_cut.py): `python -m tests.support.intake_writer DB SCAN`
(SCAN: a PDF, the paper's scan). A line `{"code", "uuid", "scan", "scan_path", "receipt", "pdf"}` is written,
flushed, only after `intake.accept`, `attachments.add_files` and `documents.render` have all returned: the moment a
clerk would hand the citizen the receipt.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from counter_app.bootstrap import build_services
from counter_app.domain.intake import IntakeForm
from counter_app.services.common.clock import SystemClock


def main(db: str, scan: str) -> int:
    services = build_services(Path(db), SystemClock())
    n = 0
    while True:
        form = IntakeForm(
            procedure_code="DEMO.KH",
            name=f"Nguyễn Thị {chr(65 + n % 26)}",
            identifier=f"0791900{n:05d}",
            address=f"{n} Nguyễn Huệ, phường Bến Nghé",
        )
        result = services.intake.accept(form)
        code = result.code or ""
        attachment = services.attachments.add_files(code, 1, [Path(scan)])
        receipt = services.documents.render(code, "receipt")
        line = {
            "code": code,
            "uuid": result.uuid,
            "scan": attachment.sha256,
            "scan_path": str(services.attachments.pdf_path(attachment.sha256)),
            "receipt": receipt.number,
            "pdf": str(receipt.path),
        }
        sys.stdout.write(json.dumps(line) + "\n")
        sys.stdout.flush()
        n += 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
