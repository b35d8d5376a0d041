"""Helpers of the administration tests: a procedure as the editor sends it, calendar decision files."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

NEW_CODE = "2.000815"  # Chứng thực chữ ký trong giấy tờ, văn bản (mã TTHC used as demo data)


def procedure_data(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "code": NEW_CODE,
        "name": "Chứng thực việc sửa đổi, bổ sung hợp đồng, giao dịch",
        "field": "Chứng thực",
        "deciding_agency": "Ủy ban nhân dân phường",
        "days": 2,
        "same_day_cutoff": None,
        "fee": 30000,
        "supplement_rule": "pause",
        "papers": [
            {"name": "Phiếu yêu cầu chứng thực", "originals": 1, "copies": 0},
            {"name": "Hợp đồng, giao dịch đã được chứng thực", "originals": 1, "copies": 1},
        ],
    }
    data.update(changes)
    return data


def write_json(path: Path, data: Any) -> Path:
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    return path


def decision_2027(**changes: Any) -> dict[str, Any]:
    """An official 2027 decision (invented for the tests): Tết from Fri 5/2 to Wed 10/2, a working Saturday 30/1."""
    data: dict[str, Any] = {
        "year": 2027,
        "version": "vn-2027.test",
        "source": "Quyết định thử nghiệm lịch nghỉ năm 2027 (dữ liệu kiểm thử)",
        "days_off": [
            {"date": "2027-01-01", "name": "Tết Dương lịch"},
            {"date": "2027-03-01", "name": "Ngày nghỉ theo quyết định thử nghiệm"},
            {"date": "2027-03-02", "name": "Ngày nghỉ theo quyết định thử nghiệm"},
        ],
        "working_days": [{"date": "2027-02-27", "name": "Làm bù theo quyết định thử nghiệm"}],
    }
    data.update(changes)
    return data


def run_cli(db: Path, *argv: str, stdin: str = "", now: str = "2026-03-02 09:00") -> subprocess.CompletedProcess[str]:
    """`counter-app ARGV --db DB --now NOW` in a subprocess, with logs and data under the database's folder."""
    from cli.cli_support import ROOT, base_env

    assert ROOT.is_dir()  # the checkout, on PYTHONPATH through base_env
    return subprocess.run(
        [sys.executable, "-m", "counter_app", *argv, "--db", str(db), "--now", now],
        input=stdin,
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=db.parent,
        env=base_env(db.parent),
        timeout=120,
        check=False,
    )
