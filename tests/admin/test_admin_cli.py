"""`counter-app catalogue import|log` and `calendar-import` behind the login rules of data-changing commands."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from admin_support import NEW_CODE, decision_2027, procedure_data, run_cli, write_json
from security.security_support import AGENCY, AGENCY_NAME, PASSWORDS


def staffed(tmp_path: Path) -> Path:
    db = tmp_path / "c.db"
    # every call of these tests names its moment (--now): a database made for drills takes it with accounts
    made = run_cli(db, "init", "--agency-code", AGENCY, "--agency-name", AGENCY_NAME, "--counter", "1", "--drill")
    assert made.returncode == 0, made.stderr
    added = run_cli(
        db, "user", "add", "quantri", "--role", "admin", "--password-stdin", stdin=PASSWORDS["quantri"] + "\n"
    )
    assert added.returncode == 0, added.stderr
    both = f"{PASSWORDS['quantri']}\n{PASSWORDS['canbo']}\n"
    clerk = run_cli(db, "user", "add", "canbo", "--role", "clerk", "--user", "quantri", "--password-stdin", stdin=both)
    assert clerk.returncode == 0, clerk.stderr
    return db


def as_user(db: Path, name: str, *argv: str) -> subprocess.CompletedProcess[str]:
    return run_cli(db, *argv, "--user", name, "--password-stdin", stdin=PASSWORDS[name] + "\n")


def test_catalogue_import_needs_an_administrator(tmp_path: Path) -> None:
    db = staffed(tmp_path)
    catalogue = write_json(tmp_path / "city.json", {"version": "hcm-2026.3", "procedures": [procedure_data()]})
    anonymous = run_cli(db, "catalogue", "import", str(catalogue))
    assert anonymous.returncode == 2
    assert "đăng nhập" in anonymous.stderr
    clerk = as_user(db, "canbo", "catalogue", "import", str(catalogue))
    assert clerk.returncode == 2
    assert "quản trị viên" in clerk.stderr
    admin = as_user(db, "quantri", "catalogue", "import", str(catalogue), "--json")
    assert admin.returncode == 0, admin.stderr
    assert json.loads(admin.stdout) == {
        "version": "hcm-2026.3",
        "added": [NEW_CODE],
        "updated": [],
        "unchanged": 0,
    }
    listed = json.loads(run_cli(db, "procedures", "--search", "chung thuc viec sua", "--json").stdout)
    assert [p["code"] for p in listed] == [NEW_CODE]
    log = json.loads(run_cli(db, "catalogue", "log", "--json").stdout)  # read-only: no login needed
    assert [(e["kind"], e["subject"], e["clerk"], e["role"]) for e in log] == [
        ("procedure.created", f"procedure:{NEW_CODE}", "quantri", "admin")
    ]


def test_an_invalid_catalogue_file_is_refused_with_the_field_named(tmp_path: Path) -> None:
    db = staffed(tmp_path)
    bad = write_json(tmp_path / "bad.json", {"procedures": [procedure_data(fee=-1)]})
    run = as_user(db, "quantri", "catalogue", "import", str(bad))
    assert run.returncode == 2
    assert "Lỗi (file): Thủ tục thứ 1 (2.000815), trường fee: Lệ phí" in run.stderr
    assert json.loads(run_cli(db, "catalogue", "log", "--json").stdout) == []


def test_calendar_import_is_logged_as_an_administration_event(tmp_path: Path) -> None:
    db = staffed(tmp_path)
    decision = write_json(tmp_path / "2027.json", decision_2027())
    assert as_user(db, "canbo", "calendar-import", str(decision)).returncode == 2
    done = as_user(db, "quantri", "calendar-import", str(decision))
    assert done.returncode == 0, done.stderr
    due = json.loads(run_cli(db, "due-date", "--received", "2027-02-26 10:00", "--days", "1", "--json").stdout)
    assert due["due"].startswith("2027-02-27")
    log = json.loads(run_cli(db, "catalogue", "log", "--subject", "calendar:2027", "--json").stdout)
    assert [(e["kind"], e["clerk"], e["before"]["estimated"], e["after"]["version"]) for e in log] == [
        ("calendar.imported", "quantri", True, "vn-2027.test")
    ]
