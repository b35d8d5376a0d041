"""Fixtures of the command-line tests: one initialised database per module, copied for each test."""

from __future__ import annotations

from pathlib import Path

import pytest
from cli.cli_support import Cli, copy_database, initialised_database


@pytest.fixture(scope="module")
def template_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return initialised_database(tmp_path_factory.mktemp("template"))


@pytest.fixture
def cli(template_db: Path, tmp_path: Path) -> Cli:
    db = tmp_path / "c.db"
    copy_database(template_db, db)
    return Cli(db)


@pytest.fixture
def fresh_cli(tmp_path: Path) -> Cli:
    """A database file that does not exist yet."""
    return Cli(tmp_path / "c.db")
