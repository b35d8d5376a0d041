"""Dossiers received on paper, entered afterwards (issue 19, "Time" and "No reissue, ever"), on the command line:
`re-enter CODE` from a "Liên 1" copy after a restore, and `intake --received` more than 30 minutes back, both a
supervisor's action with a reason where accounts exist, each recorded in the opening event."""

from __future__ import annotations

import json
import sqlite3

import pytest
from cli.cli_support import AGENCY, AGENCY_NAME, PERSON_ID, Cli, Run

from counter_app.domain.number_scopes import dossier_scope

PASSWORDS = {"quantri": "mat-khau-quan-tri", "canbo": "mat-khau-can-bo", "giamsat": "mat-khau-giam-sat"}
NOW = "2026-03-02 11:00"  # a drill database: the clock is the test's, with accounts too
DAY = "260302"
REASON = "Mất điện, tiếp nhận trên giấy"


def as_user(cli: Cli, user: str, *args: str, now: str = NOW) -> Run:
    argv = [*args, "--db", str(cli.db), "--user", user, "--json", "--now", now]
    return cli.raw(argv, cli.env | {"COUNTER_APP_PASSWORD": PASSWORDS[user]})


def applicant(name: str = "Nguyễn Văn An") -> tuple[str, ...]:
    return ("--procedure", "DEMO.XNHN", "--name", name, "--id", PERSON_ID)


def intake(*extra: str) -> tuple[str, ...]:
    return ("intake", *applicant(), *extra)


def re_enter(code: str, received: str, *extra: str) -> tuple[str, ...]:
    return ("re-enter", code, *applicant("Trần Thị Bích"), "--received", received, *extra)


def opening_payload(cli: Cli, code: str) -> dict[str, object]:
    with sqlite3.connect(cli.db) as conn:
        row = conn.execute(
            "SELECT e.payload FROM event e JOIN dossier d ON d.uuid = e.dossier_uuid "
            "WHERE d.code = ? AND e.kind = 'dossier.accepted'",
            (code,),
        ).fetchone()
    return dict(json.loads(row[0]))


@pytest.fixture
def drill_cli(fresh_cli: Cli) -> Cli:
    """Counter 1 of AGENCY on a drill database (takes --now with accounts), with a restore's skip-ahead: the
    day's codes up to …-1005 were issued by a database since lost; then an administrator, a clerk, a supervisor."""
    cli = fresh_cli
    cli("init", "--agency-code", AGENCY, "--agency-name", AGENCY_NAME, "--counter", "1", "--drill").json()
    with cli.services(NOW) as (services, clock):
        with services.context.uow(write=True) as uow:
            uow.sequences.raise_to(dossier_scope(AGENCY, 1, clock.now().date()), 5)
            uow.commit()
        services.accounts.add_user("quantri", "admin", PASSWORDS["quantri"])
        services.accounts.sign_in("quantri", PASSWORDS["quantri"])
        services.accounts.add_user("canbo", "clerk", PASSWORDS["canbo"], full_name="Phạm Cán Bộ")
        services.accounts.add_user("giamsat", "supervisor", PASSWORDS["giamsat"], full_name="Lê Giám Sát")
    return cli


def test_a_supervisor_re_enters_a_printed_code_once(drill_cli: Cli) -> None:
    cli = drill_cli
    code = f"{AGENCY}-{DAY}-1004"
    by_clerk = as_user(cli, "canbo", *re_enter(code, "2026-03-02 09:40", "--reason", REASON)).refused()
    assert "lãnh đạo, giám sát" in by_clerk
    no_reason = as_user(cli, "giamsat", *re_enter(code, "2026-03-02 09:40"))
    assert "Lỗi (reason)" in no_reason.err and "lý do" in no_reason.refused()

    done = as_user(cli, "giamsat", *re_enter(code, "2026-03-02 09:40", "--reason", REASON)).json()
    assert done["code"] == code
    assert done["due"] == "2026-03-05T17:00"  # 3 working days from the printed Monday
    assert opening_payload(cli, code)["re_entry"] == {"reason": REASON}
    shown = as_user(cli, "canbo", "show", code).json()
    assert shown["code"] == code and shown["name"] == "Trần Thị Bích"

    again = as_user(cli, "giamsat", *re_enter(code, "2026-03-02 09:40", "--reason", REASON)).refused()
    assert "đã có" in again
    never = as_user(cli, "giamsat", *re_enter(f"{AGENCY}-{DAY}-1006", "2026-03-02 10:00", "--reason", REASON))
    assert "chưa từng được cấp" in never.refused() and "Lỗi (code)" in never.err
    other = as_user(cli, "giamsat", *re_enter(f"{AGENCY}-{DAY}-2001", "2026-03-02 10:00", "--reason", REASON))
    assert "không phải mã do quầy này cấp" in other.refused()
    # the next citizen gets the next new code, after every code the lost database may have printed
    assert as_user(cli, "canbo", *intake()).json()["code"] == f"{AGENCY}-{DAY}-1006"


def test_a_clerk_cannot_back_date_an_intake(drill_cli: Cli) -> None:
    cli = drill_cli
    refused = as_user(cli, "canbo", *intake("--received", "2026-03-02 09:00", "--reason", REASON))
    assert "Lỗi (received)" in refused.err
    assert "lãnh đạo, giám sát" in refused.refused()
    # within the tolerance it is the citizen at the desk: any clerk, no reason, nothing recorded as a back-entry
    recent = as_user(cli, "canbo", *intake("--received", "2026-03-02 10:31")).json()["code"]
    assert "back_entry" not in opening_payload(cli, recent)


def test_a_supervisor_back_dates_an_intake_with_a_reason(drill_cli: Cli) -> None:
    cli = drill_cli
    without = as_user(cli, "giamsat", *intake("--received", "2026-03-02 09:00"))
    assert "Lỗi (back_entry_reason)" in without.err and "lý do" in without.refused()
    code = as_user(cli, "giamsat", *intake("--received", "2026-03-02 09:00", "--reason", REASON)).json()["code"]
    payload = opening_payload(cli, code)
    assert payload["back_entry"] == {"reason": REASON}
    assert payload["received_at"] == "2026-03-02T09:00:00+07:00"
    assert payload["reason"] == ""  # the dossier's own reason stays that of a slip
    slip = as_user(
        cli, "canbo", *intake("--received", "2026-03-02 09:00", "--outcome", "refuse", "--reason", "Sai thủ tục")
    )
    assert "Lỗi (received)" in slip.err  # a back-dated slip is the supervisor's too
    future = as_user(cli, "giamsat", *intake("--received", "2026-03-02 12:00", "--reason", REASON))
    assert "tương lai" in future.refused()


def test_without_accounts_a_back_dated_intake_is_recorded_as_one(cli: Cli) -> None:
    taken = cli(*intake("--received", "2026-03-02 08:00", "--reason", REASON), now="2026-03-02 10:00").json()
    assert opening_payload(cli, taken["code"])["back_entry"] == {"reason": REASON}
