"""No personal data in the logs: a day of intake with its mistakes, then the log file is searched for the citizen."""

from __future__ import annotations

import logging
import subprocess
import sys
from pathlib import Path

import pytest
from cli.cli_support import base_env
from security.security_support import AGENCY, AGENCY_NAME, MARRIAGE, StepClock, open_counter, person_form, staff

from counter_app.domain.citizen import fold
from counter_app.errors import CounterError

# A citizen whose every detail is distinctive enough to be found if it leaked anywhere.
NAME = "Hoàng Thị Xuyến"
IDENTIFIER = "079190054321"  # Ho Chi Minh City, a woman born in 1990
PHONE = "0912876543"
ADDRESS = "45 Đường Nguyễn Trãi, Phường Bến Thành"
SECRETS = (NAME, fold(NAME), IDENTIFIER, PHONE, "Nguyễn Trãi")


def _run(home: Path, *argv: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "counter_app", *argv, "--db", str(home / "c.db"), "--now", "2026-03-02 09:00"],
        input=stdin,
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=base_env(home),
        cwd=home,
        timeout=120,
        check=False,
    )


def test_the_command_lines_log_file_holds_no_personal_data(tmp_path: Path) -> None:
    person = ("--name", NAME, "--id", IDENTIFIER, "--phone", PHONE, "--address", ADDRESS)
    assert (
        _run(
            tmp_path, "init", "--agency-code", AGENCY, "--agency-name", AGENCY_NAME, "--counter", "1", "--drill"
        ).returncode
        == 0
    )
    accepted = _run(tmp_path, "intake", "--procedure", MARRIAGE, *person, "--json")
    assert accepted.returncode == 0, accepted.stderr
    # error paths: a bad identifier, an unknown procedure, a refusal without reason, unknown dossiers
    assert _run(tmp_path, "intake", "--procedure", MARRIAGE, "--name", NAME, "--id", IDENTIFIER[:-1]).returncode == 2
    assert _run(tmp_path, "intake", "--procedure", "KHONG.CO", *person).returncode == 2
    assert _run(tmp_path, "intake", "--procedure", MARRIAGE, *person, "--outcome", "refuse").returncode == 2
    assert _run(tmp_path, "show", IDENTIFIER).returncode == 2
    assert _run(tmp_path, "find", NAME).returncode == 0
    # accounts: a wrong password must not log the password either
    assert (
        _run(
            tmp_path, "user", "add", "quantri", "--role", "admin", "--password-stdin", stdin="mat-khau-qt\n"
        ).returncode
        == 0
    )
    refused = _run(
        tmp_path, "intake", "--procedure", MARRIAGE, *person, "--user", "quantri", "--password-stdin", stdin=f"{NAME}\n"
    )
    assert refused.returncode == 2

    logs = list((tmp_path / "xdg-state").rglob("*.log"))
    assert logs, "the command line writes a log file"
    text = "\n".join(p.read_text(encoding="utf-8") for p in logs)
    assert "new local database created" in text  # the log was really written during these runs
    assert "failed sign-in attempt" in text
    for secret in (*SECRETS, "mat-khau-qt"):
        assert secret not in text, f"{secret!r} found in the log"


def test_services_log_nothing_personal_on_success_or_error(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG):
        services = open_counter(tmp_path / "c.db", StepClock())
        try:
            form = person_form(name=NAME, identifier=IDENTIFIER, phone=PHONE, address=ADDRESS)
            code = services.intake.accept(form).code
            assert code is not None
            services.documents.render(code, "receipt")
            for bad in (
                person_form(name=NAME, identifier=IDENTIFIER[:-1], phone=PHONE),
                person_form(procedure="KHONG.CO", name=NAME, identifier=IDENTIFIER),
            ):
                with pytest.raises(CounterError):
                    services.intake.accept(bad)
            with pytest.raises(CounterError):
                services.dossiers.withdraw(code, "")
            staff(services)
            with pytest.raises(CounterError):
                services.accounts.authenticate("canbo", IDENTIFIER)
            services.audit.verify()
        finally:
            services.close()
    assert caplog.records, "something was logged"
    text = "\n".join(f"{r.getMessage()} {r.exc_text or ''}" for r in caplog.records)
    for secret in SECRETS:
        assert secret not in text, f"{secret!r} found in the log"
