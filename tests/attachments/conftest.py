"""Fixtures of the digitisation tests: services over a temporary database, a dossier, SANE's test scanner."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from attachments.attachment_support import sane_test_config

from counter_app.bootstrap import Services, build_services
from counter_app.domain.clock import VN_TZ
from counter_app.domain.intake import IntakeForm
from counter_app.services.common.clock import DrillClock

AGENCY = "000.00.99.H29"
START = datetime(2026, 3, 2, 9, 0, tzinfo=VN_TZ)  # a Monday
MARRIAGE = "DEMO.KH"  # demo catalogue: two papers (the declaration, the marital status certificate)
PERSON_ID = "079090001234"


@pytest.fixture
def sane_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """SANE_CONFIG_DIR for this test (scanimage children inherit it): only the test backend."""
    folder = sane_test_config(tmp_path / "sane")
    monkeypatch.setenv("SANE_CONFIG_DIR", str(folder))
    return folder


@pytest.fixture
def services(tmp_path: Path) -> Iterator[Services]:
    services = build_services(tmp_path / "c.db", DrillClock(START), clerk="can_bo_1")
    services.setup.init_local(agency_code=AGENCY, agency_name="Trung tâm Phục vụ hành chính công phường Thử", counter=1)
    yield services
    services.close()


@pytest.fixture
def code(services: Services) -> str:
    result = services.intake.accept(IntakeForm(procedure_code=MARRIAGE, name="Nguyễn Văn An", identifier=PERSON_ID))
    assert result.code is not None
    return result.code


@pytest.fixture
def runner(qapp: Any, services: Services) -> Iterator[Any]:
    from PySide6.QtWidgets import QApplication

    from counter_app.ui.qt.task_runner import TaskRunner

    runner = TaskRunner()
    errors: list[Any] = []
    runner.error_presenter = errors.append
    yield runner
    runner.wait_for_workers()
    QApplication.processEvents()
    assert not errors, errors
