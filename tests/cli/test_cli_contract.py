"""The command line's contract, checked from outside: names, options, JSON keys and types, exit codes.

Expected values are worked out by hand from domain.md (§4 codes, §5 deadlines, §6 statuses, §7 calendar).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import textwrap
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from cli.cli_support import AGENCY, AGENCY_NAME, PERSON_ID, ROOT, Cli, accept, base_env, copy_database, vn

from counter_app.errors import RuleError

SHIPPED_2026 = json.loads((ROOT / "resources" / "calendar" / "2026.json").read_text(encoding="utf-8"))
CATALOGUE = json.loads((ROOT / "resources" / "catalogue" / "demo.json").read_text(encoding="utf-8"))
FIND_KEYS = {"code", "name", "status", "status_name", "due"}


def intake_args(procedure: str, name: str = "Nguyễn Văn An", *extra: str, identifier: str = PERSON_ID) -> list[str]:
    return ["intake", "--procedure", procedure, "--name", name, "--id", identifier, *extra]


def init_args(counter: int, *extra: str) -> list[str]:
    return ["init", "--agency-code", AGENCY, "--agency-name", AGENCY_NAME, "--counter", str(counter), *extra]


def check_accepted(data: Any, code: str, due: str) -> None:
    assert set(data) == {"code", "uuid", "due"}
    assert (data["code"], data["due"]) == (code, due)
    uuid.UUID(data["uuid"])


def check_row(row: Any, code: str, status: int, status_name: str, due: str | None) -> None:
    """A dossier as the transitions report it (the spec names the keys of `find` only)."""
    assert (row["code"], row["status"], row["status_name"], row["due"]) == (code, status, status_name, due), row


def check_found(data: Any, code: str, status: int, status_name: str, due: str | None) -> None:
    assert isinstance(data, list)
    assert len(data) == 1, data
    assert set(data[0]) == FIND_KEYS
    assert isinstance(data[0]["name"], str)
    check_row(data[0], code, status, status_name, due)


# --- init and dossier codes (§4) ------------------------------------------------------------------------------


def test_init_two_digit_counters_with_four_digit_numbers(fresh_cli: Cli) -> None:
    init = fresh_cli(*init_args(12, "--counter-digits", "2", "--number-digits", "4"))
    assert init.code == 0, str(init)
    assert isinstance(init.json(), dict)
    taken = fresh_cli(*intake_args("DEMO.XNHN"), now="2026-03-02 10:00")
    check_accepted(taken.json(), f"{AGENCY}-260302-120001", "2026-03-05T17:00")
    # the widths are fixed once: a change could make two codes equal (§4)
    with fresh_cli.services("2026-03-02 10:05") as (services, _clock), pytest.raises(RuleError):
        services.setup.init_local(
            agency_code=AGENCY, agency_name=AGENCY_NAME, counter=12, counter_digits=2, number_digits=3
        )


# --- global options ---------------------------------------------------------------------------------------------


def test_global_options_before_or_after_the_subcommand_and_from_the_environment(cli: Cli) -> None:
    with cli.services("2026-03-02 10:00") as (services, clock):
        code = accept(services, clock, "DEMO.XNHN", "2026-03-02 10:00", name="Trần Thị Bình")
    db = str(cli.db)
    env = cli.env | {"COUNTER_APP_DB": db, "COUNTER_APP_NOW": "2026-03-06 16:45"}
    before, after_human, from_env = cli.raw_many(
        (["--db", db, "--now", "2026-03-04 08:00", "--json", "find", "Trần Thị Bình"], None),
        (["find", "tran thi binh", "--db", db, "--now", "2026-03-04 08:00"], None),
        # database and clock from the environment: Fri 06/3 16:45 + 1 working day = Mon 09/3 17:00 (§5)
        ([*intake_args("1.010010", "Phạm Văn Dũng"), "--json"], env),
    )
    check_found(before.json(), code, 2, "Được tiếp nhận", "2026-03-05T17:00")
    assert after_human.code == 0, str(after_human)
    assert code in after_human.out
    assert "05/03/2026 17:00" in after_human.out  # human output: dd/mm/yyyy
    assert "2026-03-05" not in after_human.out
    check_accepted(from_env.json(), f"{AGENCY}-260306-1001", "2026-03-09T17:00")


# --- due dates (§5) ---------------------------------------------------------------------------------------------


def test_due_date_worked_examples_and_hours_mode(cli: Cli) -> None:
    cases = [
        # (received, how, expected due); the worked examples of domain.md §5 first
        ("2026-03-02 10:00", ["--days", "3"], "2026-03-05T17:00"),
        ("2026-03-06 16:45", ["--days", "1"], "2026-03-09T17:00"),
        ("2026-01-09 10:00", ["--days", "1"], "2026-01-10T17:00"),  # the swapped working Saturday 10/1
        ("2026-03-10 14:59", ["--procedure", "1.001193"], "2026-03-10T17:00"),
        ("2026-03-10 15:01", ["--procedure", "1.001193"], "2026-03-11T17:00"),
        # hours mode, 8 working hours: 10:00-11:30 and 13:00-17:00 make 5h30, then 07:30 + 2h30
        ("2026-03-02 10:00", ["--days", "1", "--mode", "hours"], "2026-03-03T10:00"),
    ]
    results = cli.many(
        *((["due-date", "--received", received, *how], None) for received, how, _ in cases),
        (["due-date", "--received", "2027-03-01 10:00", "--days", "3"], None),
    )
    estimated = results.pop().json()
    assert estimated["due"] == "2027-03-04T17:00"
    assert estimated["estimated"] is True  # no official decision for 2027 yet (§7)
    assert isinstance(estimated["calendar_version"], str)
    assert estimated["calendar_version"] not in ("", SHIPPED_2026["version"])
    for (received, how, expected), result in zip(cases, results, strict=True):
        data = result.json()
        assert set(data) == {"due", "calendar_version", "estimated"}, str(result)
        assert data["due"] == expected, f"{received} {how}: {result}"
        assert data["calendar_version"] == SHIPPED_2026["version"], str(result)
        assert data["estimated"] is False


# --- calendar ---------------------------------------------------------------------------------------------------


def write_json(path: Path, data: object) -> str:
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return str(path)


def test_calendar_json_and_import_which_never_moves_a_given_appointment(cli: Cli, tmp_path: Path) -> None:
    with cli.services("2026-03-02 10:00") as (services, clock):
        code = accept(services, clock, "DEMO.XNHN", "2026-03-02 10:00")  # due Thu 05/3 17:00
    weekday_swap = write_json(
        tmp_path / "weekday.json",
        SHIPPED_2026 | {"version": "bad", "working_days": [{"date": "2026-03-04", "name": "Làm bù"}]},  # a Wednesday
    )
    revised = write_json(
        tmp_path / "2026.json",
        SHIPPED_2026
        | {
            "version": "vn-2026.2-test",
            "days_off": [*SHIPPED_2026["days_off"], {"date": "2026-03-04", "name": "Ngày nghỉ bổ sung (thử nghiệm)"}],
        },
    )
    shown, refused = cli.many((["calendar", "2026"], None), (["calendar-import", weekday_swap], "2026-03-03 08:00"))
    data = shown.json()
    assert set(data) == {"year", "version", "source", "days_off", "working_days", "estimated"}
    assert (data["year"], data["version"], data["estimated"]) == (2026, SHIPPED_2026["version"], False)
    assert all(set(d) == {"date", "name"} and d["name"] for d in data["days_off"] + data["working_days"])
    off = {d["date"] for d in data["days_off"]}
    assert {f"2026-02-{d}" for d in range(14, 23)} <= off  # Tết 14/2-22/2 (§7)
    assert {"2026-01-01", "2026-01-02", "2026-04-27", "2026-04-30", "2026-05-01", "2026-11-24"} <= off
    assert {"2026-02-13", "2026-02-23"}.isdisjoint(off)
    assert {d["date"] for d in data["working_days"]} == {"2026-01-10", "2026-08-22"}
    assert "04/03/2026" in refused.refused()
    with cli.services("2026-03-03 08:00") as (services, _clock):
        assert services.calendar.get_year(2026).version == SHIPPED_2026["version"]  # a refused file changes nothing

    assert cli("calendar-import", revised, now="2026-03-03 08:00").code == 0
    with cli.services("2026-03-03 08:05") as (services, _clock):
        assert services.calendar.get_year(2026).version == "vn-2026.2-test"
        assert services.dossiers.get_dossier(code).due_at == vn("2026-03-05 17:00")  # the receipt is a promise
        # computed afterwards: Tue 03/3 (1), Wed 04/3 now off, Thu 05/3 (2), Fri 06/3 (3)
        later = services.calendar.appointment(vn("2026-03-02 10:00"), 3)
        assert (later.due, later.calendar_version) == (vn("2026-03-06 17:00"), "vn-2026.2-test")


# --- catalogue --------------------------------------------------------------------------------------------------


def test_procedures_json(cli: Cli) -> None:
    everything, marriage = cli.many((["procedures"], None), (["procedures", "--search", "ket hon"], None))
    rows = everything.json()
    assert isinstance(rows, list)
    assert {r["code"] for r in rows} == {p["code"] for p in CATALOGUE["procedures"]}
    for row in rows:
        assert set(row) == {"code", "name", "field", "days", "same_day_cutoff"}
        assert isinstance(row["code"], str)
        assert isinstance(row["name"], str)
        assert isinstance(row["field"], str)
        assert isinstance(row["days"], int)
        assert row["same_day_cutoff"] is None or re.fullmatch(r"\d{2}:\d{2}", row["same_day_cutoff"])
    birth = next(r for r in rows if r["code"] == "1.001193")
    assert (birth["name"], birth["days"], birth["same_day_cutoff"]) == ("Đăng ký khai sinh", 0, "15:00")
    assert [r["code"] for r in marriage.json()] == ["DEMO.KH"]


# --- intake outcomes (§2) ---------------------------------------------------------------------------------------


def test_intake_supplement_and_refusal_slips(cli: Cli) -> None:
    supplement, refusal = cli.many(
        (
            intake_args(
                "DEMO.KH",
                "Lê Văn Cường",
                "--outcome",
                "supplement",
                "--missing",
                "Giấy xác nhận tình trạng hôn nhân",
                "--missing",
                "Bản sao giấy khai sinh",
                "--reason",
                "Thiếu giấy tờ",
            ),
            "2026-03-02 10:00",
        ),
        (intake_args("DEMO.KH", "Lê Văn Cường", "--outcome", "refuse", "--reason", "Không đủ điều kiện"), None),
    )
    slips = {}
    for result, symbol in ((supplement, "PBS"), (refusal, "PTC")):
        data = result.json()
        assert set(data) == {"slip", "uuid"}
        uuid.UUID(data["uuid"])
        # numbered per counter per year with the counter prefix (§4): counter 1, year 2026
        assert re.fullmatch(rf"{symbol}-26-1\d+", data["slip"]), data
        slips[symbol] = data["slip"]
    # a refusal is "Không được tiếp nhận" (3); a supplement slip is not a dossier, nothing was taken in (1) (§6)
    check_found(cli("find", slips["PTC"]).json(), slips["PTC"], 3, "Không được tiếp nhận", None)
    with cli.services("2026-03-02 10:00") as (services, _clock):
        assert services.dossiers.get_dossier(slips["PBS"]).status == 1
        assert services.dossiers.find("Lê Văn Cường")[0].code is None


# --- bad input and illegal transitions ------------------------------------------------------------------------------


def test_bad_input_and_illegal_transitions_exit_2_in_vietnamese(cli: Cli) -> None:
    with cli.services("2026-03-02 10:00") as (services, clock):
        received = accept(services, clock, "DEMO.XNHN", "2026-03-02 10:00")
        transferred = accept(services, clock, "DEMO.XNHN", "2026-03-02 10:10")
        services.dossiers.transfer(transferred)
    now = "2026-03-03 09:00"
    cases: list[tuple[list[str], str]] = [
        (intake_args("DEMO.XNHN", identifier="07909000123"), "12 chữ số"),  # 11 digits
        (intake_args("9.999999"), "9.999999"),
        ([*intake_args("DEMO.XNHN"), "--received", "02/03/2026 10:00"], "YYYY-MM-DD"),
        (["hand-over", received], "trả kết quả"),  # before the result is ready
        (["void", transferred, "--reason", "Nhầm"], "hủy"),  # after transfer
        (["transfer", received, "--colour", "blue"], "tham số"),
    ]
    results = cli.many(*((args, now) for args, _ in cases))
    for (_args, expected), result in zip(cases, results, strict=True):
        message = result.refused()
        assert expected.lower() in message.lower(), str(result)
    # nothing changed
    with cli.services(now) as (services, _clock):
        statuses = [services.dossiers.get_dossier(c).status for c in (received, transferred)]
        assert statuses == [2, 4]
        assert len(services.dossiers.find(AGENCY)) == 2


# --- the dossier's life (§5, §6) -----------------------------------------------------------------------------------


def test_full_life_with_a_paused_supplement_and_the_codes_of_counter_1(cli: Cli) -> None:
    cli.env["TZ"] = "America/Los_Angeles"  # Vietnamese days whatever the machine's zone (§5)
    taken = cli(*intake_args("DEMO.XNHN"), "--received", "2026-03-02 10:00", now="2026-03-02 10:00")
    code = f"{AGENCY}-260302-1001"  # counter 1, first dossier of the day (§4)
    # Mon 02/3 10:00 + 3 working days = Thu 05/3, at closing time 17:00 (§5, first worked example)
    check_accepted(taken.json(), code, "2026-03-05T17:00")
    second, transferred = cli.many(
        (intake_args("DEMO.XNHN", "Trần Thị Bình"), "2026-03-02 14:00"),
        (["transfer", code], "2026-03-02 14:00"),
    )
    check_accepted(second.json(), f"{AGENCY}-260302-1002", "2026-03-05T17:00")
    assert second.json()["uuid"] != taken.json()["uuid"]
    check_row(transferred.json(), code, 4, "Đang xử lý", "2026-03-05T17:00")
    steps = [
        (
            ["supplement-request", code, "--reason", "Thiếu giấy xác nhận cư trú"],
            "2026-03-03 09:00",
            5,
            "Yêu cầu bổ sung giấy tờ",
            "2026-03-05T17:00",
        ),
        # paused Tue 03/3 09:00 -> Thu 05/3: the working days after the request day up to the day of the
        # supplement (Wed 04/3, Thu 05/3) = 2; Thu 05/3 + 2 working days = Mon 09/3
        (["supplement-received", code], "2026-03-05 10:00", 4, "Đang xử lý", "2026-03-09T17:00"),
        (["result-ready", code], "2026-03-06 15:00", 9, "Đã xử lý xong", "2026-03-09T17:00"),
        (
            ["hand-over", code, "--to", "Nguyễn Văn An", "--id", PERSON_ID, "--rating", "5", "--like"],
            "2026-03-09 08:00",
            10,
            "Đã trả kết quả",
            "2026-03-09T17:00",
        ),
    ]
    for args, now, status, name, due in steps:
        check_row(cli(*args, now=now).json(), code, status, name, due)
    check_found(cli("find", code).json(), code, 10, "Đã trả kết quả", "2026-03-09T17:00")
    with cli.services("2026-03-09 08:00") as (services, _clock):
        events = services.dossiers.timeline(code)
    assert [(e.kind, f"{e.occurred_at:%Y-%m-%dT%H:%M}") for e in events] == [
        ("dossier.accepted", "2026-03-02T10:00"),
        ("dossier.transferred", "2026-03-02T14:00"),
        ("dossier.supplement_requested", "2026-03-03T09:00"),
        ("dossier.supplement_received", "2026-03-05T10:00"),
        ("dossier.result_ready", "2026-03-06T15:00"),
        ("dossier.handed_over", "2026-03-09T08:00"),
    ]


def test_withdrawal_and_void(cli: Cli) -> None:
    with cli.services("2026-03-02 10:00") as (services, clock):
        waiting = accept(services, clock, "DEMO.XNHN", "2026-03-02 10:00")
        mistaken = accept(services, clock, "DEMO.XNHN", "2026-03-02 10:05")
    withdrawn, voided = cli.many(
        (["withdraw", waiting, "--reason", "Công dân xin rút hồ sơ"], "2026-03-03 09:00"),
        (["void", mistaken, "--reason", "Tiếp nhận nhầm thủ tục"], "2026-03-03 09:00"),
    )
    check_row(withdrawn.json(), waiting, 7, "Công dân yêu cầu rút hồ sơ", "2026-03-05T17:00")
    # the national system has no "entered by mistake": a voided dossier is reported as stopped (8)
    check_row(voided.json(), mistaken, 8, "Dừng xử lý", "2026-03-05T17:00")
    with cli.services("2026-03-03 10:00") as (services, _clock):
        assert services.dossiers.get_dossier(waiting).status == 7


# --- last, so that the day filled in the background is ready -----------------------------------------------


# 999 intakes through the service layer (the command line would take minutes), in a process of its own started
# with the module, so that it runs while the other tests wait on the command line.
FULL_DAY = textwrap.dedent(
    f"""
    import sys
    from datetime import datetime
    from pathlib import Path
    from counter_app.bootstrap import build_services
    from counter_app.domain.clock import VN_TZ
    from counter_app.domain.intake import IntakeForm

    class Clock:
        def now(self):
            return datetime(2026, 3, 2, 8, 0, tzinfo=VN_TZ)

    services = build_services(Path(sys.argv[1]), Clock())
    form = IntakeForm("DEMO.XNHN", "Nguyễn Văn An", "{PERSON_ID}", received_at=Clock().now())
    for _ in range(999):
        print(services.intake.accept(form).code)
    services.close()
    """
)


@dataclass
class FullDay:
    db: Path
    proc: subprocess.Popen[str]

    def codes(self) -> list[str]:
        out, err = self.proc.communicate(timeout=600)
        assert self.proc.returncode == 0, err
        return out.split()


@pytest.fixture(scope="module", autouse=True)
def full_day(template_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[FullDay]:
    """Starts filling a copy of the template with one full day of counter 1 (the test using it comes last)."""
    db = tmp_path_factory.mktemp("full-day") / "c.db"
    copy_database(template_db, db)
    day = FullDay(
        db,
        subprocess.Popen(
            [sys.executable, "-c", FULL_DAY, str(db)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=base_env(db.parent),
        ),
    )
    yield day
    if day.proc.poll() is None:
        day.proc.kill()
        day.proc.communicate()


def test_the_thousandth_intake_of_a_counter_on_one_day_is_refused(full_day: FullDay, tmp_path: Path) -> None:
    codes = full_day.codes()
    assert codes[0] == f"{AGENCY}-260302-1001"
    assert codes[-1] == f"{AGENCY}-260302-1999"
    assert len(set(codes)) == 999
    cli = Cli(tmp_path / "c.db")
    copy_database(full_day.db, cli.db)
    full = cli(*intake_args("DEMO.XNHN", "Lê Văn Cường", "--received", "2026-03-02 16:00"), now="2026-03-02 16:00")
    assert "999" in full.refused()  # never wraps (§4)
    with cli.services("2026-03-03 08:00") as (services, clock):
        assert services.dossiers.find("Lê Văn Cường") == []
        # the numbers are per day: the next day starts again at 1001
        assert accept(services, clock, "DEMO.XNHN", "2026-03-03 08:00") == f"{AGENCY}-260303-1001"
