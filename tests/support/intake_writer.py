"""Takes dossiers in and prints their receipts until killed, saying each one on stdout once it is acknowledged.

The power-cut drill's counter (tests/storage/test_power_cut.py): `python -m tests.support.intake_writer DB`. A line
`{"code", "uuid", "receipt", "pdf"}` is written, flushed, only after `intake.accept` and `documents.render` have
both returned: the moment a clerk would hand the citizen the receipt.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from counter_app.bootstrap import build_services
from counter_app.domain.intake import IntakeForm
from counter_app.services.common.clock import SystemClock


def main(db: str) -> int:
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
        receipt = services.documents.render(result.code or "", "receipt")
        line = {"code": result.code, "uuid": result.uuid, "receipt": receipt.number, "pdf": str(receipt.path)}
        sys.stdout.write(json.dumps(line) + "\n")
        sys.stdout.flush()
        n += 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
