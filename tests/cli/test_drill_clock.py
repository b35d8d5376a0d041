"""Times nobody can falsify (issue 19 item 3): the drill clock only on a drill database once there are accounts,
every form a drill database prints says "BẢN DIỄN TẬP", and a received time is never in the future."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import unicodedata
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from cli.cli_support import AGENCY, AGENCY_NAME, PERSON_ID, Cli, Run, accept

from counter_app.domain.clock import VN_TZ

PASSWORDS = {"quantri": "mat-khau-quan-tri", "canbo": "mat-khau-can-bo"}
DRILL_MARK = "BẢN DIỄN TẬP"


def staff(cli: Cli) -> None:
    """An administrator and a clerk, added in-process (the accounts are what matters, not how they came)."""
    with cli.services("2026-03-02 08:00") as (services, _clock):
        services.accounts.add_user("quantri", "admin", PASSWORDS["quantri"])
        services.accounts.sign_in("quantri", PASSWORDS["quantri"])
        services.accounts.add_user("canbo", "clerk", PASSWORDS["canbo"], full_name="Phạm Cán Bộ")


def as_clerk(cli: Cli, *args: str, now: str | None = None, env: dict[str, str] | None = None) -> Run:
    argv = [*args, "--db", str(cli.db), "--user", "canbo", "--json"]
    if now is not None:
        argv += ["--now", now]
    return cli.raw(argv, cli.env | {"COUNTER_APP_PASSWORD": PASSWORDS["canbo"]} | (env or {}))


def intake(*extra: str) -> tuple[str, ...]:
    return ("intake", "--procedure", "DEMO.XNHN", "--name", "Nguyễn Văn An", "--id", PERSON_ID, *extra)


def event_times(cli: Cli) -> list[tuple[str, str]]:
    with sqlite3.connect(cli.db) as conn:
        return list(conn.execute("SELECT kind, occurred_at FROM event ORDER BY seq"))


def pdf_text(path: Path) -> str:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is needed")
    out = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return unicodedata.normalize("NFC", out)


def real_moment(delta: timedelta) -> str:
    return (datetime.now(VN_TZ) + delta).strftime("%Y-%m-%d %H:%M")


def test_a_clerk_cannot_set_the_clock_on_a_database_with_accounts(cli: Cli) -> None:
    staff(cli)
    with cli.services(real_moment(-timedelta(hours=2))) as (services, clock):
        services.accounts.sign_in("canbo", PASSWORDS["canbo"])
        code = accept(services, clock, "DEMO.XNHN", real_moment(-timedelta(hours=2)))
        services.dossiers.transfer(code)
        services.dossiers.result_ready(code)
    before = event_times(cli)

    handed = as_clerk(cli, "hand-over", code, now="2026-10-03 10:00").refused()
    taken = as_clerk(cli, *intake(), now="2026-10-03 10:00").refused()
    from_env = as_clerk(cli, *intake(), env={"COUNTER_APP_NOW": "2026-10-03 10:00"}).refused()
    for message in (handed, taken, from_env):
        assert "đồng hồ diễn tập" in message
        assert "init --drill" in message
    assert event_times(cli) == before  # nothing was recorded at the false time
    # the real clock still works for the same clerk
    assert as_clerk(cli, "hand-over", code).json()


def test_a_drill_database_takes_the_drill_clock_and_every_form_says_so(fresh_cli: Cli, tmp_path: Path) -> None:
    cli = fresh_cli
    made = cli("init", "--agency-code", AGENCY, "--agency-name", AGENCY_NAME, "--counter", "1", "--drill").json()
    assert made["drill"] is True
    staff(cli)
    code = as_clerk(cli, *intake(), now="2026-10-03 10:00").json()["code"]
    assert event_times(cli)[-1][1].startswith("2026-10-03")  # a drill's time, on a database made for drills
    for kind in ("receipt", "control"):
        out = tmp_path / f"{kind}.pdf"
        as_clerk(cli, "print", kind, code, "--out", str(out), now="2026-10-03 10:05").json()
        assert DRILL_MARK in pdf_text(out), kind
    # once a drill database, always one: no setting turns it into a real one
    admin = cli.env | {"COUNTER_APP_PASSWORD": PASSWORDS["quantri"]}
    undo = cli.raw(["config", "set", "drill", "0", "--db", str(cli.db), "--user", "quantri"], admin)
    assert "cố định" in undo.refused()
    assert cli("config", "get", "drill").json() == {"drill": True}


def test_a_real_database_prints_no_drill_mark_and_cannot_become_a_drill_one(cli: Cli, tmp_path: Path) -> None:
    with cli.services("2026-03-02 10:00") as (services, clock):
        code = accept(services, clock, "DEMO.XNHN", "2026-03-02 10:00")
    out = tmp_path / "receipt.pdf"
    cli("print", "receipt", code, "--out", str(out), now="2026-03-02 10:05").json()
    assert DRILL_MARK not in pdf_text(out)
    refused = cli("init", "--agency-code", AGENCY, "--agency-name", AGENCY_NAME, "--counter", "1", "--drill")
    assert "hồ sơ thật" in refused.refused()
    assert "cố định" in cli("config", "set", "drill", "1").refused()
    assert cli("config", "get", "drill").json() == {"drill": False}


def test_the_demo_profile_is_a_drill_database(tmp_path: Path) -> None:
    cli = Cli(tmp_path / "home" / "unused.db")
    made = cli.raw(["config", "get", "drill", "--demo", "--now", "2026-03-02 10:00", "--json"])
    assert made.json() == {"drill": True}


def test_a_received_time_in_the_future_is_refused_at_its_field(cli: Cli) -> None:
    future = cli(*intake("--received", "2030-01-01 10:00"))
    assert "tương lai" in future.refused()
    assert "Lỗi (received)" in future.err
    drill = cli(*intake("--received", "2026-03-02 10:30"), now="2026-03-02 10:00")
    assert "tương lai" in drill.refused()
    slip = cli(
        *intake("--received", "2026-03-02 10:30", "--outcome", "refuse", "--reason", "Sai"), now="2026-03-02 10:00"
    )
    assert "tương lai" in slip.refused()
    # the clerk types the minute while the clock runs on: a few minutes ahead are taken
    assert cli(*intake("--received", "2026-03-02 10:04"), now="2026-03-02 10:00").json()["code"]
    assert cli(*intake("--received", real_moment(timedelta(minutes=2)))).json()["code"]


def test_a_received_time_in_the_future_is_refused_with_accounts_too(cli: Cli) -> None:
    staff(cli)
    message = as_clerk(cli, *intake("--received", "2030-01-01 10:00")).refused()
    assert "tương lai" in message
