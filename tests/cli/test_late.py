"""`late` and `apology` across Tết 2026 (days off 14/2-22/2): exactly the dossiers due soon or overdue, no earlier.

Rules (domain.md §5, "Product decision, precisely"): an open dossier (status 2, 4, 6) is due soon from 07:30 of
the working day before its due day until its appointment, overdue after it; waiting for a supplement (5) it is
never listed, nor when finished. Every due date below is counted by hand: the day of receipt is not counted.
"""

from __future__ import annotations

import shutil
import subprocess
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import pytest
from cli.cli_support import PERSON_ID, Cli, accept, copy_database

# label: (procedure, received, due)
DOSSIERS = {
    # 5 working days from Mon 09/2: Tue 10, Wed 11, Thu 12, Fri 13, (Tết) Mon 23/2
    "P": ("DEMO.KH", "2026-02-09 08:00", "2026-02-23T17:00"),
    # 3 working days from Mon 09/2: Tue 10, Wed 11, Thu 12
    "F": ("DEMO.XNHN", "2026-02-09 09:00", "2026-02-12T17:00"),
    "G": ("DEMO.XNHN", "2026-02-09 09:30", "2026-02-12T17:00"),
    "B": ("DEMO.XNHN", "2026-02-09 10:00", "2026-02-12T17:00"),
    "H": ("DEMO.XNHN", "2026-02-09 11:00", "2026-02-12T17:00"),
    "W": ("DEMO.KH", "2026-02-09 11:30", "2026-02-23T17:00"),
    # 1 working day from Tue 10/2
    "A": ("1.010010", "2026-02-10 09:00", "2026-02-11T17:00"),
    # same-day procedure received before its 15:00 cut-off
    "S": ("1.001193", "2026-02-10 11:00", "2026-02-10T17:00"),
    # 5 working days from Tue 10/2: Wed 11, Thu 12, Fri 13, Mon 23, Tue 24/2
    "D": ("DEMO.KH", "2026-02-10 14:00", "2026-02-24T17:00"),
    # 3 working days from Tue 10/2: Wed 11, Thu 12, Fri 13/2
    "C": ("DEMO.XNHN", "2026-02-10 15:00", "2026-02-13T17:00"),
}
# E: 1 working day, taken in through the command line on Thu 12/2 16:00 -> Fri 13/2 17:00
E_DUE = "2026-02-13T17:00"
# F waits for a supplement from Tue 10/2 10:00 to Mon 23/2 09:00: the working days after the request day up to
# the day of the supplement are 11, 12, 13 and 23/2 (4); Thu 12/2 + 4 working days = 13, 23, 24, Wed 25/2
F_RESUMED_DUE = "2026-02-25T17:00"

SOON, OVER = "due_soon", "overdue"


@dataclass(frozen=True)
class Tet:
    cli: Cli
    codes: dict[str, str]


