"""The command line's accounts contract: `user add/list/disable/reset-password`, --user/--password-stdin, refusals
with exit 2."""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from cli.cli_support import ROOT, base_env, vn
from security.security_support import AGENCY, AGENCY_NAME, MARRIAGE, PASSWORDS, PERSON_ID, StepClock

from counter_app.bootstrap import build_services
from counter_app.services.common.audit_keys import key_user
from counter_app.services.common.secret_vault import VaultFile, open_slot

VIETNAMESE_MARKS = frozenset("ăâđêôơưáàảãạấầẩẫậắằẳẵặéèẻẽẹếềểễệíìỉĩịóòỏõọốồổỗộớờởỡợúùủũụứừửữựýỳỷỹỵ")
NOW = "2026-03-02 09:00"


@dataclass(frozen=True)
class Run:
    argv: tuple[str, ...]
    code: int
    out: str
    err: str

    def __str__(self) -> str:
        return f"counter-app {' '.join(self.argv)}\n→ exit {self.code}\nstdout: {self.out}\nstderr: {self.err}"

    def ok(self) -> str:
        assert self.code == 0, str(self)
        return self.out

    def refused(self) -> str:
        """Exit 2, no traceback, a Vietnamese message after "Lỗi:"; returns the message."""
        assert self.code == 2, str(self)
        assert "Traceback" not in self.err, str(self)
        message = " ".join(line.split(":", 1)[1] for line in self.err.splitlines() if line.startswith("Lỗi"))
        assert any(ch in VIETNAMESE_MARKS for ch in message.lower()), str(self)
        return message


class Desk:
    """`counter-app` over one database file, with stdin and extra environment per call."""

    def __init__(self, db: Path) -> None:
        self.db = db
        self.env = base_env(db.parent)

    def __call__(self, *argv: str, stdin: str = "", env: dict[str, str] | None = None, now: str = NOW) -> Run:
        full = [*argv, "--db", str(self.db), "--now", now]
        proc = subprocess.run(
            [sys.executable, "-m", "counter_app", *full],
            input=stdin,
            capture_output=True,
            text=True,
            encoding="utf-8",
            cwd=self.db.parent,
            env=self.env | (env or {}),
            timeout=120,
            check=False,
        )
        return Run(tuple(full), proc.returncode, proc.stdout.strip(), proc.stderr.strip())

    def as_user(self, name: str, *argv: str) -> Run:
        return self(*argv, "--user", name, "--password-stdin", stdin=PASSWORDS[name] + "\n")

    def clerks(self) -> list[tuple[str, str]]:
        with sqlite3.connect(self.db) as conn:
            return list(conn.execute("SELECT kind, clerk FROM event ORDER BY seq"))


INTAKE = ("intake", "--procedure", MARRIAGE, "--name", "Trần Văn Bình", "--id", PERSON_ID, "--json")


def _code(run: Run) -> str:
    return str(json.loads(run.ok())["code"])


