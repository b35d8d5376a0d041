"""Fixtures of the report tests: the hand-built March 2026 database, made once, and services over it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from reports.report_support import NOW, Scenario, build_march

from counter_app.bootstrap import Services


@pytest.fixture(scope="session")
def march(tmp_path_factory: pytest.TempPathFactory) -> Scenario:
    return build_march(tmp_path_factory.mktemp("march"))


@pytest.fixture
def services(march: Scenario) -> Iterator[Services]:
    """Services over the March database, the clock at NOW (10/04/2026 10:00); reports only read."""
    services, _clock = march.open(NOW)
    yield services
    services.close()


@pytest.fixture
def out_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "out"
    folder.mkdir()
    return folder