@pytest.fixture(scope="module")
def tet_template(template_db: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """The counter's dossiers before Tết: open ones of statuses 2, 4, 6, one paused (5), finished ones (7, 9, 10)."""
    db = tmp_path_factory.mktemp("tet") / "c.db"
    copy_database(template_db, db)
    codes: dict[str, str] = {}
    with Cli(db).services("2026-02-09 08:00") as (services, clock):
        dossiers = services.dossiers

        def at(moment: str) -> None:
            clock.set(moment)

        for label in ("P", "F", "G", "B", "H", "W"):
            procedure, received, _due = DOSSIERS[label]
            codes[label] = accept(services, clock, procedure, received)
        at("2026-02-09 14:00")
        for label in ("F", "G", "B", "P"):
            dossiers.transfer(codes[label])
        for label in ("A", "S", "D", "C"):
            procedure, received, _due = DOSSIERS[label]
            codes[label] = accept(services, clock, procedure, received)
        at("2026-02-10 15:30")
        dossiers.request_payment(codes["P"], 50000)  # status 6: still open
        dossiers.request_supplement(codes["F"], "Thiếu giấy xác nhận cư trú")  # status 5: paused
        dossiers.withdraw(codes["W"], "Công dân xin rút hồ sơ")  # 7
        dossiers.result_ready(codes["G"])  # 9
        dossiers.result_ready(codes["H"])
        at("2026-02-10 16:30")
        dossiers.hand_over(codes["H"])  # 10
        statuses = {label: dossiers.get_dossier(code).status for label, code in codes.items()}
    assert statuses == {"P": 6, "F": 5, "G": 9, "B": 4, "H": 10, "W": 7, "A": 2, "S": 2, "D": 2, "C": 2}
    return db, codes


@pytest.fixture
def tet(tet_template: tuple[Path, dict[str, str]], tmp_path: Path) -> Tet:
    source, codes = tet_template
    copy_database(source, tmp_path / "c.db")
    return Tet(Cli(tmp_path / "c.db"), dict(codes))


def listed(tet: Tet, rows: object) -> dict[str, str]:
    """`late --json` as {label: state}, checking each row's keys, due and apology flag."""
    assert isinstance(rows, list)
    by_code = {code: label for label, code in tet.codes.items()}
    result = {}
    for row in rows:
        assert set(row) == {"code", "due", "state", "apology"}, row
        label = by_code[row["code"]]
        due = E_DUE if label == "E" else F_RESUMED_DUE if label == "F" else DOSSIERS[label][2]
        assert (row["due"], row["apology"]) == (due, False), row
        result[label] = row["state"]
    assert len(result) == len(rows)  # no dossier twice
    return result


def check_moments(tet: Tet, expected: dict[str, dict[str, str]]) -> None:
    results = tet.cli.many(*((["late"], moment) for moment in expected))
    for (moment, wanted), result in zip(expected.items(), results, strict=True):
        assert listed(tet, result.json()) == wanted, f"at {moment}: {result}"


def test_late_lists_exactly_the_due_soon_and_overdue_dossiers_across_tet(tet: Tet) -> None:
    check_moments(
        tet,
        {
            # A (due Wed 11/2) is due soon since Tue 10/2 07:30; B (due Thu 12/2) only from Wed 11/2 07:30
            "2026-02-11 07:29": {"S": OVER, "A": SOON},
            "2026-02-11 07:30": {"S": OVER, "A": SOON, "B": SOON},
        },
    )
    taken = tet.cli(
        "intake", "--procedure", "1.010010", "--name", "Đỗ Thị Em", "--id", PERSON_ID, now="2026-02-12 16:00"
    ).json()
    assert taken["due"] == E_DUE
    tet.codes["E"] = taken["code"]
    check_moments(
        tet,
        {
            # C (due Fri 13/2) since Thu 12/2 07:30; B (due Thu 12/2) until 17:00
            "2026-02-12 16:59": {"S": OVER, "A": OVER, "B": SOON, "C": SOON, "E": SOON},
            # P is due Mon 23/2, right after Tết: the working day before it is Fri 13/2
            "2026-02-13 17:00": {"S": OVER, "A": OVER, "B": OVER, "C": SOON, "E": SOON, "P": SOON},
            # D is due Tue 24/2: due soon only from Mon 23/2 07:30, never during Tết
            "2026-02-13 17:01": {"S": OVER, "A": OVER, "B": OVER, "C": OVER, "E": OVER, "P": SOON},
            "2026-02-23 08:00": {"S": OVER, "A": OVER, "B": OVER, "C": OVER, "E": OVER, "P": SOON, "D": SOON},
        },
    )
    resumed = tet.cli("supplement-received", tet.codes["F"], now="2026-02-23 09:00").json()
    assert (resumed["status"], resumed["due"]) == (4, F_RESUMED_DUE)
    every_early_one = {"S": OVER, "A": OVER, "B": OVER, "C": OVER, "E": OVER}
    check_moments(
        tet,
        {
            "2026-02-24 07:30": every_early_one | {"P": OVER, "D": SOON, "F": SOON},
        },
    )


def pdf_text(path: Path) -> str:
    assert shutil.which("pdftotext"), "poppler-utils is needed"
    out = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return unicodedata.normalize("NFC", out)


def test_apology_once_on_a_working_day_after_the_due_day_of_an_open_dossier(tet: Tet, tmp_path: Path) -> None:
    a = tet.codes["A"]  # due Wed 11/2 17:00, status 2

    def apology(code: str, new_date: str) -> list[str]:
        return ["apology", code, "--reason", "Cần xác minh thêm với cơ quan khác", "--new-date", new_date]

    tet_day, same_day, finished, paused = tet.cli.many(
        (apology(a, "2026-02-17"), "2026-02-11 10:00"),
        (apology(a, "2026-02-11"), "2026-02-11 10:00"),
        (apology(tet.codes["G"], "2026-02-23"), "2026-02-11 10:00"),  # result ready (9): not open
        (apology(tet.codes["F"], "2026-02-23"), "2026-02-11 10:00"),  # waiting for a supplement (5)
    )
    assert "17/02/2026" in tet_day.refused()
    assert "11/02/2026" in same_day.refused()
    finished.refused()
    paused.refused()

    letter = tmp_path / "xin-loi.pdf"
    done = tet.cli(*apology(a, "2026-02-23"), "--delivered", "post", "--out", str(letter), now="2026-02-11 10:00")
    assert done.code == 0, str(done)
    assert a in pdf_text(letter)

    soon, second = tet.cli.many(
        (["late"], "2026-02-13 07:30"),
        (apology(a, "2026-02-24"), "2026-02-13 09:00"),
    )
    # the new appointment is Mon 23/2: due soon from Fri 13/2 07:30, with its apology
    assert {r["code"]: r for r in soon.json()}[a] == {
        "code": a,
        "due": "2026-02-23T17:00",
        "state": SOON,
        "apology": True,
    }
    assert "một lần" in second.refused()  # the appointment may be re-set only once

    shown = tet.cli("show", a).json()
    kinds = [e["kind"] for e in shown["events"]]
    assert kinds.count("dossier.reappointed") == 1
    assert "dossier.flagged" in kinds
    assert kinds.index("dossier.flagged") > kinds.index("dossier.reappointed")
    assert shown["due"] == "2026-02-23T17:00"