@pytest.fixture(scope="module")
def staffed_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A set-up counter whose administrator added a supervisor and a clerk, all through the command line."""
    desk = Desk(tmp_path_factory.mktemp("staffed") / "c.db")
    desk("init", "--agency-code", AGENCY, "--agency-name", AGENCY_NAME, "--counter", "1", "--drill").ok()
    desk("user", "add", "quantri", "--role", "admin", "--password-stdin", stdin=PASSWORDS["quantri"] + "\n").ok()
    for name, role in (("lanhdao", "supervisor"), ("canbo", "clerk")):
        both = f"{PASSWORDS['quantri']}\n{PASSWORDS[name]}\n"  # the login's password, then the new account's
        desk("user", "add", name, "--role", role, "--user", "quantri", "--password-stdin", stdin=both).ok()
    return desk.db


@pytest.fixture
def desk(staffed_template: Path, tmp_path: Path) -> Desk:
    folder = tmp_path / "counter"
    shutil.copytree(staffed_template.parent, folder)  # the database with its audit-key folder
    return Desk(folder / staffed_template.name)


def test_a_fresh_installation_works_without_login_until_the_first_administrator(tmp_path: Path) -> None:
    desk = Desk(tmp_path / "c.db")
    desk("init", "--agency-code", AGENCY, "--agency-name", AGENCY_NAME, "--counter", "1", "--drill").ok()
    desk(*INTAKE).ok()
    message = desk("user", "add", "canbo", "--role", "clerk", "--password-stdin", stdin="mat-khau-can-bo\n").refused()
    assert "quản trị viên" in message
    desk("user", "add", "quantri", "--role", "admin", "--password-stdin", stdin="mat-khau-quan-tri\n").ok()
    assert "đăng nhập" in desk(*INTAKE).refused()
    listed = json.loads(desk("user", "list", "--json").ok())
    assert [(u["name"], u["role"], u["disabled"]) for u in listed] == [("quantri", "admin", False)]


def test_changes_need_a_login_and_record_who(desk: Desk) -> None:
    assert "--user" in desk(*INTAKE).refused()
    wrong = desk(*INTAKE, "--user", "canbo", "--password-stdin", stdin="khong-phai-mat-khau\n").refused()
    assert "không đúng" in wrong
    # the failure slows the next attempt down (a second; each run's drill clock starts at --now and runs on, so
    # the wait said is one or two seconds); a minute later it works, global options before the subcommand
    retry = ("--user", "canbo", "--password-stdin", *INTAKE)
    assert re.search(r"chờ [12] giây", desk(*retry, stdin=PASSWORDS["canbo"] + "\n").refused())
    desk(*retry, stdin=PASSWORDS["canbo"] + "\n", now="2026-03-02 09:01").ok()
    from_env = desk(*INTAKE, env={"COUNTER_APP_USER": "lanhdao", "COUNTER_APP_PASSWORD": PASSWORDS["lanhdao"]})
    from_env.ok()
    intakes = [clerk for kind, clerk in desk.clerks() if kind == "dossier.accepted"]
    assert intakes == ["canbo", "lanhdao"]


def test_read_only_commands_need_no_login(desk: Desk) -> None:
    code = _code(desk.as_user("canbo", *INTAKE))
    desk("find", "Trần Văn Bình").ok()
    desk("show", code).ok()
    desk("procedures").ok()
    desk("late").ok()
    desk("config", "get", "lock_minutes").ok()
    # no keyring here: the audit key is in the secret vault, which only a signed-in person's password opens
    assert "kho bí mật" in desk("audit", "verify", "--json").refused()
    assert json.loads(desk.as_user("canbo", "audit", "verify", "--json").ok())["ok"] is True


def test_each_role_is_refused_what_it_may_not_do(desk: Desk, tmp_path: Path) -> None:
    code = _code(desk.as_user("canbo", *INTAKE))
    receipt = str(tmp_path / "receipt.pdf")
    desk.as_user("canbo", "print", "receipt", code, "--out", receipt).ok()
    assert "in lại" in desk.as_user("canbo", "print", "receipt", code, "--out", receipt).refused()
    desk.as_user("lanhdao", "print", "receipt", code, "--out", receipt, "--reason", "lost").ok()
    assert "hủy hồ sơ" in desk.as_user("canbo", "void", code, "--reason", "Chọn nhầm thủ tục").refused()
    assert "thiết lập" in desk.as_user("lanhdao", "config", "set", "lock_minutes", "5").refused()
    desk.as_user("quantri", "config", "set", "lock_minutes", "5").ok()
    desk.as_user("lanhdao", "void", code, "--reason", "Chọn nhầm thủ tục").ok()
    kinds = [(kind, clerk) for kind, clerk in desk.clerks() if kind in {"dossier.voided", "data.exported"}]
    assert kinds == [("data.exported", "canbo"), ("data.exported", "lanhdao"), ("dossier.voided", "lanhdao")]


def test_only_an_administrator_manages_accounts(desk: Desk) -> None:
    both = f"{PASSWORDS['lanhdao']}\nmat-khau-moi-123\n"
    refused = desk("user", "add", "canbo2", "--role", "clerk", "--user", "lanhdao", "--password-stdin", stdin=both)
    assert "quản lý tài khoản" in refused.refused()
    desk.as_user("quantri", "user", "disable", "canbo").ok()
    assert "vô hiệu hóa" in desk.as_user("canbo", *INTAKE).refused()
    listed = {u["name"]: u["disabled"] for u in json.loads(desk("user", "list", "--json").ok())}
    assert listed == {"canbo": True, "lanhdao": False, "quantri": False}
    assert "quản lý tài khoản" in desk.as_user("lanhdao", "user", "enable", "canbo").refused()
    desk.as_user("quantri", "user", "enable", "canbo").ok()
    # disabling removed the account's slot in the secret vault (no keyring here): it signs in again, but writes
    # only once an administrator has reset its password (a new slot)
    assert "đặt lại mật khẩu" in desk.as_user("canbo", *INTAKE).refused()


TEMPORARY = "mat-khau-tam-thoi"


def audit_key_opened_by(desk: Desk, name: str, password: str) -> bytes | None:
    """The counter's audit key as `name`'s slot in the secret vault gives it with `password` (None: no way in)."""
    contents = VaultFile(desk.db.parent).read()
    assert contents is not None
    slot = contents.slots.get(name)
    vault_key = open_slot(name, slot, password) if slot is not None else None
    return None if vault_key is None else contents.secret(vault_key, key_user(AGENCY, 1))


def test_an_administrator_resets_a_password_and_the_person_keeps_the_vault(desk: Desk) -> None:
    code = _code(desk.as_user("canbo", *INTAKE))  # sealed with the audit key the vault held before the reset
    audit_key = audit_key_opened_by(desk, "quantri", PASSWORDS["quantri"])
    assert audit_key is not None and audit_key_opened_by(desk, "canbo", PASSWORDS["canbo"]) == audit_key

    both = f"{PASSWORDS['quantri']}\n{TEMPORARY}\n"  # the login's password, then the temporary one
    reset = desk("user", "reset-password", "canbo", "--user", "quantri", "--password-stdin", stdin=both)
    assert "mật khẩu tạm thời" in reset.ok() and "mật khẩu mới" in reset.out
    row = json.loads(desk("user", "list", "--json").ok())
    assert {u["name"]: u["must_change_password"] for u in row} == {"canbo": True, "lanhdao": False, "quantri": False}
    assert ("user.password_reset", "quantri") in desk.clerks()
    assert "không đúng" in desk.as_user("canbo", *INTAKE).refused()  # the old password is refused
    assert audit_key_opened_by(desk, "canbo", PASSWORDS["canbo"]) is None

    # the next sign-in (the window's, through the same service) must set a new password first
    services = build_services(desk.db, StepClock(vn("2026-03-02 09:05")))
    try:
        session = services.accounts.sign_in("canbo", TEMPORARY)
        assert session.must_change_password
        assert not services.accounts.change_own_password(TEMPORARY, "mat-khau-moi-cua-bo").must_change_password
    finally:
        services.close()
    assert audit_key_opened_by(desk, "canbo", TEMPORARY) is None
    assert audit_key_opened_by(desk, "canbo", "mat-khau-moi-cua-bo") == audit_key

    # with the new password, the secret the vault held before the reset still serves: the chain checks, and the
    # next intake is sealed with the same key
    new_login = {"COUNTER_APP_USER": "canbo", "COUNTER_APP_PASSWORD": "mat-khau-moi-cua-bo"}
    later = "2026-03-02 09:10"
    assert _code(desk(*INTAKE, env=new_login, now=later)) != code
    verified = json.loads(desk("audit", "verify", "--json", env=new_login, now=later).ok())
    assert verified["ok"] is True and verified["checked"] == len(desk.clerks())
    assert "audit.key_replaced" not in {kind for kind, _clerk in desk.clerks()}


def test_only_an_administrator_resets_passwords_and_an_unknown_name_is_said(desk: Desk) -> None:
    for name in ("canbo", "lanhdao"):
        # refused before any work: the temporary password is not even asked for
        assert "quản lý tài khoản" in desk.as_user(name, "user", "reset-password", "quantri").refused()
    unknown = desk(
        "user",
        "reset-password",
        "khong.co",
        "--user",
        "quantri",
        "--password-stdin",
        stdin=f"{PASSWORDS['quantri']}\n{TEMPORARY}\n",
    )
    assert "Không có tài khoản “khong.co”" in unknown.refused()
    assert "user.password_reset" not in {kind for kind, _clerk in desk.clerks()}
    desk.as_user("quantri", "user", "list").ok()  # nothing changed: every password still works
    desk.as_user("lanhdao", *INTAKE).ok()


def test_a_temporary_password_runs_nothing_but_its_own_change(desk: Desk) -> None:
    both = f"{PASSWORDS['quantri']}\n{TEMPORARY}\n"
    desk("user", "reset-password", "canbo", "--user", "quantri", "--password-stdin", stdin=both).ok()
    on_temporary = {"COUNTER_APP_USER": "canbo", "COUNTER_APP_PASSWORD": TEMPORARY}
    before = desk.clerks()
    for argv in (INTAKE, ("user", "list", "--json"), ("audit", "verify")):
        message = desk(*argv, env=on_temporary).refused()
        assert "mật khẩu tạm thời" in message and "user change-password" in message, argv
    assert desk.clerks() == before  # refused before any work

    # the same two lines as user add's: the login's (temporary) password, then the new one
    changed = desk(
        "user",
        "change-password",
        "--user",
        "canbo",
        "--password-stdin",
        "--json",
        stdin=f"{TEMPORARY}\nmat-khau-rieng-1\n",
    )
    assert json.loads(changed.ok()) == {"name": "canbo", "must_change_password": False}
    assert ("user.password_changed", "canbo") in desk.clerks()
    assert "không đúng" in desk(*INTAKE, env=on_temporary).refused()  # the temporary one is spent
    # (a minute later: the wrong password just tried makes the next sign-in wait a second)
    desk(
        *INTAKE, env={"COUNTER_APP_USER": "canbo", "COUNTER_APP_PASSWORD": "mat-khau-rieng-1"}, now="2026-03-02 09:01"
    ).ok()
    # a new password equal to the current one is refused where it was typed, and nothing changes
    same = desk(
        "user", "change-password", "--user", "lanhdao", "--password-stdin", stdin=f"{PASSWORDS['lanhdao']}\n" * 2
    )
    assert "khác mật khẩu hiện tại" in same.refused()
    desk.as_user("lanhdao", *INTAKE).ok()
    # without a login there is nobody whose password to change
    assert desk("user", "change-password").refused()


def test_the_parser_knows_the_contract() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "counter_app", "user", "add", "--help"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert proc.returncode == 0
    for option in ("--role", "--password-stdin", "--user"):
        assert option in proc.stdout
    assert (
        "reset-password"
        in subprocess.run(
            [sys.executable, "-m", "counter_app", "user", "--help"],
            capture_output=True,
            text=True,
            cwd=ROOT,
            check=False,
        ).stdout
    )
